/**
 * The dev Functions host as a child process (dev/functions-host/hostMain.ts), so a supervisor (the fault
 * suite, the benchmark, the soak, the HTTP fuzz test) can SIGKILL it at any moment and start it again on
 * the same port and storage.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

import { hostSettings, READY_PREFIX } from '../functions-host/hostMain';
import { findAppRoot } from '../functions-host/settings';

export const REPO_ROOT = findAppRoot(__dirname);
export const HOST_MAIN = path.join(REPO_ROOT, 'dist', 'dev', 'functions-host', 'hostMain.js');

export function assertBuilt(): void {
  if (!existsSync(HOST_MAIN) || !existsSync(path.join(REPO_ROOT, 'dist', 'functions', 'index.js'))) {
    throw new Error('dist/ is missing or stale: run `npm run build` first');
  }
}

/** App settings: local.settings(.example).json, then the environment, then these overrides. */
export function appSettings(overrides: Record<string, string>): Record<string, string> {
  return { ...hostSettings(REPO_ROOT, process.env), ...overrides };
}

export interface SpawnHostOptions {
  port: number;
  settings: Record<string, string>;
  /** A prepared app root (dev/functions-host/hostMain prepareAppRoot); the repository otherwise. */
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

/** Starts `node dist/dev/functions-host/hostMain.js` and resolves once it listens. */
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
