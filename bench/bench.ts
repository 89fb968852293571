/**
 * `npm run bench`: measures the app on the local stack (Azurite, an SMTP sink, the Graph emulator, the dev
 * Functions host as a child process) on free ports, prints a table and writes the generated block of
 * docs/BENCHMARKS.md. Not part of `npm test`. See docs/BENCHMARKS.md for the method of each figure.
 *
 *   npm run bench                      (about 15 minutes on 2 vCPUs)
 *   BENCH_QUICK=1 npm run bench        (short runs to check the harness; figures not representative)
 *   BENCH_RUNS=5 BENCH_DURATION=60 npm run bench
 *   BENCH_NO_WRITE=1 npm run bench     (print only, leave docs/BENCHMARKS.md alone)
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killOnExit, track } from '../dev/stack/hostProcess';
import { writeGeneratedBlock } from './common';
import { createStack } from '../dev/stack/launcher';
import { SmtpSink } from './smtpSink';
import { bundlePhase } from './bundle';
import { type Stack, benchSettings, log, machine } from './context';
import { fairnessPhase } from './fairness';
import { journeyPhase } from './journeys';
import { pacingPhase } from './pacing';
import { provisioningPhase } from './provisioning';
import { Results, f0, f1, report } from './report';
import { throughputPhase } from './throughput';

const PHASES = {
  bundle: () => bundlePhase(),
  throughput: throughputPhase,
  journeys: journeyPhase,
  pacing: pacingPhase,
  provisioning: provisioningPhase,
  fairness: fairnessPhase,
} satisfies Record<string, (stack: Stack) => Promise<unknown>>;
/** `BENCH_ONLY=pacing,provisioning`: just those phases, printed, nothing written. */
const ONLY = (process.env.BENCH_ONLY ?? '')
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name !== '')
  .map((name) => {
    if (!(name in PHASES))
      throw new Error(`BENCH_ONLY: unknown phase "${name}" (${Object.keys(PHASES).join(', ')})`);
    return name as keyof typeof PHASES;
  });

async function main(): Promise<void> {
  const began = Date.now();
  const machineInfo = machine();
  killOnExit();
  const launched = createStack({ mail: { kind: 'catcher', start: () => SmtpSink.start() } });
  try {
    await launched.start();
    track(launched.azurite.process);
    const { azurite, smtp: sink, graph } = launched;
    const stack: Stack = { azurite, sink, graph, settings: benchSettings(launched.wiring) };
    if (ONLY.length > 0) {
      // A partial run prints what it measured and leaves docs/BENCHMARKS.md alone: the report needs every phase.
      for (const name of ONLY) {
        const measured = await PHASES[name](stack);
        console.log(`\n${name}: ${JSON.stringify(measured, null, 2)}`);
      }
      return;
    }
    const bundle = await bundlePhase();
    log(`bundle ${f1(bundle.bundleBytes / 1024)} KiB, load ${f0(bundle.requireMs)} ms`);
    const throughput = await throughputPhase(stack);
    sink.clear();
    const journeyResults = await journeyPhase(stack);
    sink.clear();
    const pacing = await pacingPhase(stack);
    const provisioning = await provisioningPhase(stack);
    const results: Results = {
      machine: machineInfo,
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      durationMin: (Date.now() - began) / 60_000,
      throughput,
      journeys: journeyResults,
      pacing,
      provisioning,
      bundle,
    };
    const { table, markdown } = report(results);
    console.log(`\n${table}\n`);
    if (process.env.BENCH_NO_WRITE !== '1') {
      writeGeneratedBlock('bench', markdown);
      log('wrote docs/BENCHMARKS.md');
    }
    writeFileSync(path.join(os.tmpdir(), 'rms-bench-results.json'), JSON.stringify(results, null, 2));
  } finally {
    await launched.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
