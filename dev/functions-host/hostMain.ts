/**
 * Runs ONLY the dev Functions host for the compiled app, as its own process, so a supervisor (the fault
 * suite, the benchmark) can SIGKILL it at any moment and start it again on the same port and storage.
 * Azurite, SMTP and the Graph emulator are the caller's business.
 *
 *   node dist/dev/functions-host/hostMain.js [--port 7071] [--app-root DIR] [--functions signupStart,signupVerify]
 *                             [--queues '{"visibilityTimeout":"00:00:01"}'] [--lease-seconds 60]
 *                             [--log-level information|warning|error|none]
 *
 * Settings: `Values` of local.settings(.example).json, each overridden by an environment variable of the
 * same name; every key of shared/config.ts SETTINGS can also come from the environment alone. The function
 * key is DEV_FUNCTION_KEY. Once listening it prints one line `hostMain ready <url>` on stdout; SIGTERM or
 * SIGINT stops it gracefully (exit 0); SIGUSR2 prints `hostMain memory {…}` (after a full GC when node runs
 * with --expose-gc).
 *
 * `--functions` and `--queues` run the app from a temporary app root whose package.json `main` lists only
 * those function files (Flex Consumption scales HTTP functions apart from each queue function, so a
 * benchmark can do the same) and whose host.json has those queue settings. `prepareAppRoot` makes such a
 * root for a supervisor that restarts the host many times.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { SETTINGS } from '../../shared/config';
import { createLocalHost, DEFAULT_FUNCTION_KEY, type LocalHost, type LogLevel } from './host';
import { findAppRoot, readLocalSettingsValues } from './settings';

export const READY_PREFIX = 'hostMain ready ';
export const MEMORY_PREFIX = 'hostMain memory ';

export interface AppRootOptions {
  /** Function file names under dist/functions (without .js); all when omitted. */
  functions?: string[];
  /** Merged into host.json `extensions.queues`. */
  queues?: Record<string, unknown>;
}

/**
 * A folder that is the repository's build with another host.json and/or a narrower package.json `main`:
 * dist/ and node_modules/ are symlinks. The caller removes it (`rmSync(dir, { recursive: true })`).
 */
export function prepareAppRoot(repoRoot: string, options: AppRootOptions): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rms-host-'));
  const hostJson = JSON.parse(readFileSync(path.join(repoRoot, 'host.json'), 'utf8')) as {
    extensions?: { queues?: object };
  };
  hostJson.extensions = {
    ...hostJson.extensions,
    queues: { ...hostJson.extensions?.queues, ...options.queues },
  };
  writeFileSync(path.join(dir, 'host.json'), JSON.stringify(hostJson, null, 2));
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { main?: string };
  if (options.functions && options.functions.length > 0) {
    for (const name of options.functions) {
      if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`Not a function file name: ${name}`);
    }
    const names = options.functions;
    pkg.main =
      names.length === 1 ? `dist/functions/${names[0]}.js` : `dist/functions/{${names.join(',')}}.js`;
  }
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  copyLocalSettings(repoRoot, dir);
  symlinkSync(path.join(repoRoot, 'dist'), path.join(dir, 'dist'), 'dir');
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

function copyLocalSettings(from: string, to: string): void {
  for (const name of ['local.settings.json', 'local.settings.example.json']) {
    try {
      copyFileSync(path.join(from, name), path.join(to, name));
      return;
    } catch {
      // not there: try the next one
    }
  }
}

/** File values, then the environment for those keys and for every known setting. */
export function hostSettings(appRoot: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const settings = readLocalSettingsValues(appRoot);
  for (const key of new Set([...Object.keys(settings), ...Object.keys(SETTINGS)])) {
    const value = env[key];
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}

interface Args {
  port: number;
  appRoot?: string;
  functions?: string[];
  queues?: Record<string, unknown>;
  leaseSeconds?: number;
  logLevel: LogLevel;
}

const LEVELS: LogLevel[] = ['trace', 'debug', 'information', 'warning', 'error', 'critical', 'none'];

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = {}): Args {
  const args: Args = { port: Number(env.FUNCTIONS_PORT ?? 7071), logLevel: 'information' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const need = (): string => {
      if (value === undefined) throw new Error(`${flag} needs a value`);
      i++;
      return value;
    };
    switch (flag) {
      case '--port':
        args.port = Number(need());
        break;
      case '--app-root':
        args.appRoot = path.resolve(need());
        break;
      case '--functions':
        args.functions = need()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case '--queues':
        args.queues = JSON.parse(need()) as Record<string, unknown>;
        break;
      case '--lease-seconds':
        args.leaseSeconds = Number(need());
        break;
      case '--log-level': {
        const level = need() as LogLevel;
        if (!LEVELS.includes(level)) throw new Error(`--log-level must be one of ${LEVELS.join(', ')}`);
        args.logLevel = level;
        break;
      }
      default:
        throw new Error(`Unknown argument ${flag}`);
    }
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535)
    throw new Error('--port must be a port number');
  if (args.leaseSeconds !== undefined && !(args.leaseSeconds >= 1))
    throw new Error('--lease-seconds must be at least 1');
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), process.env);
  const repoRoot = findAppRoot();
  let tempRoot: string | undefined;
  if (!args.appRoot && (args.functions || args.queues)) {
    tempRoot = prepareAppRoot(repoRoot, {
      ...(args.functions ? { functions: args.functions } : {}),
      ...(args.queues ? { queues: args.queues } : {}),
    });
  }
  const appRoot = args.appRoot ?? tempRoot ?? repoRoot;
  const settings = hostSettings(appRoot, process.env);
  const threshold = LEVELS.indexOf(args.logLevel);
  const host: LocalHost = createLocalHost({
    appRoot,
    port: args.port,
    hostname: '127.0.0.1',
    env: settings,
    functionKey: process.env.DEV_FUNCTION_KEY ?? DEFAULT_FUNCTION_KEY,
    ...(settings.AzureWebJobsStorage ? { storageConnectionString: settings.AzureWebJobsStorage } : {}),
    ...(args.leaseSeconds !== undefined ? { queueMessageLeaseSeconds: args.leaseSeconds } : {}),
    log: (level, message) => {
      if (level === 'none' || LEVELS.indexOf(level) < threshold) return;
      const line = `${level} ${message}\n`;
      if (level === 'error' || level === 'critical' || level === 'warning') process.stderr.write(line);
      else process.stdout.write(line);
    },
    shutdownTimeoutMs: 3000,
  });

  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    void host
      .stop()
      .catch((error: unknown) => console.error(`hostMain: stop failed: ${String(error)}`))
      .finally(() => {
        if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
        process.exit(code);
      });
  };
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));

  await host.start();
  process.stdout.write(`${READY_PREFIX}${host.url}\n`);

  // For soak runs: on SIGUSR2, a full GC (when started with --expose-gc) and one line with the memory
  // that is still in use, which tells a leak from a heap that has simply not been collected yet.
  process.on('SIGUSR2', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const m = process.memoryUsage();
    process.stdout.write(
      `${MEMORY_PREFIX}${JSON.stringify({ gc: gc !== undefined, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external })}\n`,
    );
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`hostMain: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
