/**
 * What the proof of work costs (docs/BENCHMARKS.md, "Proof of work"): CPU time per solved challenge at
 * the default difficulty and at the surge steps, for the page's JavaScript solver (web/pow.ts, what a
 * person's browser runs) and for native SHA-256 (node:crypto, what an attacker's script would use).
 *
 *   npx esbuild bench/pow.ts --bundle --platform=node --outfile=/tmp/benchPow.js
 *   node /tmp/benchPow.js [--runs 40]
 *
 * (Bundled, not built by tsc: it imports the page's solver from web/, which the build does not compile.)
 */
import { createHash } from 'node:crypto';

import { CHALLENGE_BASE_MAX_NUMBER } from '../shared/domain/admission';
import { createChallenge } from '../shared/domain/altcha';
import { solvePow } from '../web/pow';

type Solver = (challenge: string, salt: string, max: number) => number | undefined;

const jsSolver: Solver = (challenge, salt, max) => solvePow(challenge, salt, max)?.number;

const nativeSolver: Solver = (challenge, salt, max) => {
  for (let n = 0; n <= max; n++) {
    if (
      createHash('sha256')
        .update(salt + n)
        .digest('hex') === challenge
    )
      return n;
  }
  return undefined;
};

async function measure(solver: Solver, maxnumber: number, runs: number) {
  const cpuMs: number[] = [];
  let hashes = 0;
  for (let i = 0; i < runs; i++) {
    const c = await createChallenge({
      hmacKey: 'bench',
      maxnumber,
      expires: new Date(Date.now() + 300_000),
    });
    const before = process.cpuUsage();
    const n = solver(c.challenge, c.salt, maxnumber);
    const used = process.cpuUsage(before);
    if (n === undefined) throw new Error('unsolved challenge');
    hashes += n + 1;
    cpuMs.push((used.user + used.system) / 1000);
  }
  const sorted = [...cpuMs].sort((a, b) => a - b);
  const total = cpuMs.reduce((a, b) => a + b, 0);
  return {
    meanMs: total / runs,
    p95Ms: sorted[Math.min(runs - 1, Math.floor(runs * 0.95))] ?? 0,
    hashesPerSecond: hashes / (total / 1000),
  };
}

async function main() {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 40;
  const rows: string[] = [
    '| solver | maxnumber | mean CPU per solution | p95 | hashes/s |',
    '|---|---|---|---|---|',
  ];
  for (const [name, solver] of [
    ['page JS (web/pow.ts)', jsSolver],
    ['native (node:crypto)', nativeSolver],
  ] as const) {
    for (const factor of [1, 8]) {
      const maxnumber = CHALLENGE_BASE_MAX_NUMBER * factor;
      const r = await measure(solver, maxnumber, factor === 1 ? runs : Math.max(5, Math.floor(runs / 4)));
      rows.push(
        `| ${name} | ${maxnumber.toLocaleString('en')} | ${r.meanMs.toFixed(0)} ms | ${r.p95Ms.toFixed(0)} ms | ${Math.round(r.hashesPerSecond).toLocaleString('en')} |`,
      );
    }
  }
  console.log(rows.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
