/**
 * The access model over HTTP: the compiled app on the dev host with Azurite, the SMTP catcher and the
 * Graph emulator. Partners join exactly their groups, enrolment modes are decided after verification,
 * sponsors decide through /api/approvals/{token}, revocation is durable, and a pause stops resend and
 * verify (security review H1, H3, M2, M3).
 */
import {
  ACCESS_GROUP,
  ADMIN_KEY,
  api,
  codeIn,
  startTestStack,
  type TestStack,
  waitFor,
} from '../support/stack';

jest.setTimeout(180_000);

const APPROVER = 'approver@contoso.com';
const admin = { 'x-functions-key': ADMIN_KEY };

let stack: TestStack;
beforeAll(async () => {
  // Re-sign-ups of one address follow each other at once here: lift the one-code-a-minute cap.
  stack = await startTestStack({
    PARTNER_GROUP_IDS: ACCESS_GROUP,
    RECIPIENT_EMAILS_PER_MINUTE: '10',
    // About 25 starts and emails in a minute from one client: no budget or per-IP limit may be what a test
    // waits on.
    EMAIL_BUDGET_PER_MINUTE: '1000',
    EMAIL_BUDGET_PER_HOUR: '10000',
    IP_STARTS_PER_MINUTE: '1000',
    IP_STARTS_PER_HOUR: '10000',
  });
});
afterAll(async () => {
  await stack?.stop();
});

let counter = 0;
const address = (domain = 'fabrikam.com') => `access.${Date.now().toString(36)}.${counter++}@${domain}`;

async function setPolicy(body: Record<string, unknown>) {
  const res = await api(stack, 'PUT', '/api/admin/policy', { signupsPaused: false, ...body }, admin);
  expect(res.status).toBe(200);
}

interface GraphRequest {
  method: string;
  path: string;
  query: string;
}
const graphLog = async () =>
  (await (await fetch(`${stack.graph.url}/_emulator/requests`)).json()) as GraphRequest[];
const clearGraphLog = () => fetch(`${stack.graph.url}/_emulator/requests`, { method: 'DELETE' });
const writes = (log: GraphRequest[]) => log.filter((r) => r.method !== 'GET');

/** Start → code email → verify → the status the flow settles in (not verified/provisioning). */
async function signUp(email: string) {
  const seen = stack.smtp.messages.length; // a repeat sign-up must read its own, newest code
  const started = await api(stack, 'POST', '/api/signups', { email, locale: 'en' });
  expect(started.status).toBe(202);
  const signupId = started.json.signupId as string;
  const mail = await stack.smtp.waitFor(
    (m) => stack.smtp.messages.indexOf(m) >= seen && m.to.includes(email) && /code/i.test(m.subject),
    15_000,
  );
  const verified = await api(stack, 'POST', `/api/signups/${signupId}/verify`, { code: codeIn(mail.text) });
  expect(verified.status).toBe(200);
  return { signupId, settled: await settled(signupId) };
}

async function settled(signupId: string) {
  return waitFor(
    async () => {
      const s = await api(stack, 'GET', `/api/signups/${signupId}`);
      return ['verified', 'provisioning'].includes(s.json.status as string) ? undefined : s.json;
    },
    60_000,
    'the flow to settle',
  );
}

const membersOf = async (groupId: string) =>
  (
    (await (
      await fetch(`${stack.graph.url}/v1.0/groups/${groupId}/members`, {
        headers: { authorization: 'Bearer t' },
      })
    ).json()) as { value: Array<{ mail: string }> }
  ).value.map((m) => m.mail);

/** The sponsor `GET /api/admin/guests/{objectId}` shows for the guest created for `email`. */
async function sponsorOf(email: string) {
  const users = (await (
    await fetch(`${stack.graph.url}/v1.0/users?$filter=${encodeURIComponent(`mail eq '${email}'`)}`, {
      headers: { authorization: 'Bearer t' },
    })
  ).json()) as { value: Array<{ id: string }> };
  const detail = await api(stack, 'GET', `/api/admin/guests/${users.value[0]!.id}`, undefined, admin);
  expect(detail.status).toBe(200);
  return (detail.json.guest as { sponsor?: string }).sponsor;
}

test('default policy: identity only; a partner address joins exactly its group; a policy naming an unmanaged group is refused', async () => {
  await setPolicy({});
  await clearGraphLog();
  const plain = address('northwindtraders.com');
  expect((await signUp(plain)).settled.status).toBe('ready');
  // The managed groups are checked to exist once per process, at first use: not a per-guest cost.
  const perGuest = (await graphLog()).filter((r) => r.path !== `/v1.0/groups/${ACCESS_GROUP}`);
  expect(perGuest.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1.0/users', 'POST /v1.0/invitations']);
  expect(await sponsorOf(plain)).toBeUndefined();

  await setPolicy({ partners: [{ domain: 'fabrikam.com', groupIds: [ACCESS_GROUP] }] });
  const partner = address('eu.fabrikam.com');
  expect((await signUp(partner)).settled.status).toBe('ready');
  expect(await membersOf(ACCESS_GROUP)).toEqual([partner]);

  const refused = await api(
    stack,
    'PUT',
    '/api/admin/policy',
    {
      signupsPaused: false,
      partners: [{ domain: 'x.com', groupIds: ['33333333-3333-4333-8333-333333333333'] }],
    },
    admin,
  );
  expect(refused).toMatchObject({ status: 400, json: { error: { code: 'invalid_request' } } });
});

test('partners and proof_of_send end not_eligible with an email and no Graph write; a seeded trace within the window admits', async () => {
  await setPolicy({ enrolment: 'partners' });
  await clearGraphLog();
  const stranger = address('northwindtraders.com');
  expect((await signUp(stranger)).settled).toMatchObject({ status: 'not_eligible', reason: 'not_partner' });
  await stack.smtp.waitFor((m) => m.to.includes(stranger) && /partner organisations/.test(m.text), 15_000);
  expect(writes(await graphLog())).toEqual([]);

  await setPolicy({ enrolment: 'proof_of_send', proofOfSendDays: 30 });
  const [recent, old, none] = [address(), address(), address()];
  const seed = (recipientAddress: string, daysAgo: number) =>
    fetch(`${stack.graph.url}/_emulator/message-traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        recipientAddress,
        senderAddress: 'owner@contoso.com',
        status: 'Delivered',
        receivedDateTime: new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
      }),
    });
  expect((await seed(recent, 3)).status).toBe(201);
  expect((await seed(old, 45)).status).toBe(201);
  await clearGraphLog();
  expect((await signUp(recent)).settled.status).toBe('ready');
  expect((await signUp(old)).settled).toMatchObject({ status: 'not_eligible', reason: 'no_recent_mail' });
  expect((await signUp(none)).settled).toMatchObject({ status: 'not_eligible', reason: 'no_recent_mail' });
  const log = await graphLog();
  expect(log.filter((r) => r.path === '/v1.0/admin/exchange/tracing/messageTraces')).toHaveLength(3);
  expect(writes(log).map((r) => r.path)).toEqual(['/v1.0/invitations']);
});

test("approval: the sponsor email links to the page; GETs never decide; approve → ready with the approver as the guest's sponsor, a second decision → 409; deny → not_eligible with an email", async () => {
  await setPolicy({ enrolment: 'approval', approvers: [APPROVER] });
  const tokenFor = async (email: string) => {
    const mail = await stack.smtp.waitFor((m) => m.to.includes(APPROVER) && m.text.includes(email), 15_000);
    return /\/approvals\/([A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{24})/.exec(mail.text)![1]!;
  };
  const a = address('northwindtraders.com');
  const { signupId, settled: waiting } = await signUp(a);
  expect(waiting).toMatchObject({ status: 'pending_approval', decidedBy: 'sponsor' });
  const token = await tokenFor(a);

  for (let i = 0; i < 3; i++) {
    expect((await fetch(`${stack.url}/approvals/${token}`)).status).toBe(200);
    expect(await api(stack, 'GET', `/api/approvals/${token}`)).toMatchObject({
      status: 200,
      json: { email: a, domain: 'northwindtraders.com', status: 'pending' },
    });
  }
  expect((await api(stack, 'GET', `/api/signups/${signupId}`)).json.status).toBe('pending_approval');

  expect(await api(stack, 'POST', `/api/approvals/${token}`, { decision: 'approve' })).toMatchObject({
    status: 200,
    json: { decision: 'approve', signupId },
  });
  expect((await settled(signupId)).status).toBe('ready');
  await stack.smtp.waitFor((m) => m.to.includes(a) && /guest account/.test(m.subject), 15_000);
  expect(await sponsorOf(a)).toBe(APPROVER);
  expect(await api(stack, 'POST', `/api/approvals/${token}`, { decision: 'deny' })).toMatchObject({
    status: 409,
    json: { error: { code: 'already_decided' } },
  });

  const b = address('northwindtraders.com');
  const denied = await signUp(b);
  await api(stack, 'POST', `/api/approvals/${await tokenFor(b)}`, { decision: 'deny' });
  expect(await settled(denied.signupId)).toMatchObject({ status: 'not_eligible', reason: 'denied' });
  await stack.smtp.waitFor((m) => m.to.includes(b) && /did not approve/.test(m.text), 15_000);
  expect(
    await api(stack, 'POST', `/api/approvals/${denied.signupId}.${'A'.repeat(24)}`, { decision: 'approve' }),
  ).toMatchObject({
    status: 404,
    json: { error: { code: 'approval_not_found' } },
  });
});

test('revoke → a new sign-up verifies and ends not_eligible (revoked) with no Graph write; lifting lets it through', async () => {
  await setPolicy({});
  const email = address();
  const revoked = await api(stack, 'POST', '/api/admin/revocations', { email, reason: 'left' }, admin);
  expect(revoked.status).toBe(201);
  const listed = await api(stack, 'GET', '/api/admin/revocations', undefined, admin);
  expect(JSON.stringify(listed.json)).not.toContain(email);
  await clearGraphLog();
  expect((await signUp(email)).settled).toMatchObject({ status: 'not_eligible', reason: 'revoked' });
  expect(writes(await graphLog())).toEqual([]);

  const lifted = await api(
    stack,
    'DELETE',
    `/api/admin/revocations/${revoked.json.emailHash as string}`,
    undefined,
    admin,
  );
  expect(lifted.status).toBe(204);
  expect((await signUp(email)).settled.status).toBe('ready');
});

test('paused mid-flow: resend and verify answer 503 with the reason; after the un-pause the same flow verifies', async () => {
  await setPolicy({});
  const email = address();
  const started = await api(stack, 'POST', '/api/signups', { email, locale: 'en' });
  expect(started.status).toBe(202);
  const signupId = started.json.signupId as string;
  const mail = await stack.smtp.waitFor((m) => m.to.includes(email) && /code/i.test(m.subject), 15_000);
  await setPolicy({ signupsPaused: true, pauseReason: 'Back at noon' });
  for (const [route, body] of [
    [`/api/signups/${signupId}/resend`, {}],
    [`/api/signups/${signupId}/verify`, { code: codeIn(mail.text) }],
  ] as const) {
    expect(await api(stack, 'POST', route, body)).toMatchObject({
      status: 503,
      json: { error: { code: 'signups_paused', detail: 'Back at noon' } },
    });
  }
  await setPolicy({});
  expect(
    (await api(stack, 'POST', `/api/signups/${signupId}/verify`, { code: codeIn(mail.text) })).status,
  ).toBe(200);
  expect((await settled(signupId)).status).toBe('ready');
});

test('paused while messages are queued: provisioning and emails are held, not dropped, and go out after the un-pause; nothing reaches a poison queue', async () => {
  await setPolicy({ enrolment: 'approval', approvers: [APPROVER] });
  const [a, b] = [address('northwindtraders.com'), address('northwindtraders.com')];
  const flows = [await signUp(a), await signUp(b)];
  const tokens = [];
  for (const email of [a, b]) {
    const mail = await stack.smtp.waitFor((m) => m.to.includes(APPROVER) && m.text.includes(email), 15_000);
    tokens.push(/\/approvals\/([A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{24})/.exec(mail.text)![1]!);
  }
  await setPolicy({
    enrolment: 'approval',
    approvers: [APPROVER],
    signupsPaused: true,
    pauseReason: 'Review',
  });
  // The sponsors decide while paused: approve queues provisioning, deny queues the requester's email.
  expect((await api(stack, 'POST', `/api/approvals/${tokens[0]!}`, { decision: 'approve' })).status).toBe(
    200,
  );
  expect((await api(stack, 'POST', `/api/approvals/${tokens[1]!}`, { decision: 'deny' })).status).toBe(200);
  await waitFor(
    () => (stack.logs.some((l) => l.includes('provisioning_held')) ? true : undefined),
    30_000,
    'provisioning to be held',
  );
  const status = async (i: number) => (await api(stack, 'GET', `/api/signups/${flows[i]!.signupId}`)).json;
  expect((await status(0)).status).toBe('verified');
  expect(stack.smtp.messages.some((m) => m.to.includes(b) && /did not approve/.test(m.text))).toBe(false);

  await setPolicy({ enrolment: 'approval', approvers: [APPROVER] });
  expect((await settled(flows[0]!.signupId)).status).toBe('ready');
  await stack.smtp.waitFor((m) => m.to.includes(a) && /guest account/.test(m.subject), 30_000);
  await stack.smtp.waitFor((m) => m.to.includes(b) && /did not approve/.test(m.text), 30_000);
  const depth = async (queue: string) =>
    (await api(stack, 'GET', '/api/admin/stats', undefined, admin)).json.queueDepths[queue] as number;
  expect(await depth('signup-provision-poison')).toBe(0);
  expect(await depth('signup-email-poison')).toBe(0);
});

// Last in this file: it moves the app's clock past the approval TTL, and time never runs backwards for
// the app (budgets and rate windows hold events at the times they happened).
test('approval past APPROVAL_TTL_DAYS: a decision is refused 404 approval_not_found, the flow reads expired and nothing is provisioned', async () => {
  await setPolicy({ enrolment: 'approval', approvers: [APPROVER] });
  const email = address('northwindtraders.com');
  const { signupId, settled: waiting } = await signUp(email);
  expect(waiting).toMatchObject({ status: 'pending_approval', decidedBy: 'sponsor' });
  const mail = await stack.smtp.waitFor((m) => m.to.includes(APPROVER) && m.text.includes(email), 15_000);
  const token = /\/approvals\/([A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{24})/.exec(mail.text)![1]!;
  // The default TTL (7 days) has passed, by a minute.
  const clock = await api(stack, 'POST', '/admin/clock', { offsetMs: 7 * 86_400_000 + 60_000 }, admin);
  expect(clock.status).toBe(200);
  await clearGraphLog();

  for (const decision of ['approve', 'deny']) {
    expect(await api(stack, 'POST', `/api/approvals/${token}`, { decision })).toMatchObject({
      status: 404,
      json: { error: { code: 'approval_not_found' } },
    });
  }
  expect((await api(stack, 'GET', `/api/approvals/${token}`)).status).toBe(404);
  expect((await api(stack, 'GET', `/api/signups/${signupId}`)).json.status).toBe('expired');
  // Give a wrongly queued provisioning message time to be handled before looking for its Graph calls.
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect((await api(stack, 'GET', `/api/signups/${signupId}`)).json.status).toBe('expired');
  expect((await graphLog()).filter((r) => r.path === '/v1.0/invitations')).toEqual([]);
  expect(stack.smtp.messages.some((m) => m.to.includes(email) && /guest account/.test(m.subject))).toBe(
    false,
  );
});
