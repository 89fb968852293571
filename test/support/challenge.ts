/** Solving ALTCHA challenges in tests the way the page's worker does (web/pow.ts). */
import { solvePow } from '../../web/pow';

export interface ChallengeJson {
  algorithm: string;
  challenge: string;
  salt: string;
  signature: string;
  maxnumber: number;
}

/** The base64 `altcha` field for a solved challenge (throws if it has no solution). */
export function solveChallenge(c: ChallengeJson): string {
  const solution = solvePow(c.challenge, c.salt, c.maxnumber);
  if (!solution) throw new Error('challenge has no solution in [0, maxnumber]');
  const payload = {
    algorithm: c.algorithm,
    challenge: c.challenge,
    number: solution.number,
    salt: c.salt,
    signature: c.signature,
  };
  return Buffer.from(JSON.stringify(payload)).toString('base64');
}

/** Fetches a challenge from a running host and solves it. */
export async function fetchSolvedChallenge(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/challenge`);
  if (res.status !== 200) throw new Error(`GET /api/challenge answered ${res.status}`);
  return solveChallenge((await res.json()) as ChallengeJson);
}
