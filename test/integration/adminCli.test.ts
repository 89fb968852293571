/** The admin CLI end to end against a tiny local HTTP stub of the admin API (real fetch, real sockets). */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { type CliIo, run } from '../../cli/admin';

interface Seen {
  method: string;
  url: string;
  key?: string;
  ifMatch?: string;
  body?: unknown;
}

const KEY = 'stub-key';
let server: http.Server;
let base: string;
const seen: Seen[] = [];
let stored: Record<string, unknown> = {
  signupsPaused: false,
  allowedDomains: ['a.com'],
  blockedDomains: [],
  pausedDomains: [],
};

const item = (n: number) => ({
  signupId: `${String(n).repeat(24)}`.slice(0, 24),
  address: `p•••@fabrikam.com`,
  domain: 'fabrikam.com',
  status: 'ready',
  createdAt: `2026-11-2${n}T10:00:00.000Z`,
  attempts: { codeRequests: 1, failedSubmissions: 0, provisionAttempts: 1 },
});

function reply(
  res: http.ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...headers,
  });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

const view = () => ({
  policy: stored,
  etag: 'W/"7"',
  settings: { organizationDomains: ['contoso.com'], allowedDomains: [], blockedDomains: [] },
  effective: { pausedNow: stored.signupsPaused === true, pausedDomains: [] },
  builtInLists: [],
});

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      seen.push({
        method: req.method ?? '',
        url: `${url.pathname}${url.search}`,
        key: req.headers['x-functions-key'] as string | undefined,
        ifMatch: req.headers['if-match'],
        body: raw ? JSON.parse(raw) : undefined,
      });
      if (req.headers['x-functions-key'] !== KEY)
        return reply(res, 401, {
          error: { code: 'unauthorized', message: 'A valid function key is required.' },
        });
      const route = `${req.method} ${url.pathname}`;
      if (route === 'GET /api/admin/policy') return reply(res, 200, view(), { etag: 'W/"7"' });
      if (route === 'PUT /api/admin/policy') {
        if (req.headers['if-match'] !== 'W/"7"')
          return reply(res, 412, { error: { code: 'precondition_failed', message: 'changed' } });
        const { reason: _reason, ...policy } = JSON.parse(raw) as Record<string, unknown>;
        stored = { ...policy, updatedBy: 'function-key' };
        return reply(res, 200, view());
      }
      if (route === 'GET /api/admin/signups') {
        return url.searchParams.get('continuationToken') === 'page2'
          ? reply(res, 200, { items: [item(3)] })
          : reply(res, 200, { items: [item(1), item(2)], continuationToken: 'page2' });
      }
      if (req.method === 'DELETE' && url.pathname.startsWith('/api/admin/signups/')) return reply(res, 204);
      return reply(res, 404, { error: { code: 'not_found', message: 'Not found.' } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function io(env: Record<string, string | undefined> = { RMS_SIGNUP_URL: base, RMS_SIGNUP_ADMIN_KEY: KEY }) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), env, fetch };
  return { cli, out, err };
}

test('pause: reads the policy, writes it back with If-Match and the key, and prints the result', async () => {
  seen.length = 0;
  const { cli, out, err } = io();
  expect(await run(['pause', '--reason', 'Back at noon', '--until', '2026-12-01T12:00:00Z'], cli)).toBe(0);
  expect(err).toEqual([]);
  expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /api/admin/policy', 'PUT /api/admin/policy']);
  expect(seen.every((s) => s.key === KEY)).toBe(true);
  expect(seen[1]).toMatchObject({
    ifMatch: 'W/"7"',
    body: {
      signupsPaused: true,
      pauseReason: 'Back at noon',
      pauseUntil: '2026-12-01T12:00:00.000Z',
      allowedDomains: ['a.com'],
      blockedDomains: [],
      pausedDomains: [],
      reason: 'Back at noon',
    },
  });
  expect(out.join('\n')).toContain('Sign-ups:          PAUSED');
});

test('signups list --all --json follows continuation tokens and prints one JSON document', async () => {
  seen.length = 0;
  const { cli, out } = io();
  expect(await run(['signups', 'list', '--status', 'ready', '--all', '--json'], cli)).toBe(0);
  expect(seen.map((s) => s.url)).toEqual([
    '/api/admin/signups?status=ready',
    '/api/admin/signups?status=ready&continuationToken=page2',
  ]);
  const printed = JSON.parse(out.join('\n')) as { items: { createdAt: string }[] };
  expect(printed.items.map((i) => i.createdAt)).toEqual([
    '2026-11-23T10:00:00.000Z',
    '2026-11-22T10:00:00.000Z',
    '2026-11-21T10:00:00.000Z',
  ]);
});

test('erase with --delete-guest sends the flag and reports it', async () => {
  seen.length = 0;
  const { cli, out } = io();
  expect(await run(['signups', 'erase', 'AAAAAAAAAAAAAAAAAAAAAAAA', '--delete-guest'], cli)).toBe(0);
  expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
    'DELETE /api/admin/signups/AAAAAAAAAAAAAAAAAAAAAAAA?deleteGuest=true',
  ]);
  expect(out.join('\n')).toContain('deleted its guest account');
});

test('a wrong key exits 1 with "check RMS_SIGNUP_ADMIN_KEY"; the default key is dev-function-key', async () => {
  seen.length = 0;
  const { cli, err } = io({ RMS_SIGNUP_URL: base });
  expect(await run(['stats'], cli)).toBe(1);
  expect(seen[0]?.key).toBe('dev-function-key');
  expect(err.join('\n')).toMatch(
    /^401 unauthorized: A valid function key is required\.\n.*with ADMIN_AUTH=key check RMS_SIGNUP_ADMIN_KEY/,
  );
});

test('an unreachable app and a usage error say so (exit 1 and 2)', async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));
  const { cli, err } = io({ RMS_SIGNUP_URL: deadUrl });
  expect(await run(['stats'], cli)).toBe(1);
  expect(err.join('\n').startsWith(`Cannot reach ${deadUrl} (`)).toBe(true);
  const usage = io();
  expect(await run(['signups', 'show'], usage.cli)).toBe(2);
  expect(usage.err.join('\n')).toMatch(/needs exactly one sign-up id[\s\S]*Usage: npm run admin/);
});
