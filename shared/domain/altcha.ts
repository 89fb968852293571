/**
 * The ALTCHA v1 proof-of-work primitives from `altcha-lib` (MIT, altcha.org), used by
 * shared/services/challengeService.ts. The package is ESM-first and its `exports` map points TypeScript at
 * the ESM typings even for `require`, so the CommonJS build is loaded with a typed require here, once.
 */
import type { Challenge, ChallengeOptions, Payload } from 'altcha-lib/v1/types' with {
  'resolution-mode': 'import',
};

export type { Challenge, Payload };

interface AltchaV1 {
  createChallenge: (options: ChallengeOptions) => Promise<Challenge>;
  extractParams: (payload: Payload | Challenge) => Record<string, string>;
  verifySolution: (payload: Payload, hmacKey: string, checkExpires?: boolean) => Promise<boolean>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
const altcha = require('altcha-lib/v1') as AltchaV1;

export const { createChallenge, extractParams, verifySolution } = altcha;
