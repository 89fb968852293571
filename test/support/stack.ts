/**
 * The whole local stack for end-to-end tests, on free ports: its own in-memory Azurite (queue names are
 * constants, so two stacks must not share one), an in-process SMTP catcher, the Graph emulator and the
 * dev Functions host serving the compiled app from dist/ (run `npm run build` first; `npm test` does).
 * A thin wrapper over the one launcher, dev/stack/launcher.ts.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';

import { type GraphEmulator } from '../../dev/graph-emulator';
import { type LocalHost } from '../../dev/functions-host/host';
import { prepareAppRoot } from '../../dev/functions-host/hostMain';
import { readLocalSettingsValues } from '../../dev/functions-host/settings';
import { createStack } from '../../dev/stack/launcher';
import { type AzuriteInstance } from '../../dev/stack/processes';
import { SmtpCatcher } from './smtpCatcher';

export const REPO_ROOT = path.join(__dirname, '..', '..');
export const ADMIN_KEY = 'e2e-function-key';
export const ACCESS_GROUP = '00000000-0000-4000-8000-00000000e2e0';

export interface TestStack {
  url: string;
  azurite: AzuriteInstance;
  smtp: SmtpCatcher;
  graph: GraphEmulator;
  host: LocalHost;
  logs: string[];
  settings: Record<string, string>;
  stop(): Promise<void>;
  /** Restarts the Functions host (same storage, same settings), e.g. after a simulated crash. */
  restartHost(): Promise<void>;
}

export function assertBuilt(): void {
  if (!existsSync(path.join(REPO_ROOT, 'dist', 'functions', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test builds first)');
  }
}

/**
 * The local stack (dev/stack/launcher.ts) with an in-process SMTP catcher and the dev host in this process.
 * `queues` runs the build from a temporary app root with those host.json queue settings (e.g. a 1 s
 * visibility timeout so a poison test takes seconds, not minutes).
 */
export async function startTestStack(
  overrides: Record<string, string> = {},
  options: { queues?: Record<string, unknown> } = {},
): Promise<TestStack> {
  assertBuilt();
  const appRoot = options.queues ? prepareAppRoot(REPO_ROOT, { queues: options.queues }) : REPO_ROOT;
  const launched = createStack({ mail: { kind: 'catcher', start: () => SmtpCatcher.start() } });
  try {
    await launched.start();
  } catch (error) {
    if (appRoot !== REPO_ROOT) rmSync(appRoot, { recursive: true, force: true });
    throw error;
  }
  const logs: string[] = [];
  const settings: Record<string, string> = {
    ...readLocalSettingsValues(REPO_ROOT),
    ...launched.wiring,
    EMAIL_TRANSPORT: 'smtp',
    GRAPH_STATIC_TOKEN: 'e2e-token',
    TRUSTED_PROXY_HOPS: '1',
    // These suites drive the admin API with the function key; entra mode has its own tests.
    ADMIN_AUTH: 'key',
    // Host tests start sign-ups without solving challenges and faster than the default start budget;
    // test/integration/publicDoor.test.ts and the browser journey run with the challenge on.
    CHALLENGE_MODE: 'off',
    START_BUDGET_PER_MINUTE: '100000',
    START_BUDGET_PER_HOUR: '1000000',
    ...overrides,
  };
  const startHost = () =>
    launched.startHost({
      appRoot,
      port: 0,
      functionKey: ADMIN_KEY,
      env: settings,
      log: (level, message) => logs.push(`${level} ${message}`),
      shutdownTimeoutMs: 3000,
    });
  let host: LocalHost;
  try {
    host = await startHost();
  } catch (error) {
    await launched.stop();
    if (appRoot !== REPO_ROOT) rmSync(appRoot, { recursive: true, force: true });
    throw error;
  }
  const stack: TestStack = {
    url: host.url,
    azurite: launched.azurite,
    smtp: launched.smtp,
    graph: launched.graph,
    host,
    logs,
    settings,
    async stop() {
      await launched.stop();
      if (appRoot !== REPO_ROOT) rmSync(appRoot, { recursive: true, force: true });
    },
    async restartHost() {
      await stack.host.stop();
      stack.host = await startHost();
      stack.url = stack.host.url;
    },
  };
  return stack;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function api(
  stack: TestStack,
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test code reads arbitrary JSON bodies
): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(`${stack.url}${route}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

export function codeIn(text: string): string {
  const match = /\b(\d{6})\b/.exec(text);
  if (!match?.[1]) throw new Error('no 6-digit code in the email');
  return match[1];
}
