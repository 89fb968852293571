/** Abuse cases from the security requirements, at the service level with a fixed clock (req 8, 9, 16, 44). */
import { isAppError } from '../../shared/errors';
import { uniqueEmail } from '../support/builders';
import { testWorld } from '../support/testWorld';

/** A started flow whose code email went out, and a verify that answers `ok` or the error code. */
async function flowWithCode() {
  const world = testWorld();
  const email = uniqueEmail();
  const { signupId } = await world.signupService.start(
    { email, ip: '203.0.113.1', correlationId: 'c' },
    world.log,
  );
  await world.deliverEmails();
  const answer = (code: string, ip = '203.0.113.1') =>
    world.signupService.verify({ signupId, code, ip }, world.log).then(
      () => 'ok',
      (e: unknown) => (isAppError(e) ? e.code : 'unexpected'),
    );
  return { world, signupId, code: world.latestCode(email), answer };
}

test('10^4 wrong codes against one flow from 10^4 IPs → zero successes; the flow locks after 10 failures (req 9)', async () => {
  const { world, signupId, code, answer } = await flowWithCode();
  const outcomes = new Map<string, number>();
  for (let i = 0; i < 10_000; i++) {
    const guess = String(i).padStart(6, '0');
    if (guess === code) continue;
    const outcome = await answer(guess, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  expect(outcomes.get('ok')).toBeUndefined();
  expect(outcomes.get('invalid_code')).toBe(10);
  expect(outcomes.get('unexpected')).toBeUndefined();
  const flow = (await world.signups.get(signupId))!.value;
  expect(flow).toMatchObject({ status: 'expired', failedSubmissions: 10 });
  // Even the right code cannot open a locked flow.
  expect(await answer(code)).toBe('signup_not_found');
  expect(world.audit.types(signupId).filter((t) => t === 'locked')).toHaveLength(1);
});

test('a code locks after 5 submissions: 5 wrong codes, then even the right one fails (req 8)', async () => {
  const { world, signupId, code, answer } = await flowWithCode();
  const wrong = code === '000000' ? '000001' : '000000';
  for (let i = 0; i < 5; i++) expect(await answer(wrong)).toBe('invalid_code');
  expect(await answer(code)).toBe('invalid_code');
  expect((await world.signups.get(signupId))!.value.status).toBe('pending_verification');
});

test('30 verifies per minute per IP: the 31st is rate limited before any flow is touched (req 16)', async () => {
  const world = testWorld();
  const email = uniqueEmail();
  const { signupId } = await world.signupService.start(
    { email, ip: '203.0.113.1', correlationId: 'c' },
    world.log,
  );
  const codes = [];
  for (let i = 0; i < 31; i++) {
    codes.push(
      await world.signupService
        .verify({ signupId: 'x'.repeat(24), code: '000000', ip: '198.51.100.9' }, world.log)
        .then(
          () => 'ok',
          (e: unknown) => (isAppError(e) ? e.code : 'unexpected'),
        ),
    );
  }
  expect(codes.slice(0, 30).every((c) => c === 'signup_not_found')).toBe(true);
  expect(codes[30]).toBe('rate_limited');
  expect((await world.signups.get(signupId))!.value.failedSubmissions).toBe(0);
});

test('log scrub: a whole journey logs no code, no full address and no secret (req 44)', async () => {
  const world = testWorld();
  const email = uniqueEmail('fabrikam.com');
  const signupId = await world.verifiedSignup(email);
  const code = world.latestCode(email);
  await world.deliverProvisioning();
  await world.deliverEmails();
  const everything = [
    ...world.sink.lines,
    JSON.stringify(world.audit.events),
    JSON.stringify(world.queue.sent),
  ].join('\n');
  expect(everything).toContain(signupId);
  expect(everything).not.toContain(code);
  expect(everything.toLowerCase()).not.toContain(email.toLowerCase());
  expect(everything).not.toContain(world.settings.secret);
});
