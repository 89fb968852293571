/** Phase `throughput`: start throughput of the app against the bare baseline, each run on a fresh Azurite. */
import { DURATION_S, RUNS, type Stack, type Target, describeRun, log, onFreshStorage } from './context';
import { type LoadRun, pacedStartLoad, seedCodeFlows, startLoad, summarize, verifyLoad } from './load';

export async function throughputPhase(stack: Stack) {
  log(
    `start throughput: ours vs baseline, ${RUNS} × ${DURATION_S} s at 16 and 64 connections, each run on a fresh Azurite`,
  );
  const runs: Record<string, LoadRun[]> = { ours16: [], base16: [], ours64: [], base64: [] };
  for (let round = 0; round < RUNS; round++) {
    const order = ['ours16', 'base16', 'ours64', 'base64'];
    if (round % 2 === 1) order.reverse();
    for (const key of order) {
      const target: Target = key.startsWith('ours') ? 'ours' : 'base';
      const run = await onFreshStorage(stack, target, (url) =>
        startLoad(url, key.endsWith('64') ? 64 : 16, DURATION_S),
      );
      runs[key]?.push(run);
      log(describeRun(`${key} round ${round + 1}`, run));
    }
  }
  const start = {
    ours16: summarize(runs.ours16 ?? []),
    base16: summarize(runs.base16 ?? []),
    ours64: summarize(runs.ours64 ?? []),
    base64: summarize(runs.base64 ?? []),
  };

  // Closed-loop latency at 64 connections is 64 ÷ throughput once saturated (Little's law); the same 64
  // connections offered half the saturated rate show the latency of the work itself.
  const rate = Math.max(10, Math.round(start.ours64.rps / 2));
  log(`start latency at a fixed ${rate} req/s over 64 connections`);
  const paced: Record<Target, LoadRun[]> = { ours: [], base: [] };
  for (let round = 0; round < RUNS; round++) {
    for (const target of (round % 2 === 0 ? ['ours', 'base'] : ['base', 'ours']) as Target[]) {
      const run = await onFreshStorage(stack, target, (url) =>
        pacedStartLoad(url, 64, Math.min(DURATION_S, 20), rate),
      );
      paced[target].push(run);
      log(describeRun(`${target} @${rate}/s round ${round + 1}`, run));
    }
  }
  const fixedRate = { rate, ours: summarize(paced.ours), base: summarize(paced.base) };

  log('verify throughput: flows seeded with known codes');
  const verify: Record<string, LoadRun[]> = { v16: [], v64: [] };
  const perRun = Math.max(200, Math.ceil(start.ours64.rps * DURATION_S));
  for (let round = 0; round < RUNS; round++) {
    for (const key of round % 2 === 0 ? ['v16', 'v64'] : ['v64', 'v16']) {
      const run = await onFreshStorage(stack, 'ours', async (url, connectionString) => {
        const flows = await seedCodeFlows(connectionString, stack.settings.CODE_HMAC_SECRET ?? '', perRun);
        return verifyLoad(url, key === 'v64' ? 64 : 16, flows);
      });
      verify[key]?.push(run);
      log(describeRun(`${key} round ${round + 1}`, run));
    }
  }
  return {
    start,
    fixedRate,
    verify: { v16: summarize(verify.v16 ?? []), v64: summarize(verify.v64 ?? []) },
    seededPerRun: perRun,
  };
}
