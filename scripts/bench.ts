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
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

import autocannon from 'autocannon';

import { startGraphEmulator, type GraphEmulator } from '../dev/graph-emulator';
import { prepareAppRoot } from '../dev/hostMain';
import { azuriteConnectionString, freePort, startAzurite, type AzuriteInstance } from '../dev/processes';
import { SmtpEmailSender } from '../shared/adapters/smtpEmailSender';
import { createQueueClient, createTableClient } from '../shared/adapters/storageClients';
import { TableRateLimiter } from '../shared/adapters/tableRateLimiter';
import { TableAddressStore, TableSignupStore } from '../shared/adapters/tableStores';
import { parseConfig } from '../shared/config';
import { emailSettings } from '../shared/container';
import { hashCode, keyedHash, newSignupId } from '../shared/domain/codes';
import { newFlow, type SignupFlow, transition } from '../shared/domain/signupFlow';
import type { Logger } from '../shared/log';
import type { Now } from '../shared/domain/rateWindows';
import type { Clock, EmailSender, RateDecision, RateLimit } from '../shared/ports';
import { EMAIL_BUDGET_KEY, makeEmailService } from '../shared/services/emailService';
import { QUEUES, TABLES } from '../shared/storageNames';
import { CountingProxy, type StorageCall, tally } from './benchCountingProxy';
import {
  LOAD_TEST_SETTINGS,
  appSettings,
  clearQueues,
  createStorage,
  type HostProcess,
  killOnExit,
  queueDepths,
  REPO_ROOT,
  sleep,
  spawnHost,
  track,
  writeGeneratedBlock,
} from './benchStack';
import { SmtpSink } from './benchSmtp';
import { median, percentile } from './benchStats';
import { buildPackage } from './package';

const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const DURATION_S = Number(process.env.BENCH_DURATION ?? (QUICK ? 5 : 30));
const E2E_JOURNEYS = QUICK ? 6 : 20;
const COUNT_SIGNUPS = QUICK ? 8 : 40;
const PACING_BACKLOG = 500;
const PACING_BUDGET = 60;
const PACING_SCALE = 5; // fake seconds per real second (delays are magnified as much: keep it small)
const PROVISION_BACKLOG = QUICK ? 60 : 300;
const GRAPH_LIMIT = { writes: 200, perSeconds: 10 }; // Graph's 3,000 per 150 s (20/s), window scaled to 10 s
const APP_GRAPH_WRITES_PER_SECOND = Number(process.env.BENCH_GRAPH_BUDGET ?? 20);
const ACCESS_GROUP = '00000000-0000-4000-8000-0000000be7c4';

const log = (message: string) => console.log(`[bench] ${message}`);

// ---- figures -----------------------------------------------------------------------------------------

interface LoadRun {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  status5xx: number;
}

interface LoadSummary {
  runs: LoadRun[];
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  errors: number;
  status5xx: number;
}

function summarize(runs: LoadRun[]): LoadSummary {
  return {
    runs,
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p95: median(runs.map((r) => r.p95)),
    p99: median(runs.map((r) => r.p99)),
    non2xx: runs.reduce((s, r) => s + r.non2xx, 0),
    errors: runs.reduce((s, r) => s + r.errors, 0),
    status5xx: runs.reduce((s, r) => s + r.status5xx, 0),
  };
}

// ---- load generation ----------------------------------------------------------------------------------

let ipCounter = 0;
/** One of 10,000 client addresses, as many real users behind TRUSTED_PROXY_HOPS=2 would be. */
function nextIp(): string {
  const i = ipCounter++ % 10_000;
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

function runAutocannon(options: autocannon.Options): Promise<LoadRun> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let status5xx = 0;
    const instance = autocannon({ ...options, timeout: 10 }, (error: unknown, result: autocannon.Result) => {
      if (error) return reject(error instanceof Error ? error : new Error('autocannon failed'));
      const ok = result['2xx'];
      resolve({
        rps: ok / result.duration,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        ok,
        non2xx: result.non2xx,
        errors: result.errors,
        status5xx,
      });
    });
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
      if (statusCode >= 500) status5xx++;
    });
  });
}

let addressCounter = 0;
const runTag = Date.now().toString(36);
const nextAddress = (prefix: string) => `${prefix}.${runTag}.${addressCounter++}@fabrikam.com`;

function startLoad(url: string, connections: number, durationS: number): Promise<LoadRun> {
  return runAutocannon({
    url,
    connections,
    duration: durationS,
    requests: [
      {
        method: 'POST',
        path: '/api/signups',
        setupRequest: (req) => ({
          ...req,
          headers: { 'content-type': 'application/json', 'x-forwarded-for': nextIp() },
          body: JSON.stringify({ email: nextAddress('load') }),
        }),
      },
    ],
  });
}

/**
 * Open-loop load: starts at evenly spaced instants (rate per second) over a pool of at most `connections`
 * keep-alive connections, whatever the answers do. autocannon's own rate limit sends each second's
 * requests in one burst, which measures queueing behind the burst rather than the work.
 */
async function pacedStartLoad(
  url: string,
  connections: number,
  durationS: number,
  rate: number,
): Promise<LoadRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let status5xx = 0;
  const inFlight = new Set<Promise<void>>();
  const began = performance.now();
  const total = Math.round(rate * durationS);
  for (let i = 0; i < total; i++) {
    const due = began + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const body = JSON.stringify({ email: nextAddress('paced') });
    const sent = performance.now();
    const request = new Promise<void>((resolve) => {
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: '/api/signups',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'x-forwarded-for': nextIp(),
          },
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - sent);
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) ok++;
            else non2xx++;
            if (status >= 500) status5xx++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.on('timeout', () => req.destroy());
      req.end(body);
    });
    inFlight.add(request);
    void request.then(() => inFlight.delete(request));
  }
  await Promise.all([...inFlight]);
  agent.destroy();
  const seconds = (performance.now() - began) / 1000;
  return {
    rps: ok / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    ok,
    non2xx,
    errors,
    status5xx,
  };
}

function verifyLoad(url: string, connections: number, flows: SeededFlow[]): Promise<LoadRun> {
  let next = 0;
  return runAutocannon({
    url,
    connections,
    amount: flows.length,
    requests: [
      {
        method: 'POST',
        path: '/api/signups/x/verify',
        setupRequest: (req) => {
          const flow = flows[next++ % flows.length];
          return {
            ...req,
            path: `/api/signups/${flow?.signupId ?? 'x'}/verify`,
            headers: { 'content-type': 'application/json', 'x-forwarded-for': nextIp() },
            body: JSON.stringify({ code: flow?.code ?? '000000' }),
          };
        },
      },
    ],
  });
}

// ---- seeding through the test seam (the app's own stores) ------------------------------------------------

interface SeededFlow {
  signupId: string;
  code: string;
  email: string;
}

const FLOW_LIMITS = {
  codeTtlMinutes: 120,
  codeMaxSubmissions: 5,
  flowMaxFailures: 10,
  resendCooldownSeconds: 60,
};

function pendingFlow(secret: string, email: string, now: Date): SignupFlow {
  return newFlow({
    signupId: newSignupId(),
    email,
    canonicalEmail: email,
    addressKey: keyedHash(secret, 'address', email),
    domain: email.slice(email.indexOf('@') + 1),
    locale: 'en',
    correlationId: newSignupId(),
    now,
    flowTtlHours: 24,
  });
}

async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

/** Flows waiting for their code, with a known code: HMAC written exactly as the email function does. */
async function seedCodeFlows(connectionString: string, secret: string, count: number): Promise<SeededFlow[]> {
  const signups = new TableSignupStore(createTableClient({ connectionString }, TABLES.signups));
  const addresses = new TableAddressStore(createTableClient({ connectionString }, TABLES.addresses));
  const seeded: SeededFlow[] = [];
  const now = new Date();
  await inParallel(
    Array.from({ length: count }, (_, i) => i),
    48,
    async (i) => {
      const email = nextAddress('verify');
      const code = String(100_000 + (i % 900_000));
      let flow = pendingFlow(secret, email, now);
      flow = transition(
        flow,
        { type: 'code_issued', codeHash: hashCode(secret, flow.signupId, code) },
        now,
        FLOW_LIMITS,
      );
      flow = transition(flow, { type: 'code_emailed', request: flow.codeRequests }, now, FLOW_LIMITS);
      await signups.create(flow);
      await addresses.setCurrentSignup(flow.addressKey, flow.signupId);
      seeded.push({ signupId: flow.signupId, code, email });
    },
  );
  return seeded;
}

// ---- journeys -----------------------------------------------------------------------------------------

interface JourneyTimes {
  toEmailMs: number;
  toReadyMs: number;
  statusPolls: number;
}

async function postJson(
  url: string,
  body: unknown,
  ip: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/**
 * One person: start, the code email arrives, verify, then status polls until `ready` (every `pollMs`, or on
 * the landing page's schedule 1 s, 2 s, 3 s, 4 s, 5 s, 5 s … when pollMs is 'page').
 */
async function journey(url: string, sink: SmtpSink, pollMs: number | 'page'): Promise<JourneyTimes> {
  const email = nextAddress('e2e');
  const ip = nextIp();
  const t0 = performance.now();
  const started = await postJson(`${url}/api/signups`, { email }, ip);
  if (started.status !== 202) throw new Error(`start answered ${started.status}`);
  const signupId = String(started.json.signupId);
  const mail = await sink.waitFor(email, (e) => e.code !== undefined, 60_000);
  const toEmailMs = performance.now() - t0;
  const t2 = performance.now();
  const verified = await postJson(`${url}/api/signups/${signupId}/verify`, { code: mail.code }, ip);
  if (verified.status !== 200) throw new Error(`verify answered ${verified.status}`);
  let statusPolls = 0;
  for (let attempt = 0; ; attempt++) {
    await sleep(pollMs === 'page' ? Math.min(attempt + 1, 5) * 1000 : pollMs);
    statusPolls++;
    const res = await fetch(`${url}/api/signups/${signupId}`);
    const view = (await res.json()) as { status?: string };
    if (view.status === 'ready') break;
    if (view.status === 'failed') throw new Error('a benchmark sign-up failed');
    if (performance.now() - t2 > 120_000)
      throw new Error('a benchmark sign-up did not become ready in 120 s');
  }
  const toReadyMs = performance.now() - t2;
  // The account-ready email ends the journey's background work.
  await sink.waitFor(email, (e) => e.code === undefined, 60_000);
  return { toEmailMs, toReadyMs, statusPolls };
}

/** `users` people in parallel, each pausing 0–2 s between journeys so the queue pollers are met in any phase. */
async function journeys(
  url: string,
  sink: SmtpSink,
  total: number,
  users: number,
  pollMs: number | 'page',
): Promise<JourneyTimes[]> {
  const results: JourneyTimes[] = [];
  let left = total;
  await Promise.all(
    Array.from({ length: users }, async () => {
      while (left > 0) {
        left--;
        await sleep(Math.random() * 2000);
        results.push(await journey(url, sink, pollMs));
      }
    }),
  );
  return results;
}

// ---- machine ------------------------------------------------------------------------------------------

function machine() {
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

// ---- phases -------------------------------------------------------------------------------------------

interface Stack {
  azurite: AzuriteInstance;
  sink: SmtpSink;
  graph: GraphEmulator;
  settings: Record<string, string>;
}

function benchSettings(
  connectionString: string,
  sink: SmtpSink,
  graph: GraphEmulator,
): Record<string, string> {
  return appSettings({
    AzureWebJobsStorage: connectionString,
    EMAIL_TRANSPORT: 'smtp',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(sink.port),
    GRAPH_BASE_URL: graph.url,
    GRAPH_STATIC_TOKEN: 'bench-token',
    GRAPH_ACCESS_GROUP_ID: ACCESS_GROUP,
    // 10,000 synthetic client addresses (see nextIp); emails are paced by their own phase below.
    ...LOAD_TEST_SETTINGS,
  });
}

type Target = 'ours' | 'base';

/**
 * One measured run on its own fresh in-memory Azurite: Azurite's table throughput falls from about 1,500
 * to about 300 inserts/s once it holds ~20,000 entities (measured on this machine), so runs sharing one
 * Azurite would mostly measure how much earlier runs wrote. Each run starts the target (our HTTP host or
 * the baseline) against the fresh Azurite, warms it up for a few seconds, then measures.
 */
async function onFreshStorage<T>(
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
    await createStorage(azurite.connectionString);
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

const describeRun = (label: string, run: LoadRun) =>
  `  ${label}: ${run.rps.toFixed(0)} req/s, p50 ${run.p50.toFixed(1)} ms, p95 ${run.p95.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms, non-2xx ${run.non2xx}, errors ${run.errors}`;

async function throughputPhase(stack: Stack) {
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

async function spawnBaseline(settings: Record<string, string>): Promise<HostProcess> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist', 'scripts', 'benchBaseline.js')], {
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

/** End-to-end latency, then storage transactions and Graph requests per sign-up through counting proxies. */
async function journeyPhase(stack: Stack) {
  await clearQueues(stack.azurite.connectionString);
  const tableProxy = await CountingProxy.start('table', stack.azurite.tablePort);
  const queueProxy = await CountingProxy.start('queue', stack.azurite.queuePort);
  const proxied = azuriteConnectionString(stack.azurite.blobPort, queueProxy.port, tableProxy.port);
  const host = await spawnHost({
    port: await freePort(),
    settings: { ...stack.settings, AzureWebJobsStorage: proxied },
    logLevel: 'error',
  });
  const calls = (): StorageCall[] => [...tableProxy.calls, ...queueProxy.calls];
  const resetCalls = () => {
    tableProxy.reset();
    queueProxy.reset();
  };
  try {
    log(`end to end: ${RUNS} × ${E2E_JOURNEYS} journeys, 2 people at a time, status polled every 100 ms`);
    const e2eRuns: Array<{ emailP50: number; emailP95: number; readyP50: number; readyP95: number }> = [];
    await journeys(host.url, stack.sink, 2, 1, 100); // warm-up
    for (let run = 0; run < RUNS; run++) {
      const times = await journeys(host.url, stack.sink, E2E_JOURNEYS, 2, 100);
      const email = times.map((t) => t.toEmailMs);
      const ready = times.map((t) => t.toReadyMs);
      e2eRuns.push({
        emailP50: percentile(email, 50),
        emailP95: percentile(email, 95),
        readyP50: percentile(ready, 50),
        readyP95: percentile(ready, 95),
      });
      log(
        `  run ${run + 1}: email p50 ${percentile(email, 50).toFixed(0)} ms p95 ${percentile(email, 95).toFixed(0)} ms; ready p50 ${percentile(ready, 50).toFixed(0)} ms p95 ${percentile(ready, 95).toFixed(0)} ms`,
      );
    }

    // What the queue poll interval costs: the same journeys on a host whose maxPollingInterval is 500 ms.
    const fastRoot = prepareAppRoot(REPO_ROOT, { queues: { maxPollingInterval: '00:00:00.500' } });
    const fastHost = await spawnHost({
      port: await freePort(),
      settings: stack.settings,
      appRoot: fastRoot,
      logLevel: 'error',
    });
    let whatIf: { emailP95: number; readyP95: number; readyP50: number; emailP50: number };
    try {
      await journeys(fastHost.url, stack.sink, 2, 1, 100);
      const times = await journeys(fastHost.url, stack.sink, E2E_JOURNEYS, 2, 100);
      const email = times.map((t) => t.toEmailMs);
      const ready = times.map((t) => t.toReadyMs);
      whatIf = {
        emailP50: percentile(email, 50),
        emailP95: percentile(email, 95),
        readyP50: percentile(ready, 50),
        readyP95: percentile(ready, 95),
      };
      log(
        `  maxPollingInterval 500 ms: email p95 ${whatIf.emailP95.toFixed(0)} ms; ready p50 ${whatIf.readyP50.toFixed(0)} p95 ${whatIf.readyP95.toFixed(0)} ms`,
      );
    } finally {
      await fastHost.stop();
      rmSync(fastRoot, { recursive: true, force: true });
    }

    log('storage transactions: idle polling first');
    await waitForEmptyQueues(stack.azurite.connectionString);
    await sleep(6000); // let the pollers back off to maxPollingInterval
    resetCalls();
    const idleMs = QUICK ? 6000 : 20_000;
    await sleep(idleMs);
    const idleCalls = calls().length;
    const idleRatePerS = idleCalls / (idleMs / 1000);

    log(
      `storage transactions: ${COUNT_SIGNUPS} sign-ups, 4 at a time, status polled on the landing page's schedule`,
    );
    await fetch(`${stack.graph.url}/_emulator/requests`, { method: 'DELETE' });
    resetCalls();
    const t0 = Date.now();
    const times = await journeys(host.url, stack.sink, COUNT_SIGNUPS, 4, 'page');
    await waitForEmptyQueues(stack.azurite.connectionString);
    const durationS = (Date.now() - t0) / 1000;
    const during = calls();
    const statusPolls = times.reduce((s, t) => s + t.statusPolls, 0);
    const graphLog = (await (await fetch(`${stack.graph.url}/_emulator/requests`)).json()) as Array<{
      method: string;
      path: string;
      status: number;
    }>;
    const graphCalls = graphLog.filter((r) => r.path.startsWith('/v1.0/'));

    // What one status read costs, measured alone.
    await sleep(3000);
    resetCalls();
    const probe = await postJson(`${host.url}/api/signups`, { email: nextAddress('probe') }, nextIp());
    await waitForEmptyQueues(stack.azurite.connectionString);
    await sleep(3000);
    const quietStart = Date.now();
    resetCalls();
    const reads = 50;
    for (let i = 0; i < reads; i++) await fetch(`${host.url}/api/signups/${String(probe.json.signupId)}`);
    const readWindowS = (Date.now() - quietStart) / 1000;
    const statusCalls = calls().filter((c) => c.op !== 'receive-empty').length;
    const perStatusRead = statusCalls / reads;
    void readWindowS;

    const polls = during.filter((c) => c.op === 'receive-empty').length;
    const work = during.filter((c) => c.op !== 'receive-empty');
    const pollsAttributed = Math.max(0, polls - idleRatePerS * durationS);
    const statusCost = statusPolls * perStatusRead;
    const workPerSignup = (work.length - statusCost) / COUNT_SIGNUPS;
    const perSignup = workPerSignup + pollsAttributed / COUNT_SIGNUPS;
    const breakdown = tally(work, (c) => `${c.service} ${c.op} ${c.resource}`).map(
      ([k, n]) => [k, n / COUNT_SIGNUPS] as [string, number],
    );
    const graphBreakdown = tally(
      graphCalls.map((g) => ({
        service: 'table',
        op: `${g.method} ${g.path.replace(/[0-9a-f-]{36}/g, '{id}')}`,
        resource: String(g.status),
        status: g.status,
        at: 0,
      })),
      (c) => `${c.op} → ${c.resource}`,
    );
    return {
      e2e: {
        runs: e2eRuns,
        emailP50: median(e2eRuns.map((r) => r.emailP50)),
        emailP95: median(e2eRuns.map((r) => r.emailP95)),
        readyP50: median(e2eRuns.map((r) => r.readyP50)),
        readyP95: median(e2eRuns.map((r) => r.readyP95)),
        whatIf,
      },
      storage: {
        signups: COUNT_SIGNUPS,
        durationS,
        idleRatePerS,
        perSignup,
        workPerSignup,
        pollsPerSignup: pollsAttributed / COUNT_SIGNUPS,
        statusPollsPerSignup: statusPolls / COUNT_SIGNUPS,
        perStatusRead,
        breakdown,
      },
      graph: {
        perGuest: graphCalls.length / COUNT_SIGNUPS,
        breakdown: graphBreakdown,
      },
    };
  } finally {
    await host.stop();
    await Promise.allSettled([tableProxy.stop(), queueProxy.stop()]);
  }
}

async function waitForEmptyQueues(connectionString: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const depths = await queueDepths(connectionString);
    if (Object.values(depths).every((d) => d === 0)) return;
    if (Date.now() > deadline) throw new Error(`queues not empty: ${JSON.stringify(depths)}`);
    await sleep(250);
  }
}

/**
 * Pacing of code emails: a backlog of 500 under a budget of 60/min. The email service is the app's own
 * (makeEmailService with the real Table stores and rate limiter on Azurite and the SMTP transport), run
 * with a clock that goes PACING_SCALE times faster than real time, driven by an in-memory delay queue that
 * honours every `requeue` delay in scaled time (the storage queue's 1 s visibility granularity cannot
 * be scaled). 3 "instances" × 6 messages in flight, like 3 hosts with batchSize 4 + newBatchThreshold 2.
 */
async function pacingPhase(stack: Stack) {
  const cs = stack.azurite.connectionString;
  const config = parseConfig({
    ...stack.settings,
    EMAIL_BUDGET_PER_MINUTE: String(PACING_BUDGET),
    EMAIL_BUDGET_PER_HOUR: '1000000',
  });
  const fakeStart = Date.UTC(2031, 0, 1, 0, 0, 0); // a minute boundary no earlier phase has used
  // The scaled clock starts once the backlog is seeded, exactly on a budget window boundary.
  let realStart = Number.NaN;
  const clock: Clock = {
    now: () =>
      new Date(Number.isNaN(realStart) ? fakeStart : fakeStart + (Date.now() - realStart) * PACING_SCALE),
  };
  const table = (name: string) => createTableClient({ connectionString: cs }, name);
  const signups = new TableSignupStore(table(TABLES.signups));
  const addresses = new TableAddressStore(table(TABLES.addresses));
  // Records when each budget token was granted — the limiter's clock reading in the attempt that won (a
  // caller that lost ETag races is granted later than it first asked) — beside when the send began.
  const tokenTimes: number[] = [];
  class RecordingLimiter extends TableRateLimiter {
    override async consume(
      key: string,
      limits: readonly RateLimit[],
      now: Now,
      count?: number,
    ): Promise<RateDecision> {
      let lastReading = Number.NaN;
      const reading = () => {
        const at = typeof now === 'function' ? now() : now;
        lastReading = at.getTime();
        return at;
      };
      const decision = await super.consume(key, limits, reading, count);
      if (key === EMAIL_BUDGET_KEY && decision.allowed) tokenTimes.push(lastReading);
      return decision;
    }
  }
  const limiter = new RecordingLimiter(table(TABLES.rateLimits));
  await limiter.delete(EMAIL_BUDGET_KEY);
  const smtp = new SmtpEmailSender({
    host: '127.0.0.1',
    port: stack.sink.port,
    secure: false,
    senderAddress: config.EMAIL_SENDER_ADDRESS,
  });
  const sendTimes: number[] = [];
  const sender: EmailSender = {
    send: async (message) => {
      const at = clock.now().getTime();
      const result = await smtp.send(message);
      sendTimes.push(at);
      return result;
    },
  };
  const service = makeEmailService({
    signups,
    addresses,
    limiter,
    clock,
    sender,
    settings: emailSettings(config),
  });
  // The backlog: 500 started flows whose code email has not gone out (as 500 starts leave them).
  const ids: string[] = [];
  await inParallel(
    Array.from({ length: PACING_BACKLOG }, (_, i) => i),
    48,
    async () => {
      const flow = pendingFlow(config.CODE_HMAC_SECRET, nextAddress('pace'), clock.now());
      await signups.create(flow);
      await addresses.setCurrentSignup(flow.addressKey, flow.signupId);
      ids.push(flow.signupId);
    },
  );
  const due = ids.map((signupId) => ({ signupId, dueAt: Date.now(), attempts: 0 }));
  const outcomes = new Map<string, number>();
  const quiet: Logger = { event: () => undefined };
  realStart = Date.now();
  let pending = due.length;
  const worker = async () => {
    while (pending > 0) {
      const now = Date.now();
      let index = -1;
      for (let i = 0; i < due.length; i++)
        if (
          (due[i]?.dueAt ?? Infinity) <= now &&
          (index < 0 || (due[i]?.dueAt ?? 0) < (due[index]?.dueAt ?? 0))
        )
          index = i;
      if (index < 0) {
        await sleep(5);
        continue;
      }
      const [item] = due.splice(index, 1);
      if (!item) continue;
      try {
        const outcome = await service.handle({ signupId: item.signupId, kind: 'verification_code' }, quiet);
        const label =
          outcome.action === 'requeue'
            ? `requeue:${outcome.reason}`
            : outcome.action === 'dropped'
              ? `dropped:${outcome.reason}`
              : 'sent';
        outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
        if (outcome.action === 'requeue')
          due.push({ ...item, dueAt: Date.now() + (outcome.delaySeconds * 1000) / PACING_SCALE });
        else pending--;
      } catch {
        item.attempts++;
        outcomes.set('failed_attempt', (outcomes.get('failed_attempt') ?? 0) + 1);
        if (item.attempts >= 5) pending--;
        else due.push({ ...item, dueAt: Date.now() + 30_000 / PACING_SCALE });
      }
    }
  };
  log(`pacing: ${PACING_BACKLOG} emails, budget ${PACING_BUDGET}/min, clock ×${PACING_SCALE}`);
  await Promise.all(Array.from({ length: 18 }, () => worker()));
  smtp.close();
  // The budget's own windows: one-minute windows aligned on the minute (fakeStart is on one).
  const windowOf = (t: number) => Math.floor((t - fakeStart) / 60_000);
  const perWindow = new Map<number, number>();
  for (const t of sendTimes) perWindow.set(windowOf(t), (perWindow.get(windowOf(t)) ?? 0) + 1);
  const windows = [...perWindow.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
  const full = windows.slice(0, -1); // the last window only has what was left
  const mostInAnyMinute = (times: number[]) => {
    const sorted = [...times].sort((a, b) => a - b);
    let most = 0;
    for (let i = 0, j = 0; i < sorted.length; i++) {
      while ((sorted[i] ?? 0) - (sorted[j] ?? 0) >= 60_000) j++;
      most = Math.max(most, i - j + 1);
    }
    return most;
  };
  return {
    sent: sendTimes.length,
    windows,
    utilisation: full.length > 0 ? median(full) / PACING_BUDGET : Number.NaN,
    minFull: full.length > 0 ? Math.min(...full) : Number.NaN,
    overBudgetWindows: windows.filter((n) => n > PACING_BUDGET).length,
    slidingMax: mostInAnyMinute(sendTimes),
    slidingMaxTokens: mostInAnyMinute(tokenTimes),
    outcomes: [...outcomes.entries()].sort((a, b) => b[1] - a[1]),
  };
}

/** Provisioning a backlog of verified flows while the emulator enforces a Graph write limit. */
async function provisioningPhase(stack: Stack) {
  await clearQueues(stack.azurite.connectionString);
  const host = await spawnHost({
    port: await freePort(),
    settings: { ...stack.settings, GRAPH_WRITES_PER_SECOND: String(APP_GRAPH_WRITES_PER_SECOND) },
    logLevel: 'error',
  });
  try {
    const cs = stack.azurite.connectionString;
    const signups = new TableSignupStore(createTableClient({ connectionString: cs }, TABLES.signups));
    const queue = createQueueClient({ connectionString: cs }, QUEUES.provision);
    const now = new Date();
    const ids: string[] = [];
    for (let i = 0; i < PROVISION_BACKLOG; i++) {
      const flow = pendingFlow(stack.settings.CODE_HMAC_SECRET ?? '', nextAddress('prov'), now);
      ids.push(flow.signupId);
      await signups.create({ ...flow, status: 'verified', verifiedAt: now.toISOString() });
    }
    await fetch(`${stack.graph.url}/_emulator/requests`, { method: 'DELETE' });
    await fetch(`${stack.graph.url}/_emulator/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeLimit: GRAPH_LIMIT }),
    });
    log(
      `provisioning: ${PROVISION_BACKLOG} verified flows, emulator limit ${GRAPH_LIMIT.writes} writes / ${GRAPH_LIMIT.perSeconds} s, app budget ${APP_GRAPH_WRITES_PER_SECOND}/s`,
    );
    const t0 = Date.now();
    await inParallel(ids, 32, async (signupId) => {
      await queue.sendMessage(Buffer.from(JSON.stringify({ signupId })).toString('base64'));
    });
    let finished = 0;
    while (Date.now() - t0 < 600_000) {
      finished = 0;
      for (const id of ids) {
        const flow = await signups.get(id);
        if (flow?.value.status === 'ready' || flow?.value.status === 'failed') finished++;
      }
      if (finished === ids.length) break;
      await sleep(1000);
    }
    const logEntries = (await (await fetch(`${stack.graph.url}/_emulator/requests`)).json()) as Array<{
      method: string;
      path: string;
      status: number;
      time: string;
    }>;
    const writes = logEntries.filter((r) => r.path.startsWith('/v1.0/') && r.method !== 'GET');
    const ok = writes
      .filter((r) => r.status >= 200 && r.status < 300)
      .map((r) => Date.parse(r.time))
      .sort((a, b) => a - b);
    const throttled = writes.filter((r) => r.status === 429).length;
    const spanS = ok.length > 1 ? ((ok[ok.length - 1] ?? 0) - (ok[0] ?? 0)) / 1000 : Number.NaN;
    let peak = 0;
    for (let i = 0, j = 0; i < ok.length; i++) {
      while ((ok[i] ?? 0) - (ok[j] ?? 0) >= GRAPH_LIMIT.perSeconds * 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    return {
      flows: ids.length,
      finished,
      writes: ok.length,
      throttled,
      ratePerS: ok.length / spanS,
      limitPerS: GRAPH_LIMIT.writes / GRAPH_LIMIT.perSeconds,
      peakInWindow: peak,
    };
  } finally {
    await fetch(`${stack.graph.url}/_emulator/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeLimit: null }),
    });
    await host.stop();
  }
}

const WORKER_STUB = `module.exports = { setProgrammingModel() {}, getProgrammingModel() { return undefined; },
  registerFunction() { return { dispose() {} }; }, registerHook() { return { dispose() {} }; }, log() {} };`;
const LOADER = `const t = process.hrtime.bigint(); require(process.argv[1]);
process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;

/** Size of the production bundle and its load time in a fresh Node process (worker API stubbed). */
async function bundlePhase() {
  const work = mkdtempSync(path.join(os.tmpdir(), 'rms-bench-pkg-'));
  try {
    const result = await buildPackage({
      rootDir: REPO_ROOT,
      outDir: path.join(work, 'package'),
      zipPath: path.join(work, 'rms-signup.zip'),
    });
    const stub = path.join(work, 'stub', 'node_modules', '@azure', 'functions-core');
    mkdirSync(stub, { recursive: true });
    writeFileSync(path.join(stub, 'index.js'), WORKER_STUB);
    const requireMs: number[] = [];
    const processMs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const child = spawnSync(process.execPath, ['-e', LOADER, result.bundlePath], {
        cwd: path.dirname(result.bundlePath),
        env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(work, 'stub', 'node_modules') },
        encoding: 'utf8',
      });
      processMs.push(performance.now() - t);
      if (child.status !== 0) throw new Error(`bundle failed to load: ${child.stderr}`);
      requireMs.push(Number(child.stdout));
    }
    return {
      bundleBytes: result.bundleBytes,
      zipBytes: result.zipBytes,
      sources: result.inputs.length,
      requireMs: median(requireMs),
      processMs: median(processMs),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---- report -------------------------------------------------------------------------------------------

type Results = {
  machine: ReturnType<typeof machine>;
  date: string;
  durationMin: number;
  throughput: Awaited<ReturnType<typeof throughputPhase>>;
  journeys: Awaited<ReturnType<typeof journeyPhase>>;
  pacing: Awaited<ReturnType<typeof pacingPhase>>;
  provisioning: Awaited<ReturnType<typeof provisioningPhase>>;
  bundle: Awaited<ReturnType<typeof bundlePhase>>;
};

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const mark = (ok: boolean) => (ok ? 'met' : '**missed**');

function report(r: Results): { table: string; markdown: string } {
  const s = r.throughput.start;
  const ratio16 = s.ours16.rps / s.base16.rps;
  const ratio64 = s.ours64.rps / s.base64.rps;
  const rows: Array<[string, string, string, string]> = [
    ['Start, 16 connections: throughput', `${f0(s.ours16.rps)} req/s (baseline ${f0(s.base16.rps)})`, '', ''],
    [
      'Start, 16 connections: p50 / p95 / p99',
      `${f1(s.ours16.p50)} / ${f1(s.ours16.p95)} / ${f1(s.ours16.p99)} ms`,
      '',
      '',
    ],
    ['Start, 64 connections: throughput', `${f0(s.ours64.rps)} req/s (baseline ${f0(s.base64.rps)})`, '', ''],
    [
      'Start, 64 connections: p50 / p95 / p99',
      `${f1(s.ours64.p50)} / ${f1(s.ours64.p95)} / ${f1(s.ours64.p99)} ms`,
      'p99 < 50 ms',
      mark(s.ours64.p99 < 50),
    ],
    [
      'Baseline, 64 connections: p50 / p95 / p99',
      `${f1(s.base64.p50)} / ${f1(s.base64.p95)} / ${f1(s.base64.p99)} ms`,
      '',
      '',
    ],
    [
      `Start, 64 connections at a fixed ${r.throughput.fixedRate.rate} req/s: p50 / p95 / p99`,
      `${f1(r.throughput.fixedRate.ours.p50)} / ${f1(r.throughput.fixedRate.ours.p95)} / ${f1(r.throughput.fixedRate.ours.p99)} ms (baseline ${f1(r.throughput.fixedRate.base.p50)} / ${f1(r.throughput.fixedRate.base.p95)} / ${f1(r.throughput.fixedRate.base.p99)})`,
      'p99 < 50 ms',
      mark(r.throughput.fixedRate.ours.p99 < 50),
    ],
    [
      'Ours ÷ baseline throughput (16 / 64)',
      `${f2(ratio16)} / ${f2(ratio64)}`,
      '≥ 0.8',
      mark(ratio16 >= 0.8 && ratio64 >= 0.8),
    ],
    [
      'Start non-2xx / 5xx / connection errors (all runs)',
      `${s.ours16.non2xx + s.ours64.non2xx} / ${s.ours16.status5xx + s.ours64.status5xx} / ${s.ours16.errors + s.ours64.errors}`,
      '0',
      mark(s.ours16.non2xx + s.ours64.non2xx + s.ours16.errors + s.ours64.errors === 0),
    ],
    [
      'Verify, 16 connections: throughput, p50 / p95 / p99',
      `${f0(r.throughput.verify.v16.rps)} req/s, ${f1(r.throughput.verify.v16.p50)} / ${f1(r.throughput.verify.v16.p95)} / ${f1(r.throughput.verify.v16.p99)} ms`,
      '',
      '',
    ],
    [
      'Verify, 64 connections: throughput, p50 / p95 / p99',
      `${f0(r.throughput.verify.v64.rps)} req/s, ${f1(r.throughput.verify.v64.p50)} / ${f1(r.throughput.verify.v64.p95)} / ${f1(r.throughput.verify.v64.p99)} ms`,
      '',
      '',
    ],
    [
      'Verify non-2xx / connection errors (all runs)',
      `${r.throughput.verify.v16.non2xx + r.throughput.verify.v64.non2xx} / ${r.throughput.verify.v16.errors + r.throughput.verify.v64.errors}`,
      '0',
      mark(r.throughput.verify.v16.non2xx + r.throughput.verify.v64.non2xx === 0),
    ],
    [
      'End to end: start → code email, p50 / p95',
      `${f0(r.journeys.e2e.emailP50)} / ${f0(r.journeys.e2e.emailP95)} ms`,
      'p95 < 1500 ms',
      mark(r.journeys.e2e.emailP95 < 1500),
    ],
    [
      'End to end: verify → flow ready, p50 / p95',
      `${f0(r.journeys.e2e.readyP50)} / ${f0(r.journeys.e2e.readyP95)} ms`,
      'p95 < 2000 ms',
      mark(r.journeys.e2e.readyP95 < 2000),
    ],
    [
      'What if maxPollingInterval were 500 ms: email p95, ready p50 / p95',
      `${f0(r.journeys.e2e.whatIf.emailP95)} ms, ${f0(r.journeys.e2e.whatIf.readyP50)} / ${f0(r.journeys.e2e.whatIf.readyP95)} ms`,
      '',
      '',
    ],
    [
      'Storage transactions per completed sign-up',
      `${f1(r.journeys.storage.perSignup)} (work ${f1(r.journeys.storage.workPerSignup)} + polling ${f1(r.journeys.storage.pollsPerSignup)})`,
      '≤ 14',
      mark(r.journeys.storage.perSignup <= 14),
    ],
    [
      'Page status polls per sign-up (not included above)',
      `${f1(r.journeys.storage.statusPollsPerSignup)} polls × ${f1(r.journeys.storage.perStatusRead)} transactions`,
      '',
      '',
    ],
    [
      'Graph requests per new guest',
      f2(r.journeys.graph.perGuest),
      '3',
      mark(Math.abs(r.journeys.graph.perGuest - 3) < 1e-9),
    ],
    [
      'Production bundle (package/dist/index.js)',
      `${f1(r.bundle.bundleBytes / 1024)} KiB (zip ${f1(r.bundle.zipBytes / 1024)} KiB, ${r.bundle.sources} sources)`,
      '',
      '',
    ],
    [
      'Bundle load in a fresh process (median of 10)',
      `${f0(r.bundle.requireMs)} ms require (${f0(r.bundle.processMs)} ms whole process)`,
      '≤ 150 ms',
      mark(r.bundle.requireMs <= 150),
    ],
    [
      'Email pacing: sends per full window vs budget 60',
      `${r.pacing.windows.join(', ')} → ${f0(r.pacing.utilisation * 100)} % (min ${f0(r.pacing.minFull)})`,
      '≥ 90 %',
      mark(r.pacing.utilisation >= 0.9),
    ],
    [
      'Email pacing: windows over budget / most budget tokens in any 60 s / most sends begun in any 60 s',
      `${r.pacing.overBudgetWindows} / ${r.pacing.slidingMaxTokens} / ${r.pacing.slidingMax} (scaled clock: a token-to-send delay of d ms counts as ${PACING_SCALE}·d)`,
      '0 / ≤ 60',
      mark(r.pacing.overBudgetWindows === 0 && r.pacing.slidingMaxTokens <= PACING_BUDGET),
    ],
    [
      'Provisioning: Graph writes/s vs limit',
      `${f1(r.provisioning.ratePerS)} / ${f1(r.provisioning.limitPerS)} (${r.provisioning.writes} writes, most in any ${GRAPH_LIMIT.perSeconds} s: ${r.provisioning.peakInWindow})`,
      '≥ 90 % of limit',
      mark(r.provisioning.ratePerS >= 0.9 * r.provisioning.limitPerS),
    ],
    [
      'Provisioning: Graph 429 responses',
      String(r.provisioning.throttled),
      '0',
      mark(r.provisioning.throttled === 0),
    ],
  ];
  const width = Math.max(...rows.map((x) => x[0].length));
  const table = rows
    .map(
      ([name, value, target, ok]) =>
        `${name.padEnd(width)}  ${value}${target ? `   [target ${target}: ${ok.replace(/\*/g, '')}]` : ''}`,
    )
    .join('\n');
  const m = r.machine;
  const md: string[] = [];
  md.push(
    `Generated by \`npm run bench\` on ${r.date} in ${f1(r.durationMin)} min${QUICK ? ' (**BENCH_QUICK: short runs, not representative**)' : ''}.`,
  );
  md.push('');
  md.push(
    `Machine: ${m.nproc} vCPU (${m.cpu}), ${m.memory} RAM, ${m.os}; Node ${m.node}; load average ${f2(m.loadAtStart)} when the run began. Everything (Azurite, the host, the load generator, the SMTP sink and the Graph emulator) shares these ${m.nproc} vCPUs.`,
  );
  md.push(
    `Command: \`npm run bench\` (${RUNS} runs of ${DURATION_S} s per load figure; figures are medians of the runs).`,
  );
  md.push('');
  md.push('| Figure | Measured | Target | |');
  md.push('| --- | --- | --- | --- |');
  for (const [name, value, target, ok] of rows)
    md.push(`| ${name} | ${value} | ${target} | ${target ? ok : ''} |`);
  md.push('');
  md.push(
    'Runs (start, req/s): ' +
      (['ours16', 'base16', 'ours64', 'base64'] as const)
        .map((k) => `${k} ${s[k].runs.map((x) => f0(x.rps)).join('/')}`)
        .join('; ') +
      '.',
  );
  md.push(
    `Verify runs (req/s): 16 → ${r.throughput.verify.v16.runs.map((x) => f0(x.rps)).join('/')}; 64 → ${r.throughput.verify.v64.runs.map((x) => f0(x.rps)).join('/')} (${r.throughput.seededPerRun} seeded flows per run).`,
  );
  md.push(
    `End-to-end runs (email p95 / ready p95, ms): ${r.journeys.e2e.runs.map((x) => `${f0(x.emailP95)}/${f0(x.readyP95)}`).join('; ')}.`,
  );
  md.push('');
  md.push(
    `Storage transactions per completed sign-up (${r.journeys.storage.signups} sign-ups in ${f0(r.journeys.storage.durationS)} s; idle polling ${f2(r.journeys.storage.idleRatePerS)}/s subtracted; status reads subtracted at ${f1(r.journeys.storage.perStatusRead)} each):`,
  );
  md.push('');
  md.push(
    "| Request | Per sign-up (rows include the page's status reads, which the total above leaves out) |",
  );
  md.push('| --- | --- |');
  for (const [key, n] of r.journeys.storage.breakdown) md.push(`| ${key} | ${f2(n)} |`);
  md.push(
    `| queue receive-empty above the idle rate (polling attributed) | ${f2(r.journeys.storage.pollsPerSignup)} |`,
  );
  md.push('');
  md.push(
    'Graph requests during those sign-ups: ' +
      r.journeys.graph.breakdown.map(([k, n]) => `${k} × ${n}`).join('; ') +
      '.',
  );
  md.push('');
  md.push(
    `Email pacing outcomes: ${r.pacing.outcomes.map(([k, n]) => `${k} ${n}`).join(', ')}; ${r.pacing.sent} sent.`,
  );
  md.push(`Provisioning: ${r.provisioning.finished}/${r.provisioning.flows} flows finished.`);
  const missed = rows.filter((x) => x[3] === mark(false));
  md.push('');
  md.push(
    missed.length === 0
      ? 'All targets met in this run.'
      : `Targets missed in this run: ${missed.map((x) => x[0]).join('; ')} — see "Misses and their causes" below.`,
  );
  return { table, markdown: md.join('\n') };
}

const PHASES = {
  bundle: () => bundlePhase(),
  throughput: throughputPhase,
  journeys: journeyPhase,
  pacing: pacingPhase,
  provisioning: provisioningPhase,
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
  const azurite = await startAzurite();
  track(azurite.process);
  const sink = await SmtpSink.start();
  const graph = await startGraphEmulator({ port: 0 });
  const stack: Stack = {
    azurite,
    sink,
    graph,
    settings: benchSettings(azurite.connectionString, sink, graph),
  };
  try {
    await createStorage(azurite.connectionString);
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
    await Promise.allSettled([sink.stop(), graph.close()]);
    await azurite.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
