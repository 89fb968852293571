/**
 * The admin API through the dev Functions host (dev/functions-host/host.ts), which enforces authLevel `function` like
 * the Azure host: the admin functions and sign-up start are bundled from source (build/package.ts, so
 * no stale dist/ matters), served on a free port over a private in-memory Azurite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { createLocalHost, DEFAULT_FUNCTION_KEY, type LocalHost } from '../../dev/functions-host/host';
import { type AzuriteInstance, startAzurite } from '../../dev/stack/processes';
import { createTablesAndQueues } from '../../dev/stack/storage';
import { readLocalSettingsValues } from '../../dev/functions-host/settings';
import { run } from '../../cli/admin';
import { buildPackage } from '../../build/package';
import { ADMIN_ROLE, READER_ROLE } from '../../shared/adminAuth';
import { uniqueEmail } from '../support/builders';
import { startTestIdp, TEST_AUDIENCE, TEST_CLIENT_ID } from '../support/localIdp';
import { DEV_CLI_CLIENT } from '../../dev/graph-emulator/identityProvider';

const ROOT = path.join(__dirname, '..', '..');
const ENTRY = [
  'adminPolicyGet',
  'adminPolicyPut',
  'adminSignupsList',
  'adminSignupGet',
  'adminSignupRetry',
  'adminSignupDecide',
  'adminSignupDelete',
  'adminStats',
  'retention',
  'signupStart',
]
  .map((f) => `import './functions/${f}';`)
  .join('\n');

const ROUTES: [string, string][] = [
  ['GET', '/api/admin/policy'],
  ['PUT', '/api/admin/policy'],
  ['GET', '/api/admin/signups'],
  ['GET', '/api/admin/signups/AAAAAAAAAAAAAAAAAAAAAAAA'],
  ['POST', '/api/admin/signups/AAAAAAAAAAAAAAAAAAAAAAAA/retry'],
  ['POST', '/api/admin/signups/AAAAAAAAAAAAAAAAAAAAAAAA/decision'],
  ['DELETE', '/api/admin/signups/AAAAAAAAAAAAAAAAAAAAAAAA'],
  ['GET', '/api/admin/stats'],
];

let work: string;
let appRoot: string;
let azurite: AzuriteInstance;
const hosts: LocalHost[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'rms-admin-host-'));
  const built = await buildPackage({
    rootDir: ROOT,
    outDir: path.join(work, 'app'),
    zipPath: null,
    entrySource: ENTRY,
    minify: false,
    webDir: path.join(work, 'no-web'),
  });
  appRoot = built.outDir;
  azurite = await startAzurite();
  await createTablesAndQueues(azurite.connectionString);
}, 60_000);

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
});

afterAll(async () => {
  await azurite?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function startHost(settings: Record<string, string> = {}): Promise<LocalHost> {
  const host = createLocalHost({
    appRoot,
    port: 0,
    functionKey: DEFAULT_FUNCTION_KEY,
    storageConnectionString: azurite.connectionString,
    env: {
      ...readLocalSettingsValues(ROOT),
      EMAIL_TRANSPORT: 'smtp',
      TRUSTED_PROXY_HOPS: '1',
      ADMIN_AUTH: 'key',
      CHALLENGE_MODE: 'off',
      ...settings,
    },
    log: () => undefined,
    shutdownTimeoutMs: 3000,
  });
  hosts.push(host);
  await host.start();
  return host;
}

const principal = (roles: string[]) =>
  Buffer.from(
    JSON.stringify({
      auth_typ: 'aad',
      claims: [
        { typ: 'preferred_username', val: 'alice@contoso.com' },
        ...roles.map((val) => ({ typ: 'roles', val })),
      ],
      name_typ: 'preferred_username',
      role_typ: 'roles',
    }),
  ).toString('base64');

const send = (
  host: LocalHost,
  method: string,
  route: string,
  headers: Record<string, string> = {},
  body?: unknown,
) =>
  fetch(`${host.url}${route}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

test('the documented local key is the dev host default', () => {
  expect(DEFAULT_FUNCTION_KEY).toBe('dev-function-key');
});

test('without the key (or with a wrong one) every admin route is 401; with it the API answers', async () => {
  const host = await startHost();
  for (const [method, route] of ROUTES) {
    const body = method === 'PUT' ? { signupsPaused: true } : undefined;
    expect([method, route, (await send(host, method, route, {}, body)).status]).toEqual([method, route, 401]);
    expect([
      method,
      route,
      (await send(host, method, route, { 'x-functions-key': 'wrong-key' }, body)).status,
    ]).toEqual([method, route, 401]);
  }
  const stats = await send(host, 'GET', '/api/admin/stats', { 'x-functions-key': 'dev-function-key' });
  expect(stats.status).toBe(200);
  expect(await stats.json()).toMatchObject({
    last24h: { total: 0 },
    queueDepths: { 'signup-email-poison': 0, 'signup-provision-poison': 0 },
  });
  expect((await send(host, 'GET', '/api/admin/policy?code=dev-function-key')).status).toBe(200);
  // Nothing changed through the refused PUTs.
  expect(
    ((await (await send(host, 'GET', '/api/admin/policy?code=dev-function-key')).json()) as { etag: unknown })
      .etag,
  ).toBeNull();
}, 60_000);

test('a PUT through the host pauses start on that instance at once (503), and resuming reopens it', async () => {
  const host = await startHost();
  const key = { 'x-functions-key': 'dev-function-key' };
  const start = () => send(host, 'POST', '/api/signups', {}, { email: uniqueEmail('fabrikam.com') });
  expect((await start()).status).toBe(202);
  const put = await send(host, 'PUT', '/api/admin/policy', key, {
    signupsPaused: true,
    pauseReason: 'Back soon.',
    reason: 'test',
  });
  expect(put.status).toBe(200);
  const etag = put.headers.get('etag');
  expect(etag).toBeTruthy();
  const paused = await start();
  expect(paused.status).toBe(503);
  expect(await paused.json()).toEqual({
    error: { code: 'signups_paused', message: 'Back soon.', detail: 'Back soon.' },
  });
  expect(
    (await send(host, 'PUT', '/api/admin/policy', { ...key, 'if-match': etag! }, { signupsPaused: false }))
      .status,
  ).toBe(200);
  expect((await start()).status).toBe(202);
}, 60_000);

test('ADMIN_AUTH=entra through the host: no key needed, the key alone or a forged principal → 401, reader writes → 403, admin → 200 (security review M1)', async () => {
  const idp = await startTestIdp();
  try {
    const host = await startHost({
      ADMIN_AUTH: 'entra',
      ADMIN_AUTHORITY: idp.authority,
      ADMIN_AUDIENCE: TEST_AUDIENCE,
      ADMIN_CLIENT_ID: TEST_CLIENT_ID,
    });
    const key = { 'x-functions-key': 'dev-function-key' };
    const forged = { ...key, 'x-ms-client-principal': principal([ADMIN_ROLE]) };
    const reader = { authorization: `Bearer ${await idp.mint({ roles: [READER_ROLE] })}` };
    for (const [method, route] of ROUTES) {
      const body = method === 'PUT' ? { signupsPaused: true } : undefined;
      expect([route, (await send(host, method, route, {}, body)).status]).toEqual([route, 401]);
      expect([route, (await send(host, method, route, key, body)).status]).toEqual([route, 401]);
      expect([route, (await send(host, method, route, forged, body)).status]).toEqual([route, 401]);
      if (method !== 'GET')
        expect([route, (await send(host, method, route, reader, body)).status]).toEqual([route, 403]);
    }
    const admin = { authorization: `Bearer ${await idp.mint({ roles: [ADMIN_ROLE] })}` };
    expect((await send(host, 'GET', '/api/admin/stats', admin)).status).toBe(200);
    expect((await send(host, 'GET', '/api/admin/policy', reader)).status).toBe(200);

    // The CLI gets its own token (client credentials) and keeps working; its actor is the app.
    const out: string[] = [];
    const err: string[] = [];
    const env = {
      RMS_SIGNUP_URL: host.url,
      RMS_SIGNUP_AUTHORITY: idp.authority,
      RMS_SIGNUP_AUDIENCE: TEST_AUDIENCE,
      RMS_SIGNUP_CLIENT_ID: DEV_CLI_CLIENT.clientId,
      RMS_SIGNUP_CLIENT_SECRET: DEV_CLI_CLIENT.clientSecret,
    };
    const cli = (...argv: string[]) =>
      run(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env, fetch });
    expect(await cli('pause', '--reason', 'CLI with a token.')).toBe(0);
    out.length = 0;
    expect(await cli('policy', 'get', '--json')).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({
      policy: { signupsPaused: true, updatedBy: expect.stringMatching(/^app rms-signup-dev-cli \(/) },
    });
    expect(await cli('resume')).toBe(0);
    // A wrong secret: the CLI says why instead of calling without a token.
    err.length = 0;
    const wrong = (...argv: string[]) =>
      run(argv, {
        out: () => undefined,
        err: (t) => err.push(t),
        env: { ...env, RMS_SIGNUP_CLIENT_SECRET: 'nope' },
        fetch,
      });
    expect(await wrong('stats')).not.toBe(0);
    expect(err.join('\n')).toContain('Cannot get an access token');
  } finally {
    await idp.close();
  }
}, 60_000);

test('the CLI against the host: pause, policy get --json, resume, stats (default key, RMS_SIGNUP_URL)', async () => {
  const host = await startHost();
  const out: string[] = [];
  const err: string[] = [];
  const cli = (...argv: string[]) =>
    run(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env: { RMS_SIGNUP_URL: host.url }, fetch });
  expect(await cli('pause', '--reason', 'Closed for the audit.')).toBe(0);
  out.length = 0;
  expect(await cli('policy', 'get', '--json')).toBe(0);
  expect(JSON.parse(out.join('\n'))).toMatchObject({
    policy: { signupsPaused: true, pauseReason: 'Closed for the audit.', updatedBy: 'function-key' },
    effective: { pausedNow: true },
  });
  expect(await cli('resume')).toBe(0);
  out.length = 0;
  expect(await cli('stats')).toBe(0);
  expect(out.join('\n')).toMatch(/signup-provision-poison\s+0/);
  expect(err).toEqual([]);
}, 60_000);
