/**
 * The guest lifecycle through the dev host (compiled app, Azurite, SMTP catcher, Graph emulator over
 * HTTP): leave and reset on the one verified flow, redemption reminders, expiry with renewal, all driven by
 * the `guestLifecycle` timer fired with `POST /admin/functions/guestLifecycle` and the dev host's settable
 * clock (`POST /admin/clock`). Must-hold points of the guest-lifecycle issue, one test each.
 */
import { TableClient } from '@azure/data-tables';

import { TABLES } from '../../shared/storageNames';
import { ADMIN_KEY, api, codeIn, startTestStack, type TestStack, waitFor } from '../support/stack';

jest.setTimeout(300_000);

const DAY = 86_400_000;
const key = { 'x-functions-key': ADMIN_KEY };
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ RECIPIENT_EMAILS_PER_MINUTE: '10', IP_STARTS_PER_MINUTE: '1000' });
});
afterAll(async () => {
  await stack?.stop();
});

let counter = 0;
const newAddress = () => `life.${Date.now().toString(36)}.${counter++}@fabrikam.com`;

const emulator = (path: string, body?: unknown) =>
  fetch(`${stack.graph.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function graphUser(id: string) {
  const res = await emulator(`/v1.0/users/${id}?$select=id,accountEnabled,externalUserState`);
  return res.status === 404 ? undefined : ((await res.json()) as { id: string; accountEnabled: boolean });
}

const mailsTo = (email: string) => stack.smtp.messages.filter((m) => m.to.includes(email));

/** Start (with an intent) → code email → verify → the finished status. */
async function verified(email: string, intent?: 'join' | 'leave' | 'reset') {
  const before = mailsTo(email).length;
  const started = await api(stack, 'POST', '/api/signups', {
    email,
    locale: 'en',
    ...(intent ? { intent } : {}),
  });
  expect(started.status).toBe(202);
  const signupId = started.json.signupId as string;
  const mail = await stack.smtp.waitFor(
    (m) => m.to.includes(email) && /code/i.test(m.subject) && mailsTo(email).indexOf(m) >= before,
    15_000,
  );
  expect(
    (await api(stack, 'POST', `/api/signups/${signupId}/verify`, { code: codeIn(mail.text) })).status,
  ).toBe(200);
  const done = await waitFor(
    async () => {
      const s = await api(stack, 'GET', `/api/signups/${signupId}`);
      return ['ready', 'failed'].includes(s.json.status) ? s.json : undefined;
    },
    60_000,
    'the flow to finish',
  );
  return { signupId, mail, done };
}

async function joined(email = newAddress()) {
  const { done } = await verified(email);
  expect(done.outcome).toBe('guest_created');
  const users = (await (await emulator(`/v1.0/users?$filter=mail eq '${email}'`)).json()) as {
    value: { id: string }[];
  };
  return { email, id: users.value[0]!.id, redeemUrl: done.signInUrl as string };
}

/**
 * Each test starts `base` days ahead and only moves the clock forward from there: time never runs
 * backwards for the app (budgets and rate windows hold events at the times they happened).
 */
let base = 0;
let latest = 0;
async function setClock(offsetDays: number) {
  latest = Math.max(latest, base + offsetDays);
  const res = await api(stack, 'POST', '/admin/clock', { offsetMs: (base + offsetDays) * DAY }, key);
  expect(res.status).toBe(200);
}

/** Fires the timer like the platform's admin API and waits until that run has finished. */
async function runLifecycle() {
  const done = () => stack.logs.filter((l) => /Executed 'Functions\.guestLifecycle'/.test(l)).length;
  const before = done();
  const res = await api(stack, 'POST', '/admin/functions/guestLifecycle', {}, key);
  expect(res.status).toBe(202);
  await waitFor(async () => (done() > before ? true : undefined), 60_000, 'the lifecycle run');
}

async function guestDetail(id: string) {
  return (await api(stack, 'GET', `/api/admin/guests/${id}`, undefined, key)).json as {
    guest: { state: string; expiresAt?: string };
    events: { type: string }[];
  };
}

/** Every entity of every table, as text. */
async function allRows(): Promise<string> {
  const rows: unknown[] = [];
  for (const table of Object.values(TABLES)) {
    const client = TableClient.fromConnectionString(stack.azurite.connectionString, table, {
      allowInsecureConnection: true,
    });
    for await (const entity of client.listEntities()) rows.push(entity);
  }
  return JSON.stringify(rows);
}

afterEach(async () => {
  base = Math.ceil(latest) + 1;
  await setClock(0);
  if (process.env.LIFECYCLE_DEBUG)
    console.log(
      stack.logs
        .filter((l) => !/^(debug|trace)/.test(l))
        .slice(-80)
        .join('\n'),
    );
});

test('leave deletes only the guest we created; afterwards no table row holds the address or its hash', async () => {
  const { email, id } = await joined();
  const rowsBefore = await allRows();
  const hash = /"addressKey":"([^"]+)"/.exec(rowsBefore)?.[1];
  expect(hash).toBeDefined();
  const { done } = await verified(email, 'leave');
  expect(done).toMatchObject({ status: 'ready', outcome: 'guest_removed' });
  expect(await graphUser(id)).toBeUndefined();
  const rows = await allRows();
  expect(rows).not.toContain(email);
  expect(rows).not.toContain(hash!);
  expect((await api(stack, 'GET', `/api/admin/guests/${id}`, undefined, key)).status).toBe(404);
});

test('leave for a guest we did not create, or a member → not_managed with the support contact, nothing deleted', async () => {
  const guest = newAddress();
  const member = newAddress();
  const seeded = [];
  for (const [mail, userType] of [
    [guest, 'Guest'],
    [member, 'Member'],
  ] as const)
    seeded.push((await (await emulator('/_emulator/users', { userType, mail })).json()) as { id: string });
  for (const email of [guest, member]) {
    const { done } = await verified(email, 'leave');
    expect(done).toMatchObject({ outcome: 'not_managed', supportContact: expect.any(String) });
  }
  for (const user of seeded) expect(await graphUser(user.id)).toBeDefined();
});

test('start answers are identical for every intent and every kind of address (no enumeration)', async () => {
  const ours = await joined();
  const member = newAddress();
  await emulator('/_emulator/users', { userType: 'Member', mail: member });
  const shapes = new Set<string>();
  for (const email of [ours.email, member, newAddress()])
    for (const intent of ['join', 'leave', 'reset']) {
      const res = await api(stack, 'POST', '/api/signups', { email, intent });
      const headers = Object.keys(Object.fromEntries(res.headers as unknown as Iterable<[string, string]>))
        .filter((h) => h !== 'date')
        .sort();
      shapes.add(JSON.stringify([res.status, Object.keys(res.json).sort(), res.json.status, headers]));
    }
  expect(shapes.size).toBe(1);
});

test('reset gives a new redeem URL from the emulator, on the status and in the email; the guest is pending again', async () => {
  const { email, id, redeemUrl } = await joined();
  await emulator(`/_emulator/users/${id}/state`, { externalUserState: 'Accepted' });
  const { done } = await verified(email, 'reset');
  expect(done).toMatchObject({ status: 'ready', outcome: 'redemption_reset' });
  expect(done.signInUrl).not.toBe(redeemUrl);
  expect(done.signInUrl).toContain(stack.graph.url);
  await stack.smtp.waitFor((m) => m.to.includes(email) && m.text.includes(done.signInUrl as string), 15_000);
  const user = (await (await emulator(`/v1.0/users/${id}?$select=externalUserState`)).json()) as {
    externalUserState: string;
  };
  expect(user.externalUserState).toBe('PendingAcceptance');
  const requests = (await (await emulator('/_emulator/requests')).json()) as {
    method: string;
    path: string;
  }[];
  expect(requests.some((r) => r.method === 'POST' && r.path === '/v1.0/invitations')).toBe(true);
});

test('reminders: exactly 2 for a guest who never redeems, 0 after redemption', async () => {
  const never = await joined();
  const redeemed = await joined();
  await emulator(`/_emulator/users/${redeemed.id}/state`, { externalUserState: 'Accepted' });
  const reminders = (email: string) => mailsTo(email).filter((m) => /Reminder/.test(m.subject));
  for (let day = 1; day <= 14; day++) {
    await setClock(day);
    await runLifecycle();
  }
  expect(reminders(never.email)).toHaveLength(2);
  expect(reminders(redeemed.email)).toHaveLength(0);
  expect(reminders(never.email)[0]!.text).not.toEqual(reminders(never.email)[1]!.text);
  const events = (await guestDetail(never.id)).events.map((e) => e.type);
  expect(events.filter((t) => t === 'guest_reminded')).toHaveLength(2);
  expect((await guestDetail(redeemed.id)).guest.state).toBe('active');
});

test('expiry: notice at the notice date, disabled at the end, deleted after the grace period; a renewal in between moves the end', async () => {
  const expiring = await joined();
  const renewing = await joined();
  for (const g of [expiring, renewing])
    await emulator(`/_emulator/users/${g.id}/state`, { externalUserState: 'Accepted' });
  const notices = (email: string) => mailsTo(email).filter((m) => /ends on/.test(m.subject));

  await setClock(350);
  await runLifecycle();
  expect(notices(expiring.email)).toHaveLength(0);
  await setClock(351);
  await runLifecycle();
  expect(notices(expiring.email)).toHaveLength(1);
  expect(notices(renewing.email)).toHaveLength(1);
  expect(notices(expiring.email)[0]!.text).toContain('#renew=');

  await setClock(355);
  await verified(renewing.email); // renewing is a verified join
  expect(Date.parse((await guestDetail(renewing.id)).guest.expiresAt!)).toBeGreaterThan(
    Date.now() + 700 * DAY,
  );

  await setClock(365.1);
  await runLifecycle();
  expect((await graphUser(expiring.id))?.accountEnabled).toBe(false);
  expect((await graphUser(renewing.id))?.accountEnabled).toBe(true);

  await setClock(395.2);
  await runLifecycle();
  expect(await graphUser(expiring.id)).toBeUndefined();
  expect((await graphUser(renewing.id))?.accountEnabled).toBe(true);

  const trail = (await guestDetail(expiring.id)).events.map((e) => e.type);
  for (const step of [
    'guest_created',
    'guest_redeemed',
    'guest_renewal_notice',
    'guest_disabled',
    'guest_deleted',
  ])
    expect(trail).toContain(step);
  expect((await guestDetail(renewing.id)).events.map((e) => e.type)).toContain('guest_renewed');
});

test('a host killed mid-run: the next run finishes the job, every step audited exactly once', async () => {
  const guests = [];
  for (let i = 0; i < 6; i++) guests.push(await joined());
  for (const g of guests) await emulator(`/_emulator/users/${g.id}/state`, { externalUserState: 'Accepted' });
  // Slow account updates, so the kill lands in the middle of the run.
  await emulator('/_emulator/faults', { method: 'PATCH', path: '/v1.0/users/*', delayMs: 400, times: 3 });
  await setClock(366);
  await api(stack, 'POST', '/admin/functions/guestLifecycle', {}, key);
  await new Promise((r) => setTimeout(r, 600));
  await stack.restartHost();
  await setClock(366);
  // The killed run may still be finishing (this host runs in-process): a guest it raced is left for
  // the next run, never done twice.
  await runLifecycle();
  await runLifecycle();
  for (const g of guests) {
    expect((await graphUser(g.id))?.accountEnabled).toBe(false);
    const events = (await guestDetail(g.id)).events.filter((e) => e.type === 'guest_disabled');
    expect(events).toHaveLength(1);
  }
});

test('the admin list shows guests by state without addresses; stats count them', async () => {
  const { email, id } = await joined();
  const list = await api(stack, 'GET', '/api/admin/guests?top=200', undefined, key);
  expect(list.status).toBe(200);
  expect(JSON.stringify(list.json)).not.toContain(email);
  const stats = await api(stack, 'GET', '/api/admin/stats', undefined, key);
  expect(stats.json.guests.pending_acceptance).toBeGreaterThanOrEqual(1);
  const detail = await guestDetail(id);
  expect(detail.guest.state).toBe('pending_acceptance');
});
