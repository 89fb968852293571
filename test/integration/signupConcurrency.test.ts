/** The sign-up service on real Table Storage semantics (Azurite): races are settled by ETags. */
import { TableRateLimiter } from '../../shared/adapters/tableRateLimiter';
import { TableAddressStore, TableSignupStore } from '../../shared/adapters/tableStores';
import { isAppError } from '../../shared/errors';
import { QUEUES } from '../../shared/storageNames';
import { uniqueEmail } from '../support/builders';
import { freshTable } from '../support/azurite';
import { testWorld } from '../support/testWorld';

async function azuriteWorld() {
  return testWorld({
    signups: new TableSignupStore(await freshTable('signups')),
    addresses: new TableAddressStore(await freshTable('addresses')),
    limiter: new TableRateLimiter(await freshTable('limits')),
    settings: { ipVerifiesPerMinute: 10_000, ipStartsPerMinute: 10_000, ipStartsPerHour: 10_000 },
  });
}

async function startedFlow(world: Awaited<ReturnType<typeof azuriteWorld>>) {
  const email = uniqueEmail();
  const { signupId } = await world.signupService.start(
    { email, ip: '203.0.113.9', correlationId: 'c' },
    world.log,
  );
  await world.deliverEmails();
  return { signupId, email, code: world.latestCode(email) };
}

const outcomeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (isAppError(e) ? e.code : `unexpected:${String(e)}`),
  );

describe('sign-up on Azurite', () => {
  test('50 parallel correct verifies → exactly one success and one provisioning message (req 10)', async () => {
    const world = await azuriteWorld();
    const { signupId, code } = await startedFlow(world);
    const outcomes = await Promise.all(
      // One client address each, so the race is on the flow's ETag, not on one hot rate-limit key.
      Array.from({ length: 50 }, (_, i) =>
        outcomeOf(world.signupService.verify({ signupId, code, ip: `203.0.113.${i}` }, world.log)),
      ),
    );
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'ok').every((o) => o === 'already_verified')).toBe(true);
    expect(world.queue.on(QUEUES.provision)).toEqual([{ signupId }]);
  });

  test('50 parallel wrong submissions: exactly 10 are counted, then the flow is locked (req 9, 10)', async () => {
    const world = await azuriteWorld();
    const { signupId, code } = await startedFlow(world);
    const wrong = code === '000000' ? '111111' : '000000';
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        outcomeOf(world.signupService.verify({ signupId, code: wrong, ip: `203.0.113.${i}` }, world.log)),
      ),
    );
    const flow = (await world.signups.get(signupId))!.value;
    expect(flow.failedSubmissions).toBe(10);
    expect(flow.status).toBe('expired');
    expect(outcomes.filter((o) => o === 'invalid_code')).toHaveLength(10);
    expect(outcomes.filter((o) => o === 'signup_not_found')).toHaveLength(40);
    expect(
      await outcomeOf(world.signupService.verify({ signupId, code, ip: '203.0.113.9' }, world.log)),
    ).toBe('signup_not_found');
  });

  test('the 6th submission fails even when correct; a replayed correct code fails (req 4, 8)', async () => {
    const world = await azuriteWorld();
    const first = await startedFlow(world);
    const wrong = first.code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) {
      expect(
        await outcomeOf(
          world.signupService.verify({ signupId: first.signupId, code: wrong, ip: 'x' }, world.log),
        ),
      ).toBe('invalid_code');
    }
    expect(
      await outcomeOf(
        world.signupService.verify({ signupId: first.signupId, code: first.code, ip: 'x' }, world.log),
      ),
    ).toBe('invalid_code');

    const second = await startedFlow(world);
    expect(
      await outcomeOf(
        world.signupService.verify({ signupId: second.signupId, code: second.code, ip: 'x' }, world.log),
      ),
    ).toBe('ok');
    expect(
      await outcomeOf(
        world.signupService.verify({ signupId: second.signupId, code: second.code, ip: 'x' }, world.log),
      ),
    ).toBe('already_verified');
  });

  test('a newer start for the same address supersedes the older flow’s code (req 6)', async () => {
    const world = await azuriteWorld();
    const email = uniqueEmail();
    const a = await world.signupService.start({ email, ip: 'x', correlationId: 'c' }, world.log);
    await world.deliverEmails();
    const codeA = world.latestCode(email);
    await world.signupService.start({ email: email.toUpperCase(), ip: 'x', correlationId: 'c' }, world.log);
    expect(
      await outcomeOf(world.signupService.verify({ signupId: a.signupId, code: codeA, ip: 'x' }, world.log)),
    ).toBe('invalid_code');
  });

  test('a burst of 40 starts from one IP with a limit of 10/min → exactly 10 accepted (req 16)', async () => {
    const world = testWorld({
      signups: new TableSignupStore(await freshTable('signups')),
      addresses: new TableAddressStore(await freshTable('addresses')),
      limiter: new TableRateLimiter(await freshTable('limits')),
    });
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () =>
        outcomeOf(
          world.signupService.start(
            { email: uniqueEmail(), ip: '198.51.100.77', correlationId: 'c' },
            world.log,
          ),
        ),
      ),
    );
    // Under contention the limiter fails closed (a start refused for a second), never over the limit.
    const accepted = outcomes.filter((o) => o === 'ok').length;
    expect(accepted).toBeLessThanOrEqual(10);
    expect(outcomes.filter((o) => o !== 'ok').every((o) => o === 'rate_limited')).toBe(true);
    // Without the race, the same minute admits exactly the rest of the 10.
    let more = 0;
    for (;;) {
      const o = await outcomeOf(
        world.signupService.start(
          { email: uniqueEmail(), ip: '198.51.100.77', correlationId: 'c' },
          world.log,
        ),
      );
      if (o !== 'ok') break;
      more++;
    }
    expect(accepted + more).toBe(10);
  });

  test('a rate-limit key under a burst of 50 parallel writers fails closed: never a 500, never over the limit', async () => {
    const limiter = new TableRateLimiter(await freshTable('limits'));
    const limit = [{ name: 'burst', limit: 30, windowSeconds: 60 }];
    const now = new Date();
    const decisions = await Promise.all(
      Array.from({ length: 50 }, () => limiter.consume('hot-key', limit, now).catch((e: unknown) => e)),
    );
    expect(decisions.every((d) => typeof d === 'object' && d !== null && 'allowed' in d)).toBe(true);
    const allowed = decisions.filter((d) => (d as { allowed: boolean }).allowed).length;
    expect(allowed).toBeLessThanOrEqual(30);
    expect(allowed).toBeGreaterThan(0);
  });
});
