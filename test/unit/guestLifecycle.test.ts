/**
 * The guest lifecycle over in-memory fakes (services exactly as production wires them): the ledger, the
 * leave/reset intents, redemption reminders, expiry with renewal, and the shared Graph budget.
 * test/integration/guestLifecycle.test.ts proves the same through the dev host.
 */
import { QUEUES } from '../../shared/storageNames';
import { uniqueEmail } from '../support/builders';
import type { InMemoryAuditLog } from '../support/fakes';
import { testWorld } from '../support/testWorld';

const DAY = 86_400_000;

/** Advances the world's clock one day at a time, running the lifecycle timer once per day. */
async function days(world: ReturnType<typeof testWorld>, n: number) {
  for (let i = 0; i < n; i++) {
    world.clock.advance(DAY);
    await world.guestLifecycle.sweep(world.log);
  }
}

async function joinedGuest(world: ReturnType<typeof testWorld>, email = uniqueEmail('fabrikam.com')) {
  const signupId = await world.verifiedSignup(email);
  await world.deliver();
  const guest = world.directory.usersWithAddress(email)[0]!;
  return { email, signupId, guest };
}

/** Every stored value of every fake store, as text: where an address or its hash would show up. */
function everything(world: ReturnType<typeof testWorld>): string {
  const rows = (store: unknown) => [...(store as { rows: Map<string, unknown> }).rows.entries()];
  return JSON.stringify({
    signups: rows(world.signups),
    addresses: rows(world.addresses),
    audit: (world.audit as InMemoryAuditLog).events,
    ledger: rows(world.ledger),
  });
}

describe('guest ledger', () => {
  test('a guest our invitation created is recorded with the address hash only, pending acceptance (security review L8)', async () => {
    const world = testWorld();
    const { guest, signupId, email } = await joinedGuest(world);
    const entry = (await world.ledger.get(guest.id))!.value;
    expect(entry).toMatchObject({
      state: 'pending_acceptance',
      createdBySignupId: signupId,
      domain: 'fabrikam.com',
    });
    expect(JSON.stringify(entry)).not.toContain(email);
    expect(world.audit.events.map((e) => e.type)).toContain('guest_created');
  });

  test('an existing guest someone else invited is never recorded as ours', async () => {
    const world = testWorld();
    const email = uniqueEmail('fabrikam.com');
    world.directory.seedGuest(email, { externalUserState: 'Accepted' });
    await world.verifiedSignup(email);
    await world.deliver();
    expect(world.ledger.rows.size).toBe(0);
  });

  test('join for a guest who never redeemed gives a fresh redeem link, not the generic sign-in link', async () => {
    const world = testWorld();
    const email = uniqueEmail('fabrikam.com');
    world.directory.seedGuest(email, { externalUserState: 'PendingAcceptance' });
    const signupId = await world.verifiedSignup(email);
    await world.deliver();
    const flow = (await world.signups.get(signupId))!.value;
    expect(flow.outcome).toBe('existing_guest');
    expect(flow.signInUrl).toBe(world.directory.invitations.at(-1)?.inviteRedeemUrl);
    expect(world.sender.deliveredTo(email).at(-1)?.text).toContain(flow.signInUrl!);
  });
});

describe('leave and reset (through the one verified flow)', () => {
  test('leave deletes only the guest we created; afterwards no stored row holds the address or its hash', async () => {
    const world = testWorld();
    const { email, guest } = await joinedGuest(world);
    const addressKey = (await world.signups.list({ now: world.clock.now(), top: 10 })).items[0]!.value
      .addressKey;
    world.clock.advance(120_000); // past the per-recipient minute cap of code emails
    const leaveId = await world.verifiedSignup(email, 'leave');
    await world.deliver();
    expect(world.directory.users.has(guest.id)).toBe(false);
    const flow = (await world.signups.get(leaveId))!.value;
    expect(flow).toMatchObject({ status: 'ready', outcome: 'guest_removed', email: '', addressKey: '' });
    const stored = everything(world);
    expect(stored).not.toContain(email);
    expect(stored).not.toContain(addressKey);
    expect(world.ledger.rows.size).toBe(0);
    expect(world.audit.events.map((e) => e.type)).toContain('guest_removed');
    expect(world.queue.on(QUEUES.email)).toEqual([]);
  });

  test.each([
    ['a guest someone else invited', 'guest'],
    ['a member', 'member'],
  ])('leave for %s → not_managed, nothing deleted, support contact on the status', async (_label, kind) => {
    const world = testWorld();
    const email = uniqueEmail('fabrikam.com');
    const user = kind === 'member' ? world.directory.seedMember(email) : world.directory.seedGuest(email);
    const signupId = await world.verifiedSignup(email, 'leave');
    await world.deliver();
    expect(world.directory.users.has(user.id)).toBe(true);
    expect(world.directory.callsTo('deleteUser')).toHaveLength(0);
    const view = await world.signupService.status(signupId);
    expect(view).toMatchObject({
      status: 'ready',
      outcome: 'not_managed',
      supportContact: expect.any(String),
    });
  });

  test('start answers look the same for every intent and address (no enumeration)', async () => {
    const world = testWorld();
    const { email } = await joinedGuest(world);
    const shapes = [];
    for (const [address, intent] of [
      [email, 'leave'],
      [email, 'reset'],
      [uniqueEmail('fabrikam.com'), 'leave'],
      [uniqueEmail('fabrikam.com'), 'join'],
    ] as const) {
      const started = await world.signupService.start(
        { email: address, ip: '203.0.113.60', correlationId: 'c', intent },
        world.log,
      );
      shapes.push(Object.keys(started).sort().join(',') + started.status);
    }
    expect(new Set(shapes).size).toBe(1);
  });

  test('the code email says what confirming will do', async () => {
    const world = testWorld();
    const email = uniqueEmail('fabrikam.com');
    await world.signupService.start(
      { email, ip: '203.0.113.61', correlationId: 'c', intent: 'leave' },
      world.log,
    );
    await world.deliverEmails();
    expect(world.sender.deliveredTo(email)[0]?.text).toContain('deletes your guest account');
  });

  test('reset re-invites our guest with a fresh redeem link (same object), in the status and the email', async () => {
    const world = testWorld();
    const { email, guest } = await joinedGuest(world);
    const firstLink = world.directory.invitations.at(-1)?.inviteRedeemUrl;
    world.clock.advance(120_000); // past the per-recipient minute cap of code emails
    const resetId = await world.verifiedSignup(email, 'reset');
    await world.deliver();
    const reset = world.directory.callsTo('resetRedemption');
    expect(reset).toHaveLength(1);
    const fresh = world.directory.invitations.at(-1)?.inviteRedeemUrl;
    expect(fresh).not.toBe(firstLink);
    const view = await world.signupService.status(resetId);
    expect(view).toMatchObject({ outcome: 'redemption_reset', signInUrl: fresh });
    expect(world.sender.deliveredTo(email).at(-1)?.text).toContain(fresh!);
    expect(world.directory.users.get(guest.id)?.externalUserState).toBe('PendingAcceptance');
  });
});

describe('redemption reminders', () => {
  test('exactly two reminders, each with a fresh redeem link, for a guest who never redeems', async () => {
    const world = testWorld();
    const { email } = await joinedGuest(world);
    const before = world.sender.deliveredTo(email).length;
    await days(world, 30);
    const reminders = world.sender.deliveredTo(email).slice(before);
    expect(reminders).toHaveLength(2);
    expect(reminders[0]?.subject).toContain('Reminder');
    expect(reminders[0]?.text).not.toBe(reminders[1]?.text);
    expect(world.audit.events.filter((e) => e.type === 'guest_reminded')).toHaveLength(2);
  });

  test('a reminder takes only email budget no code was promised: it waits behind promised codes (req 15)', async () => {
    const world = testWorld({
      budgetPerMinute: 2,
      budgetPerHour: 1000,
      settings: { ipStartsPerMinute: 1000, ipStartsPerHour: 1000 },
    });
    const { email } = await joinedGuest(world);
    const before = world.sender.deliveredTo(email).length;
    world.clock.advance(3 * DAY + 61_000);
    // Two people start: their codes are promised this minute's whole budget.
    for (const other of [uniqueEmail('adatum.com'), uniqueEmail('litware.com')])
      await world.signupService.start({ email: other, ip: '203.0.113.60', correlationId: 'c' }, world.log);
    const held = await world.guestLifecycle.sweep(world.log);
    expect(held).toMatchObject({ reminded: 0, deferred: 1 });
    expect(world.sender.deliveredTo(email)).toHaveLength(before);
    await world.deliverEmails(); // the two codes go, as promised
    world.clock.advance(61_000);
    expect(await world.guestLifecycle.sweep(world.log)).toMatchObject({ reminded: 1, deferred: 0 });
    expect(world.sender.deliveredTo(email)).toHaveLength(before + 1);
  });

  test('no reminder once the guest redeemed; the ledger says active', async () => {
    const world = testWorld();
    const { email, guest } = await joinedGuest(world);
    world.directory.users.get(guest.id)!.externalUserState = 'Accepted';
    const before = world.sender.deliveredTo(email).length;
    await days(world, 30);
    expect(world.sender.deliveredTo(email)).toHaveLength(before);
    expect((await world.ledger.get(guest.id))!.value.state).toBe('active');
  });
});

describe('expiry with renewal', () => {
  test('notice at the notice date, disabled at the end, deleted after the grace period, each audited', async () => {
    const world = testWorld();
    const { email, guest } = await joinedGuest(world);
    world.directory.users.get(guest.id)!.externalUserState = 'Accepted';
    await days(world, 350);
    const mails = () => world.sender.deliveredTo(email).filter((m) => m.subject.includes('ends on'));
    expect(mails()).toHaveLength(0);
    await days(world, 1);
    expect(mails()).toHaveLength(1);
    expect(mails()[0]?.text).toContain('https://signup.contoso.example/#renew=');
    await days(world, 13);
    expect(world.directory.users.get(guest.id)?.accountEnabled).toBe(true);
    await days(world, 1);
    expect(world.directory.users.get(guest.id)?.accountEnabled).toBe(false);
    await days(world, 29);
    expect(world.directory.users.has(guest.id)).toBe(true);
    await days(world, 1);
    expect(world.directory.users.has(guest.id)).toBe(false);
    const entry = (await world.ledger.get(guest.id))!.value;
    expect(entry).toMatchObject({ state: 'deleted' });
    expect(entry.addressHash).toBeUndefined();
    const types = world.audit.events.map((e) => e.type);
    for (const t of ['guest_renewal_notice', 'guest_disabled', 'guest_deleted'] as const)
      expect(types).toContain(t);
    // Retention keeps working: the tombstone goes RETENTION_FINISHED_DAYS after the deletion.
    world.clock.advance(29 * DAY);
    await world.retentionService.run(world.log);
    expect(world.ledger.rows.has(guest.id)).toBe(true);
    world.clock.advance(2 * DAY);
    await world.retentionService.run(world.log);
    expect(world.ledger.rows.has(guest.id)).toBe(false);
  });

  test('a verified join between notice and end moves the end; nothing is disabled', async () => {
    const world = testWorld();
    const { email, guest } = await joinedGuest(world);
    world.directory.users.get(guest.id)!.externalUserState = 'Accepted';
    await days(world, 355);
    await world.verifiedSignup(email);
    await world.deliver();
    const entry = (await world.ledger.get(guest.id))!.value;
    expect(Date.parse(entry.expiresAt!)).toBeGreaterThan(world.clock.now().getTime() + 364 * DAY);
    await days(world, 40);
    expect(world.directory.users.get(guest.id)?.accountEnabled).toBe(true);
    expect(world.directory.callsTo('setAccountEnabled')).toHaveLength(0);
    expect(world.audit.events.map((e) => e.type)).toContain('guest_renewed');
  });

  test('a step whose record was lost (killed mid-run) is repeated, never doubled', async () => {
    const world = testWorld();
    const { guest } = await joinedGuest(world);
    world.directory.users.get(guest.id)!.externalUserState = 'Accepted';
    world.clock.advance(366 * DAY);
    const update = world.ledger.update.bind(world.ledger);
    let failures = 1;
    world.ledger.update = (entry, etag) =>
      failures-- > 0 ? Promise.reject(new Error('host killed')) : update(entry, etag);
    await world.guestLifecycle.sweep(world.log);
    expect((await world.ledger.get(guest.id))!.value.state).not.toBe('disabled');
    await world.guestLifecycle.sweep(world.log);
    expect((await world.ledger.get(guest.id))!.value.state).toBe('disabled');
    expect(world.audit.events.filter((e) => e.type === 'guest_disabled')).toHaveLength(1);
  });
});

describe('Graph budget', () => {
  test('1,000 expiring guests are disabled within the shared Graph write budget (no second over it, req 53)', async () => {
    const world = testWorld();
    const start = world.clock.now().getTime();
    for (let i = 0; i < 1000; i++) {
      const user = world.directory.seedGuest(`g${i}@fabrikam.com`);
      await world.ledger.create({
        objectId: user.id,
        addressHash: `h${i}`,
        domain: 'fabrikam.com',
        state: 'active',
        createdAt: new Date(start - 400 * DAY).toISOString(),
        lastRenewedAt: new Date(start - 400 * DAY).toISOString(),
        expiresAt: new Date(start - DAY).toISOString(),
        renewalNoticeFor: new Date(start - DAY).toISOString(),
        groups: [],
        createdBySignupId: 's',
        remindersSent: 0,
        invitedAt: new Date(start - 400 * DAY).toISOString(),
      });
    }
    const seconds = new Map<number, number>();
    const setEnabled = world.directory.setAccountEnabled.bind(world.directory);
    world.directory.setAccountEnabled = (id, enabled) => {
      const second = Math.floor(world.clock.now().getTime() / 1000);
      seconds.set(second, (seconds.get(second) ?? 0) + 1);
      return setEnabled(id, enabled);
    };
    const report = await world.guestLifecycle.sweep(world.log);
    expect(report.disabled).toBe(1000);
    expect(Math.max(...seconds.values())).toBeLessThanOrEqual(20);
  });
});
