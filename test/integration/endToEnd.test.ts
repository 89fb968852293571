/**
 * The compiled app on the dev host with Azurite, a real SMTP server and the Graph emulator over HTTP:
 * one sign-up end to end (docs/DESIGN.md §1): start, code email, verify, provisioning, ready.
 */
import { api, codeIn, startTestStack, type TestStack, waitFor } from '../support/stack';

jest.setTimeout(180_000);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

let counter = 0;
const newAddress = () => `e2e.${Date.now().toString(36)}.${counter++}@fabrikam.com`;

async function signUp(email: string) {
  const started = await api(stack, 'POST', '/api/signups', { email, locale: 'en' });
  expect(started.status).toBe(202);
  const signupId = started.json.signupId as string;
  const mail = await stack.smtp.waitFor((m) => m.to.includes(email) && /code/i.test(m.subject), 10_000);
  return { signupId, mail, code: codeIn(mail.text) };
}

async function untilFinished(signupId: string) {
  return waitFor(
    async () => {
      const s = await api(stack, 'GET', `/api/signups/${signupId}`);
      return ['ready', 'failed'].includes(s.json.status) ? s.json : undefined;
    },
    60_000,
    'the flow to finish',
  );
}

const graphUsers = async (email: string) => {
  const res = await fetch(`${stack.graph.url}/v1.0/users?$filter=mail eq '${email}'`, {
    headers: { authorization: 'Bearer test' },
  });
  return ((await res.json()) as { value: Array<{ id: string; userType: string }> }).value;
};

test('a new address: code email over SMTP → verify → one guest, in no group (exactly 2 Graph requests: lookup, invitation) → ready with the redeem link → account email saying files protected for the address open', async () => {
  const email = newAddress();
  const { signupId, mail, code } = await signUp(email);
  expect(mail.subject).toContain(code);
  expect(mail.messageId).toMatch(/@/);
  await fetch(`${stack.graph.url}/_emulator/requests`, { method: 'DELETE' });

  const verified = await api(stack, 'POST', `/api/signups/${signupId}/verify`, { code });
  expect(verified).toMatchObject({ status: 200, json: { signupId, status: 'verified' } });

  const done = await untilFinished(signupId);
  expect(done).toMatchObject({ status: 'ready', outcome: 'guest_created' });
  expect(done.signInUrl).toContain(stack.graph.url);
  const log = (await (await fetch(`${stack.graph.url}/_emulator/requests`)).json()) as Array<{
    method: string;
    path: string;
  }>;
  expect(log.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1.0/users', 'POST /v1.0/invitations']);
  expect(await graphUsers(email)).toHaveLength(1);
  const ready = await stack.smtp.waitFor(
    (m) => m.to.includes(email) && m.text.includes(done.signInUrl as string),
    15_000,
  );
  expect(ready.text).toContain('protected for your email address');
});

test('existing guest → existing_guest without a new object; existing member → existing_member, nothing created', async () => {
  const guest = newAddress();
  const member = newAddress();
  const seed = (body: unknown) =>
    fetch(`${stack.graph.url}/_emulator/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  expect((await seed({ userType: 'Guest', mail: guest })).status).toBeLessThan(300);
  expect((await seed({ userType: 'Member', mail: member })).status).toBeLessThan(300);
  for (const [email, outcome] of [
    [guest, 'existing_guest'],
    [member, 'existing_member'],
  ] as const) {
    const { signupId, code } = await signUp(email);
    expect((await api(stack, 'POST', `/api/signups/${signupId}/verify`, { code })).status).toBe(200);
    expect(await untilFinished(signupId)).toMatchObject({ status: 'ready', outcome });
    expect(await graphUsers(email)).toHaveLength(1);
  }
});

test('Graph answers 503 three times on invitations → still exactly one guest', async () => {
  const email = newAddress();
  await fetch(`${stack.graph.url}/_emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      method: 'POST',
      path: '/v1.0/invitations',
      status: 503,
      times: 3,
      retryAfterSeconds: 1,
    }),
  });
  const { signupId, code } = await signUp(email);
  await api(stack, 'POST', `/api/signups/${signupId}/verify`, { code });
  expect(await untilFinished(signupId)).toMatchObject({ status: 'ready', outcome: 'guest_created' });
  expect(await graphUsers(email)).toHaveLength(1);
});

test('SMTP down for 30 s → every code email is delivered once it is back', async () => {
  const emails = [newAddress(), newAddress(), newAddress()];
  await stack.smtp.pause('refuse');
  for (const email of emails) expect((await api(stack, 'POST', '/api/signups', { email })).status).toBe(202);
  await new Promise((r) => setTimeout(r, 30_000));
  expect(stack.smtp.messages.filter((m) => emails.some((e) => m.to.includes(e)))).toHaveLength(0);
  await stack.smtp.resume();
  for (const email of emails) {
    const mail = await stack.smtp.waitFor((m) => m.to.includes(email), 60_000);
    expect(codeIn(mail.text)).toMatch(/^\d{6}$/);
  }
  await new Promise((r) => setTimeout(r, 1000));
  for (const email of emails) expect(stack.smtp.messages.filter((m) => m.to.includes(email))).toHaveLength(1);
});

test('health answers 200 once storage is reachable', async () => {
  const res = await api(stack, 'GET', '/api/health');
  expect(res).toMatchObject({ status: 200, json: { status: 'ok' } });
  expect(res.headers.get('cache-control')).toBe('no-store');
});
