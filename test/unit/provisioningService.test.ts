import { TransientError } from '../../shared/errors';
import { GRAPH_BUDGET_KEY, graphWriteLimits } from '../../shared/services/graphBudget';
import { repairStuckFlows } from '../../shared/services/stuckFlows';
import { QUEUES } from '../../shared/storageNames';
import { emptyPolicy, InMemoryRateLimiter } from '../support/fakes';
import { uniqueEmail } from '../support/builders';
import { PARTNER_GROUP, testWorld } from '../support/testWorld';

/** fabrikam.com is a partner whose verified addresses join PARTNER_GROUP. */
function withPartner(world: ReturnType<typeof testWorld>): void {
  world.policy.policy = emptyPolicy({
    access: {
      enrolment: 'open',
      proofOfSendDays: 30,
      approvers: [],
      partners: [{ domain: 'fabrikam.com', groupIds: [PARTNER_GROUP], sponsors: [] }],
    },
  });
}

describe('provisioning service', () => {
  test('default policy: a new address → one guest invited without Microsoft mail, in no group (2 Graph requests), ready with the redeem link', async () => {
    const world = testWorld();
    const email = uniqueEmail('contoso-partner.com');
    const signupId = await world.verifiedSignup(email);
    expect(await world.deliverProvisioning()).toEqual([{ action: 'done', outcome: 'guest_created' }]);
    const [guest] = world.directory.usersWithAddress(email);
    expect(guest?.userType).toBe('Guest');
    expect([...world.directory.groups.values()].every((g) => g.members.size === 0)).toBe(true);
    const flow = (await world.signups.get(signupId))!.value;
    expect(flow).toMatchObject({ status: 'ready', outcome: 'guest_created', guestCreatedByUs: true });
    expect(world.access.createdGuests.get(flow.addressKey)?.userId).toBe(guest?.id);
    // The managed-group check at first use is once per process, not per guest.
    expect(world.directory.calls.map((c) => c.method).filter((m) => m !== 'groupExists')).toEqual([
      'findUserByEmail',
      'inviteGuest',
    ]);
  });

  test('a partner address → one guest invited without Microsoft mail, in exactly its partner group, flow ready with the redeem link', async () => {
    const world = testWorld();
    withPartner(world);
    const email = uniqueEmail('fabrikam.com');
    const signupId = await world.verifiedSignup(email);
    expect(await world.deliverProvisioning()).toEqual([{ action: 'done', outcome: 'guest_created' }]);
    const [guest] = world.directory.usersWithAddress(email);
    expect(guest?.userType).toBe('Guest');
    expect(world.directory.membersOf(PARTNER_GROUP)).toEqual([guest?.id]);
    expect([...world.directory.groups.keys()]).toEqual([PARTNER_GROUP]);
    const flow = (await world.signups.get(signupId))!.value;
    expect(flow).toMatchObject({ status: 'ready', outcome: 'guest_created', directoryUserId: guest?.id });
    expect(flow.signInUrl).toBe(world.directory.invitations[0]?.inviteRedeemUrl);
    expect(world.queue.on(QUEUES.email)).toContainEqual({ signupId, kind: 'account_ready' });
    expect(world.directory.calls.map((c) => c.method).filter((m) => m !== 'groupExists')).toEqual([
      'findUserByEmail',
      'inviteGuest',
      'addToGroup',
    ]);
  });

  test('an existing guest at a partner domain is reused (no new object, not recorded as ours) and made a member of its group', async () => {
    const world = testWorld();
    withPartner(world);
    const email = uniqueEmail('fabrikam.com');
    const existing = world.directory.seedGuest(email, { externalUserState: 'Accepted' });
    const signupId = await world.verifiedSignup(email);
    expect(await world.deliverProvisioning()).toEqual([{ action: 'done', outcome: 'existing_guest' }]);
    expect(world.directory.usersWithAddress(email)).toHaveLength(1);
    expect(world.directory.membersOf(PARTNER_GROUP)).toEqual([existing.id]);
    const flow = (await world.signups.get(signupId))!.value;
    expect(flow.signInUrl).toBe('https://myapplications.microsoft.com');
    expect(flow.guestCreatedByUs).toBeUndefined();
    expect(world.access.createdGuests.size).toBe(0);
  });

  test('an existing member → existing_member, nothing created', async () => {
    const world = testWorld();
    const email = uniqueEmail('fabrikam.com');
    world.directory.seedMember(email);
    await world.verifiedSignup(email);
    expect(await world.deliverProvisioning()).toEqual([{ action: 'done', outcome: 'existing_member' }]);
    expect(world.directory.callsTo('inviteGuest')).toHaveLength(0);
    expect(world.directory.usersWithAddress(email)).toHaveLength(1);
  });

  test('the same message 10 times concurrently → one guest (req 49)', async () => {
    const world = testWorld();
    const email = uniqueEmail('fabrikam.com');
    const signupId = await world.verifiedSignup(email);
    world.queue.take(QUEUES.provision);
    await Promise.allSettled(
      Array.from({ length: 10 }, () => world.provisioningService.handle({ signupId }, world.log)),
    );
    expect(world.directory.usersWithAddress(email)).toHaveLength(1);
    expect((await world.signups.get(signupId))!.value.status).toBe('ready');
  });

  test('Graph 429 re-queues with Retry-After instead of retrying in process (req 52)', async () => {
    const world = testWorld();
    const email = uniqueEmail('fabrikam.com');
    const signupId = await world.verifiedSignup(email);
    world.directory.failNext('inviteGuest', new TransientError('throttled', 2, 'throttled'));
    expect(await world.deliverProvisioning()).toEqual([
      { action: 'requeue', delaySeconds: 2, reason: 'graph_throttled' },
    ]);
    expect(world.queue.sent.find((m) => m.queue === QUEUES.provision)?.visibilityDelaySeconds).toBe(2);
    expect(await world.deliverProvisioning()).toEqual([{ action: 'done', outcome: 'guest_created' }]);
    expect(world.directory.usersWithAddress(email)).toHaveLength(1);
    expect((await world.signups.get(signupId))!.value.status).toBe('ready');
  });

  test('a response lost after Graph created the guest is resolved by looking again, never by creating twice (req 50)', async () => {
    const world = testWorld();
    const email = uniqueEmail('fabrikam.com');
    const signupId = await world.verifiedSignup(email);
    world.directory.failNext('inviteGuest', () => new Error('socket hang up'), { afterEffect: true });
    expect(await world.provisioningService.handle({ signupId }, world.log)).toEqual({
      action: 'done',
      outcome: 'guest_created',
    });
    expect(world.directory.usersWithAddress(email)).toHaveLength(1);
    expect((await world.signups.get(signupId))!.value.signInUrl).toMatch(/redeem/);
  });

  test('an exhausted Graph budget is waited out to the millisecond it reopens, not re-queued (req 53)', async () => {
    const world = testWorld();
    const signupId = await world.verifiedSignup(uniqueEmail('fabrikam.com'));
    for (let i = 0; i < 20; i++)
      await world.limiter.consume(GRAPH_BUDGET_KEY, graphWriteLimits(20), world.clock.now());
    const refused = await world.limiter.consume(GRAPH_BUDGET_KEY, graphWriteLimits(20), world.clock.now());
    const reopensInMs = refused.allowed ? 0 : refused.retryAfterMs;
    expect(reopensInMs).toBeGreaterThan(980);

    expect(await world.deliverProvisioning()).toEqual([{ action: 'done', outcome: 'guest_created' }]);
    expect(world.sleeps).toHaveLength(1);
    expect(world.sleeps[0]).toBeGreaterThanOrEqual(reopensInMs);
    expect(world.sleeps[0]).toBeLessThan(reopensInMs + 25);
    expect((await world.signups.get(signupId))!.value.status).toBe('ready');
  });

  test('a Graph budget that stays exhausted is waited on for at most 3 s, then the message is re-queued (req 53)', async () => {
    /** Other instances take every token as soon as it is free. */
    class ContendedBudget extends InMemoryRateLimiter {
      override async consume(...args: Parameters<InMemoryRateLimiter['consume']>) {
        if (args[0] !== GRAPH_BUDGET_KEY) return super.consume(...args);
        return { allowed: false as const, retryAfterSeconds: 1, retryAfterMs: 900 };
      }
    }
    const world = testWorld({ limiter: new ContendedBudget() });
    await world.verifiedSignup(uniqueEmail('fabrikam.com'));
    expect(await world.deliverProvisioning()).toEqual([
      { action: 'requeue', delaySeconds: 1, reason: 'graph_budget' },
    ]);
    const waited = world.sleeps.reduce((a, b) => a + b, 0);
    expect(waited).toBeGreaterThanOrEqual(2700);
    expect(waited).toBeLessThanOrEqual(3000);
    expect(world.directory.callsTo('inviteGuest')).toHaveLength(0);
    expect(world.queue.on(QUEUES.provision)).toHaveLength(1);
  });

  test('a new partner guest takes its two Graph write tokens (invitation and group add) in one budget update', async () => {
    const limiter = new InMemoryRateLimiter();
    const world = testWorld({ limiter });
    withPartner(world);
    await world.verifiedSignup(uniqueEmail('fabrikam.com'));
    expect(await world.deliverProvisioning()).toEqual([{ action: 'done', outcome: 'guest_created' }]);
    const budgetCalls = limiter.consumed.filter((c) => c.key === GRAPH_BUDGET_KEY);
    expect(budgetCalls).toEqual([{ key: GRAPH_BUDGET_KEY, count: 2 }]);
    expect(await world.limiter.peek(GRAPH_BUDGET_KEY, graphWriteLimits(20), world.clock.now())).toEqual({
      second: 2,
    });
  });

  test('a crash after the invitation: the redelivery finishes with the same guest and its redeem link (req 58)', async () => {
    const world = testWorld();
    withPartner(world);
    const email = uniqueEmail('fabrikam.com');
    const signupId = await world.verifiedSignup(email);
    world.directory.failNext('addToGroup', () => new Error('process killed'));
    await expect(world.provisioningService.handle({ signupId }, world.log)).rejects.toThrow('process killed');
    expect(await world.provisioningService.handle({ signupId }, world.log)).toEqual({
      action: 'done',
      outcome: 'guest_created',
    });
    const [guest, ...others] = world.directory.usersWithAddress(email);
    expect(others).toHaveLength(0);
    expect(world.directory.membersOf(PARTNER_GROUP)).toEqual([guest?.id]);
    expect((await world.signups.get(signupId))!.value.signInUrl).toMatch(/redeem/);
  });

  test('replication lag: group add 404s for 3 s, then succeeds (req 51)', async () => {
    const world = testWorld();
    withPartner(world);
    world.directory.replicationLagMs = 3000;
    const email = uniqueEmail('fabrikam.com');
    await world.verifiedSignup(email);
    expect(await world.deliverProvisioning()).toEqual([{ action: 'done', outcome: 'guest_created' }]);
    expect(world.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3000);
  });

  test('a permanent failure ends in poison: flow failed with a reason and a signup_failed email (req 57)', async () => {
    const world = testWorld();
    const email = uniqueEmail('fabrikam.com');
    const signupId = await world.verifiedSignup(email);
    world.directory.failNext('inviteGuest', () => new Error('Graph 500 InternalServerError'), { times: 5 });
    for (let i = 0; i < 5; i++)
      await expect(world.provisioningService.handle({ signupId }, world.log)).rejects.toThrow();
    await world.provisioningService.markFailed({ signupId }, world.log);
    const flow = (await world.signups.get(signupId))!.value;
    expect(flow.status).toBe('failed');
    expect(flow.lastError).toContain('Graph 500');
    expect(world.queue.on(QUEUES.email)).toContainEqual({ signupId, kind: 'signup_failed' });
    expect(world.sink.events().some((e) => e.event === 'poison_message')).toBe(true);
    const status = await world.signupService.status(signupId);
    expect(status).toMatchObject({ status: 'failed', supportContact: 'help@contoso.example' });
  });
});

test('every state change of a journey has an audit row, without codes or addresses', async () => {
  const world = testWorld();
  const email = uniqueEmail('fabrikam.com');
  const { signupId } = await world.signupService.start(
    { email, ip: '203.0.113.60', correlationId: 'c' },
    world.log,
  );
  await world.deliverEmails();
  const code = world.latestCode(email);
  await world.signupService
    .verify({ signupId, code: code === '000000' ? '111111' : '000000', ip: 'x' }, world.log)
    .catch(() => undefined);
  await world.signupService.verify({ signupId, code, ip: 'x' }, world.log);
  await world.deliverProvisioning();
  expect(world.audit.types(signupId)).toEqual([
    'started',
    'code_sent',
    'verify_failed',
    'verified',
    'provisioned',
  ]);
  const rows = JSON.stringify(world.audit.events);
  expect(rows).not.toContain(email);
  expect(rows).not.toContain(code);
});

test('a flow left verified without a provisioning message is re-queued by a status read after a minute, once a minute', async () => {
  const world = testWorld();
  const email = uniqueEmail('fabrikam.com');
  const signupId = await world.verifiedSignup(email);
  world.queue.take(QUEUES.provision); // the message was lost with the process that wrote `verified`
  await world.signupService.status(signupId, world.log);
  expect(world.queue.on(QUEUES.provision)).toHaveLength(0);
  world.clock.advance(61_000);
  await world.signupService.status(signupId, world.log);
  await world.signupService.status(signupId, world.log);
  expect(world.queue.on(QUEUES.provision)).toEqual([{ signupId }]);
  await world.deliverProvisioning();
  expect((await world.signupService.status(signupId, world.log)).status).toBe('ready');
});

test('the repair timer re-queues a flow left verified for people who closed the page, once a minute at most', async () => {
  const world = testWorld();
  const stuck = await world.verifiedSignup(uniqueEmail('fabrikam.com'));
  const fresh = uniqueEmail('fabrikam.com');
  world.queue.take(QUEUES.provision); // lost with the process that wrote `verified`
  world.clock.advance(61_000);
  const freshId = await world.verifiedSignup(fresh);
  world.queue.take(QUEUES.provision);
  const deps = { signups: world.signups, queue: world.queue, clock: world.clock };
  expect(await repairStuckFlows(deps, world.log)).toEqual({ scanned: 2, requeued: 1 });
  expect(world.queue.on(QUEUES.provision)).toEqual([{ signupId: stuck }]);
  expect(await repairStuckFlows(deps, world.log)).toEqual({ scanned: 2, requeued: 0 });
  await world.deliverProvisioning();
  expect((await world.signups.get(stuck))!.value.status).toBe('ready');
  expect((await world.signups.get(freshId))!.value.status).toBe('verified');
});
