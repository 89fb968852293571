/**
 * The whole local stack for end-to-end tests, on free ports: its own in-memory Azurite (queue names are
 * constants, so two stacks must not share one), an in-process SMTP catcher, the Graph emulator and the
 * dev Functions host serving the compiled app from dist/ (run `npm run build` first; `npm test` does).
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { TableServiceClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';

import { type GraphEmulator, startGraphEmulator } from '../../dev/graphEmulator';
import { createLocalHost, type LocalHost } from '../../dev/host';
import { type AzuriteInstance, startAzurite } from '../../dev/processes';
import { readLocalSettingsValues } from '../../dev/settings';
import { QUEUES, TABLES } from '../../shared/storageNames';
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
 * An app root that is the repository's build with a different host.json (e.g. a 1 s visibility timeout
 * so a poison test takes seconds, not minutes): dist/ and node_modules/ are symlinks.
 */
function appRootWithQueues(queues: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rms-app-'));
  const hostJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'host.json'), 'utf8')) as {
    extensions: { queues: object };
  };
  hostJson.extensions.queues = { ...hostJson.extensions.queues, ...queues };
  writeFileSync(path.join(dir, 'host.json'), JSON.stringify(hostJson));
  copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(dir, 'package.json'));
  symlinkSync(path.join(REPO_ROOT, 'dist'), path.join(dir, 'dist'), 'dir');
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

export async function startTestStack(
  overrides: Record<string, string> = {},
  options: { queues?: Record<string, unknown> } = {},
): Promise<TestStack> {
  assertBuilt();
  const appRoot = options.queues ? appRootWithQueues(options.queues) : REPO_ROOT;
  const azurite = await startAzurite();
  const tables = TableServiceClient.fromConnectionString(azurite.connectionString, {
    allowInsecureConnection: true,
  });
  const queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
  await Promise.all([
    ...Object.values(TABLES).map((t) => tables.createTable(t)),
    ...Object.values(QUEUES).map((q) => queues.getQueueClient(q).createIfNotExists()),
  ]);
  const smtp = await SmtpCatcher.start();
  const graph = await startGraphEmulator({ port: 0 });
  const logs: string[] = [];
  const settings: Record<string, string> = {
    ...readLocalSettingsValues(REPO_ROOT),
    AzureWebJobsStorage: azurite.connectionString,
    EMAIL_TRANSPORT: 'smtp',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    GRAPH_BASE_URL: graph.url,
    GRAPH_STATIC_TOKEN: 'e2e-token',
    GRAPH_ACCESS_GROUP_ID: ACCESS_GROUP,
    TRUSTED_PROXY_HOPS: '1',
    // Host tests start sign-ups without solving challenges and faster than the default start budget;
    // test/integration/publicDoor.test.ts and the browser journey run with the challenge on.
    CHALLENGE_MODE: 'off',
    START_BUDGET_PER_MINUTE: '100000',
    START_BUDGET_PER_HOUR: '1000000',
    ...overrides,
  };
  const makeHost = () =>
    createLocalHost({
      appRoot,
      port: 0,
      functionKey: ADMIN_KEY,
      storageConnectionString: azurite.connectionString,
      env: settings,
      log: (level, message) => logs.push(`${level} ${message}`),
      shutdownTimeoutMs: 3000,
    });
  const stack: TestStack = {
    url: '',
    azurite,
    smtp,
    graph,
    host: makeHost(),
    logs,
    settings,
    async stop() {
      await stack.host.stop().catch(() => undefined);
      await Promise.allSettled([smtp.stop(), graph.close(), azurite.stop()]);
    },
    async restartHost() {
      await stack.host.stop();
      stack.host = makeHost();
      await stack.host.start();
      stack.url = stack.host.url;
    },
  };
  await stack.host.start();
  stack.url = stack.host.url;
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
