/** The benchmark's knobs (env), its stack record and settings, fresh-storage runs and the baseline process. */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { type GraphEmulator } from '../dev/graph-emulator';
import { prepareAppRoot } from '../dev/functions-host/hostMain';
import { freePort, startAzurite, type AzuriteInstance } from '../dev/stack/processes';
import { sleep } from '../dev/stack/client';
import { appSettings, type HostProcess, REPO_ROOT, spawnHost, track } from '../dev/stack/hostProcess';
import { LOAD_TEST_SETTINGS, queueDepths } from './common';
import { createTablesAndQueues } from '../dev/stack/storage';
import { SmtpSink } from './smtpSink';
import { type LoadRun, startLoad } from './load';

export const QUICK = process.env.BENCH_QUICK === '1';
export const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
export const DURATION_S = Number(process.env.BENCH_DURATION ?? (QUICK ? 5 : 30));
export const E2E_JOURNEYS = QUICK ? 6 : 20;
export const COUNT_SIGNUPS = QUICK ? 8 : 40;
export const PACING_BACKLOG = 500;
export const PACING_BUDGET = 60;
export const PACING_SCALE = 5; // fake seconds per real second (delays are magnified as much: keep it small)
export const PROVISION_BACKLOG = QUICK ? 60 : 300;
export const GRAPH_LIMIT = { writes: 200, perSeconds: 10 }; // Graph's 3,000 per 150 s (20/s), window scaled to 10 s
export const APP_GRAPH_WRITES_PER_SECOND = Number(process.env.BENCH_GRAPH_BUDGET ?? 20);

export const log = (message: string) => console.log(`[bench] ${message}`);

export function machine() {
  const cpus = os.cpus();
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim() || String(cpus.length);
  return {
    nproc,
    cpu: cpus[0]?.model ?? 'unknown',
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    /** 1-minute load average when the run began: other work on the machine skews every figure. */
    loadAtStart: os.loadavg()[0] ?? 0,
  };
}

export interface Stack {
  azurite: AzuriteInstance;
  sink: SmtpSink;
  graph: GraphEmulator;
  settings: Record<string, string>;
}

export function benchSettings(wiring: Record<string, string>): Record<string, string> {
  return appSettings({
    ...wiring,
    EMAIL_TRANSPORT: 'smtp',
    GRAPH_STATIC_TOKEN: 'bench-token',
    // 10,000 synthetic client addresses (see nextIp); emails are paced by their own phase below.
    ...LOAD_TEST_SETTINGS,
  });
}

export type Target = 'ours' | 'base';

/**
 * One measured run on its own fresh in-memory Azurite: Azurite's table throughput falls from about 1,500
 * to about 300 inserts/s once it holds ~20,000 entities (measured on this machine), so runs sharing one
 * Azurite would mostly measure how much earlier runs wrote. Each run starts the target (our HTTP host or
 * the baseline) against the fresh Azurite, warms it up for a few seconds, then measures.
 */
export async function onFreshStorage<T>(
  stack: Stack,
  target: Target,
  work: (url: string, connectionString: string) => Promise<T>,
): Promise<T> {
  const azurite = await startAzurite();
  track(azurite.process);
  const httpRoot = prepareAppRoot(REPO_ROOT, {
    functions: ['signupStart', 'signupVerify', 'signupStatus', 'health'],
  });
  let server: HostProcess | undefined;
  try {
    await createTablesAndQueues(azurite.connectionString);
    const settings = { ...stack.settings, AzureWebJobsStorage: azurite.connectionString };
    server =
      target === 'ours'
        ? await spawnHost({ port: await freePort(), settings, appRoot: httpRoot, logLevel: 'error' })
        : await spawnBaseline(settings);
    await startLoad(server.url, 16, QUICK ? 1 : 3); // warm-up (JIT, connection pools), not counted
    return await work(server.url, azurite.connectionString);
  } finally {
    await server?.stop();
    await azurite.stop();
    rmSync(httpRoot, { recursive: true, force: true });
  }
}

export const describeRun = (label: string, run: LoadRun) =>
  `  ${label}: ${run.rps.toFixed(0)} req/s, p50 ${run.p50.toFixed(1)} ms, p95 ${run.p95.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms, non-2xx ${run.non2xx}, errors ${run.errors}`;

export async function spawnBaseline(settings: Record<string, string>): Promise<HostProcess> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'bench', 'baseline.js')], {
    env: { ...process.env, ...settings, BASELINE_PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  track(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    if (!child.stdout) return reject(new Error('no stdout'));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('baseline ready ')) resolve(line.slice('baseline ready '.length));
    });
    void exited.then(() => reject(new Error('the baseline exited')));
  });
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return { url, child, exited, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}

export async function waitForEmptyQueues(connectionString: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const depths = await queueDepths(connectionString);
    if (Object.values(depths).every((d) => d === 0)) return;
    if (Date.now() > deadline) throw new Error(`queues not empty: ${JSON.stringify(depths)}`);
    await sleep(250);
  }
}
