/**
 * Bounces through the compiled app on the dev host (Azurite, a real SMTP server): an ACS delivery report
 * delivered to the Event Grid function through the host's admin API, and an SMTP relay that refuses a
 * recipient with 550. Either way the address is suppressed, its code email is not sent, the status says
 * undeliverable and admin stats count it.
 */
import { aDeliveryReport } from '../support/builders';
import { ADMIN_KEY, api, startTestStack, type TestStack, waitFor } from '../support/stack';

jest.setTimeout(180_000);

let stack: TestStack;
beforeAll(async () => {
  // A 1 s visibility timeout: a failed email message would be retried within the wait below.
  stack = await startTestStack(
    {},
    { queues: { visibilityTimeout: '00:00:01', maxPollingInterval: '00:00:00.200' } },
  );
});
afterAll(async () => {
  await stack?.stop();
});

let counter = 0;
const newAddress = () => `bounce.${Date.now().toString(36)}.${counter++}@fabrikam.com`;
const admin = { 'x-functions-key': ADMIN_KEY };

const waitUndeliverable = (signupId: string, ms: number) =>
  waitFor(
    async () => {
      const s = await api(stack, 'GET', `/api/signups/${signupId}`);
      return s.json.emailFailed === 'undeliverable' ? s.json : undefined;
    },
    ms,
    `sign-up ${signupId} to say undeliverable`,
  );

async function startAndWaitUndeliverable(email: string) {
  const started = await api(stack, 'POST', '/api/signups', { email, locale: 'en' });
  expect(started.status).toBe(202);
  const status = await waitUndeliverable(started.json.signupId as string, 30_000);
  return { started, status };
}

test('an ACS Bounced report through the Event Grid function: the next code email is not sent, the status says undeliverable, stats count it', async () => {
  const email = newAddress();
  const invoked = await api(
    stack,
    'POST',
    '/admin/functions/emailDeliveryReport',
    {
      input: aDeliveryReport(email, 'Bounced'),
    },
    admin,
  );
  expect(invoked.status).toBe(202);
  await waitFor(
    () => stack.logs.find((l) => /Executed 'Functions\.emailDeliveryReport' \(Succeeded/.test(l)),
    10_000,
    'the delivery report to be handled',
  );

  const { started, status } = await startAndWaitUndeliverable(email);
  // The start answer is the one any address gets (no enumeration): same status, same fields.
  const control = await api(stack, 'POST', '/api/signups', { email: newAddress(), locale: 'en' });
  expect(started.status).toBe(control.status);
  expect(Object.keys(started.json).sort()).toEqual(Object.keys(control.json).sort());
  expect(status.status).toBe('pending_verification');
  expect(stack.smtp.messages.filter((m) => m.envelopeTo.includes(email))).toHaveLength(0);
  expect(stack.smtp.rcptAttempts.get(email)).toBeUndefined();

  const stats = await api(stack, 'GET', '/api/admin/stats', undefined, admin);
  expect(stats.status).toBe(200);
  expect(stats.json.emailBounces.lastHour).toBeGreaterThanOrEqual(1);
  expect(stats.json.emailBounces.suppressed).toBeGreaterThanOrEqual(1);
});

test('an SMTP 550 for the recipient: suppressed after one attempt, no retries, no poison message', async () => {
  const email = newAddress();
  stack.smtp.rejectRecipient(email, 550);
  const before = (await api(stack, 'GET', '/api/admin/stats', undefined, admin)).json.emailBounces;

  await startAndWaitUndeliverable(email);
  // Long enough for a retried queue message to come back (1 s visibility timeout above).
  await new Promise((r) => setTimeout(r, 3000));
  expect(stack.smtp.rcptAttempts.get(email)).toBe(1);

  const after = (await api(stack, 'GET', '/api/admin/stats', undefined, admin)).json;
  expect(after.emailBounces.suppressed).toBe(before.suppressed + 1);
  expect(after.emailBounces.lastHour).toBe(before.lastHour + 1);
  expect(after.queueDepths['signup-email-poison']).toBe(0);

  // A second sign-up for it is not even tried.
  await startAndWaitUndeliverable(email);
  expect(stack.smtp.rcptAttempts.get(email)).toBe(1);
});

test('a Bounced report for the code just sent: the sign-up waiting for it says undeliverable', async () => {
  const email = newAddress();
  const started = await api(stack, 'POST', '/api/signups', { email, locale: 'en' });
  expect(started.status).toBe(202);
  const signupId = started.json.signupId as string;
  await waitFor(
    () => stack.smtp.messages.find((m) => m.envelopeTo.includes(email)),
    20_000,
    'the code email',
  );
  const before = await api(stack, 'GET', `/api/signups/${signupId}`);
  expect(before.json.emailFailed).toBeUndefined();

  const invoked = await api(
    stack,
    'POST',
    '/admin/functions/emailDeliveryReport',
    { input: aDeliveryReport(email, 'Bounced') },
    admin,
  );
  expect(invoked.status).toBe(202);
  const status = await waitUndeliverable(signupId, 10_000);
  expect(status.status).toBe('pending_verification');
});
