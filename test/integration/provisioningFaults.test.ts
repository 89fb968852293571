/**
 * Provisioning against the Graph emulator over real HTTP, through the dev host and real queues, with the
 * Graph faults of req 50–52 and 57: throttling, replication lag, duplicate deliveries and a permanent failure.
 */
import { QueueClient } from '@azure/storage-queue';

import { QUEUES } from '../../shared/storageNames';
import {
  ACCESS_GROUP,
  ADMIN_KEY,
  api,
  codeIn,
  startTestStack,
  type TestStack,
  waitFor,
} from '../support/stack';

jest.setTimeout(120_000);

let stack: TestStack;
beforeAll(async () => {
  // Fast redelivery so the poison path takes seconds: 1 s visibility timeout, 5 dequeues.
  stack = await startTestStack(
    { PARTNER_GROUP_IDS: ACCESS_GROUP },
    { queues: { visibilityTimeout: '00:00:01', maxPollingInterval: '00:00:00.200' } },
  );
  // fabrikam.com is a partner: its guests also join a group, so the group add meets the faults too.
  const policy = await api(
    stack,
    'PUT',
    '/api/admin/policy',
    { signupsPaused: false, partners: [{ domain: 'fabrikam.com', groupIds: [ACCESS_GROUP] }] },
    { 'x-functions-key': ADMIN_KEY },
  );
  expect(policy.status).toBe(200);
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(async () => {
  await fetch(`${stack.graph.url}/_emulator/faults`, { method: 'DELETE' });
  await fetch(`${stack.graph.url}/_emulator/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ writeLimit: null, replicationLagMs: 0 }),
  });
});

let n = 0;
const newAddress = () => `prov.${Date.now().toString(36)}.${n++}@fabrikam.com`;
const emulator = async (method: string, path: string, body?: unknown) =>
  fetch(`${stack.graph.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function verified(email: string): Promise<string> {
  const started = await api(stack, 'POST', '/api/signups', { email });
  const mail = await stack.smtp.waitFor((m) => m.to.includes(email), 10_000);
  const res = await api(stack, 'POST', `/api/signups/${started.json.signupId}/verify`, {
    code: codeIn(mail.text),
  });
  expect(res.status).toBe(200);
  return started.json.signupId as string;
}

const finished = (signupId: string, timeoutMs = 60_000) =>
  waitFor(
    async () => {
      const s = await api(stack, 'GET', `/api/signups/${signupId}`);
      return ['ready', 'failed'].includes(s.json.status) ? s.json : undefined;
    },
    timeoutMs,
    'the flow to finish',
  );

async function graphRequests(): Promise<
  Array<{ method: string; path: string; status: number; time: string }>
> {
  return (await (await emulator('GET', '/_emulator/requests')).json()) as never;
}
const usersWith = async (email: string) =>
  ((await (await emulator('GET', `/v1.0/users?$filter=mail eq '${email}'`)).json()) as { value: unknown[] })
    .value;

test('a new partner guest costs exactly 3 Graph requests: lookup, invitation, group add', async () => {
  const email = newAddress();
  const signupId = await verified(email);
  await emulator('DELETE', '/_emulator/requests');
  const before = (await graphRequests()).length;
  await finished(signupId);
  // The managed group's existence check is once per process (first use), not per guest.
  const during = (await graphRequests())
    .slice(before)
    .filter(
      (r) => r.path.startsWith('/v1.0/') && !(r.method === 'GET' && r.path.startsWith('/v1.0/groups/')),
    );
  expect(during.map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, '{id}')}`)).toEqual([
    'GET /v1.0/users',
    'POST /v1.0/invitations',
    'POST /v1.0/groups/{id}/members/$ref',
  ]);
});

test('Graph 429 with Retry-After 2 → no retry before 2 s, then one guest', async () => {
  const email = newAddress();
  await emulator('POST', '/_emulator/faults', {
    method: 'POST',
    path: '/v1.0/invitations',
    status: 429,
    times: 1,
    retryAfterSeconds: 2,
  });
  const signupId = await verified(email);
  expect(await finished(signupId)).toMatchObject({ status: 'ready', outcome: 'guest_created' });
  const invitations = (await graphRequests()).filter(
    (r) => r.method === 'POST' && r.path === '/v1.0/invitations',
  );
  const at = invitations.findIndex((r) => r.status === 429);
  const throttled = invitations[at];
  const next = invitations.slice(at + 1).find((r) => r.status === 201);
  expect(throttled && next).toBeTruthy();
  expect(Date.parse(next!.time) - Date.parse(throttled!.time)).toBeGreaterThanOrEqual(2000);
  expect(await usersWith(email)).toHaveLength(1);
});

test('replication lag of 3 s → the group add still succeeds', async () => {
  await emulator('POST', '/_emulator/config', { replicationLagMs: 3000 });
  const email = newAddress();
  const signupId = await verified(email);
  expect(await finished(signupId)).toMatchObject({ status: 'ready', outcome: 'guest_created' });
});

test('the same provisioning message delivered 10 times at once → one guest', async () => {
  const email = newAddress();
  await emulator('POST', '/_emulator/faults', {
    method: 'POST',
    path: '/v1.0/invitations',
    status: 503,
    times: 1,
    retryAfterSeconds: 1,
  });
  const signupId = await verified(email);
  const queue = new QueueClient(stack.azurite.connectionString, QUEUES.provision);
  const body = Buffer.from(JSON.stringify({ signupId })).toString('base64');
  await Promise.all(Array.from({ length: 10 }, () => queue.sendMessage(body)));
  await finished(signupId);
  await new Promise((r) => setTimeout(r, 2000)); // let every copy run
  expect(await usersWith(email)).toHaveLength(1);
});

test('a permanent Graph 500 → flow failed with a reason, signup_failed email, message in the poison queue', async () => {
  const email = newAddress();
  await emulator('POST', '/_emulator/faults', {
    method: 'POST',
    path: '/v1.0/invitations',
    status: 500,
    times: 100,
  });
  const signupId = await verified(email);
  const result = await finished(signupId, 60_000);
  expect(result).toMatchObject({ status: 'failed', supportContact: stack.settings.SUPPORT_CONTACT });
  await stack.smtp.waitFor((m) => m.to.includes(email) && !/\b\d{6}\b/.test(m.subject), 20_000);
  expect(await usersWith(email)).toHaveLength(0);
  expect(stack.logs.some((l) => l.includes('poison_message'))).toBe(true);
});
