/**
 * Process plumbing shared by the benchmark, the soak and the fault suite: the dev host as a child process
 * (dev/hostMain.ts, so it can be SIGKILLed and restarted), storage set-up and a look at queue depths.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

import { TableServiceClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';

import { hostSettings, READY_PREFIX } from '../dev/hostMain';
import { findAppRoot } from '../dev/start';
import { QUEUES, TABLES } from '../shared/storageNames';

export const REPO_ROOT = findAppRoot(__dirname);
export const HOST_MAIN = path.join(REPO_ROOT, 'dist', 'dev', 'hostMain.js');

export function assertBuilt(): void {
  if (!existsSync(HOST_MAIN) || !existsSync(path.join(REPO_ROOT, 'dist', 'functions', 'index.js'))) {
    throw new Error('dist/ is missing or stale: run `npm run build` first');
  }
}

/**
 * Load comes from many synthetic client addresses in X-Forwarded-For, read as the client hop behind the dev
 * host's own; the per-IP limits and email budgets are raised so the limiters do their full work on every
 * request but none refuses by design (refusing is tested elsewhere).
 */
export const LOAD_TEST_SETTINGS: Readonly<Record<string, string>> = {
  TRUSTED_PROXY_HOPS: '2',
  IP_STARTS_PER_MINUTE: '100000',
  IP_STARTS_PER_HOUR: '1000000',
  IP_VERIFIES_PER_MINUTE: '100000',
  EMAIL_BUDGET_PER_MINUTE: '100000',
  EMAIL_BUDGET_PER_HOUR: '1000000',
  START_BUDGET_PER_MINUTE: '100000',
  START_BUDGET_PER_HOUR: '1000000',
  // Load measures the app's own work; the attacker's proof-of-work cost is measured separately
  // (docs/BENCHMARKS.md, "Proof of work").
  CHALLENGE_MODE: 'off',
};

/** App settings: local.settings(.example).json, then the environment, then these overrides. */
export function appSettings(overrides: Record<string, string>): Record<string, string> {
  return { ...hostSettings(REPO_ROOT, process.env), ...overrides };
}

export interface SpawnHostOptions {
  port: number;
  settings: Record<string, string>;
  /** A prepared app root (dev/hostMain prepareAppRoot); the repository otherwise. */
  appRoot?: string;
  leaseSeconds?: number;
  logLevel?: 'information' | 'warning' | 'error' | 'none';
  functionKey?: string;
  /** Extra `node` options, e.g. `--expose-gc`. */
  nodeArgs?: string[];
  /** Every log line of the host (stdout and stderr). */
  onLine?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface HostProcess {
  url: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** SIGKILL: no shutdown, in-flight work lost (a crash). */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 8 s. */
  stop(): Promise<void>;
}

/** Starts `node dist/dev/hostMain.js` and resolves once it listens. */
export async function spawnHost(options: SpawnHostOptions): Promise<HostProcess> {
  assertBuilt();
  const args = [
    ...(options.nodeArgs ?? []),
    HOST_MAIN,
    '--port',
    String(options.port),
    '--log-level',
    options.logLevel ?? 'warning',
  ];
  if (options.appRoot) args.push('--app-root', options.appRoot);
  if (options.leaseSeconds !== undefined) args.push('--lease-seconds', String(options.leaseSeconds));
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.settings, DEV_FUNCTION_KEY: options.functionKey ?? 'bench-key' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const tail: string[] = [];
  let resolveUrl: (url: string) => void = () => undefined;
  const ready = new Promise<string>((resolve) => (resolveUrl = resolve));
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
    if (line.startsWith(READY_PREFIX)) resolveUrl(line.slice(READY_PREFIX.length).trim());
    options.onLine?.(line);
  };
  if (child.stdout) readline.createInterface({ input: child.stdout }).on('line', onLine);
  if (child.stderr) readline.createInterface({ input: child.stderr }).on('line', onLine);

  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    ready.then((url) => ({ url })),
    exited.then(() => ({
      error: `the host exited during start-up (${String(child.exitCode ?? child.signalCode)})`,
    })),
    new Promise<{ error: string }>((resolve) => {
      timer = setTimeout(() => resolve({ error: `the host was not ready after ${timeoutMs} ms` }), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if ('error' in outcome) {
    child.kill('SIGKILL');
    throw new Error(`${outcome.error}:\n${tail.join('\n')}`);
  }
  const signal = async (sig: NodeJS.Signals, graceMs?: number) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const hard = graceMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.kill(sig);
    await exited;
    clearTimeout(hard);
  };
  return {
    url: outcome.url,
    child,
    exited,
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM', 8000),
  };
}

/** Creates every table and queue of shared/storageNames.ts (idempotent). */
export async function createStorage(connectionString: string): Promise<void> {
  const tables = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  const queues = QueueServiceClient.fromConnectionString(connectionString);
  await Promise.all([
    ...Object.values(TABLES).map((t) => tables.createTable(t)),
    ...Object.values(QUEUES).map((q) => queues.getQueueClient(q).createIfNotExists()),
  ]);
}

/** Approximate message count of each app queue (visible and invisible messages). */
export async function queueDepths(connectionString: string): Promise<Record<string, number>> {
  const queues = QueueServiceClient.fromConnectionString(connectionString);
  const depths: Record<string, number> = {};
  for (const name of Object.values(QUEUES)) {
    const props = await queues.getQueueClient(name).getProperties();
    depths[name] = props.approximateMessagesCount ?? 0;
  }
  return depths;
}

/** Empties the app queues (between benchmark phases). */
export async function clearQueues(connectionString: string): Promise<void> {
  const queues = QueueServiceClient.fromConnectionString(connectionString);
  await Promise.all(Object.values(QUEUES).map((q) => queues.getQueueClient(q).clearMessages()));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const spawned = new Set<ChildProcess>();

/** Remembers a child so `killOnExit` can end it if this process is interrupted. */
export function track(child: ChildProcess): void {
  spawned.add(child);
  child.once('exit', () => spawned.delete(child));
}

/** On SIGINT/SIGTERM, SIGKILL every tracked child (hosts, Azurite, the baseline) and exit. */
export function killOnExit(): void {
  const handler = (signal: NodeJS.Signals) => {
    for (const child of spawned) child.kill('SIGKILL');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

export interface JsonReply {
  /** 0 when the request failed at the network level (the host is down, a timeout). */
  status: number;
  json: Record<string, unknown>;
  ms: number;
}

/** One JSON call from a synthetic client (its address in X-Forwarded-For); never throws. */
export async function requestJson(
  url: string,
  options: { method: string; ip: string; body?: unknown; timeoutMs: number },
): Promise<JsonReply> {
  const began = performance.now();
  try {
    const res = await fetch(url, {
      method: options.method,
      headers: {
        'x-forwarded-for': options.ip,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      json = {};
    }
    return { status: res.status, json, ms: performance.now() - began };
  } catch {
    return { status: 0, json: {}, ms: performance.now() - began };
  }
}

/**
 * Replaces the block between `<!-- name:begin … -->` and `<!-- name:end -->` in docs/BENCHMARKS.md (or
 * appends it), leaving the hand-written text around it alone.
 */
export function writeGeneratedBlock(name: 'bench' | 'soak', generated: string): void {
  const begin = `<!-- ${name}:begin (generated by npm run ${name}; edit outside these markers) -->`;
  const end = `<!-- ${name}:end -->`;
  const file = path.join(REPO_ROOT, 'docs', 'BENCHMARKS.md');
  let doc: string;
  try {
    doc = readFileSync(file, 'utf8');
  } catch {
    doc = '# Benchmarks\n';
  }
  const start = doc.indexOf(`<!-- ${name}:begin`);
  const stop = doc.indexOf(end);
  const block = `${begin}\n${generated}\n${end}`;
  doc =
    start >= 0 && stop > start
      ? `${doc.slice(0, start)}${block}${doc.slice(stop + end.length)}`
      : `${doc}\n${block}\n`;
  writeFileSync(file, doc);
}
