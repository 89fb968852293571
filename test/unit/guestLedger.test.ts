import {
  dueStep,
  type GuestEntry,
  isInactive,
  markDisabled,
  markNoticeSent,
  markRedeemed,
  markReminded,
  newGuestEntry,
  renew,
} from '../../shared/domain/guestLedger';

const DAY = 86_400_000;
const T0 = new Date('2026-01-10T08:00:00.000Z');
const at = (days: number) => new Date(T0.getTime() + days * DAY);
const SETTINGS = {
  redeemReminderDays: 3,
  lifetimeDays: 365,
  renewalNoticeDays: 14,
  deleteAfterDisabledDays: 30,
  inactiveDays: 0,
};

function aGuest(overrides: Partial<GuestEntry> = {}): GuestEntry {
  return {
    ...newGuestEntry({
      objectId: '11111111-2222-4333-8444-555555555555',
      addressHash: 'hash',
      domain: 'fabrikam.com',
      createdBySignupId: 'signup',
      groups: [],
      now: T0,
      settings: SETTINGS,
    }),
    ...overrides,
  };
}

describe('guest ledger lifecycle policy (pure)', () => {
  test('a new entry holds the address hash, never the address, and ends after the lifetime', () => {
    const entry = aGuest();
    expect(entry).toMatchObject({ state: 'pending_acceptance', addressHash: 'hash', remindersSent: 0 });
    expect(JSON.stringify(entry)).not.toContain('@');
    expect(entry.expiresAt).toBe(at(365).toISOString());
    const forever = newGuestEntry({
      objectId: 'x',
      addressHash: 'hash',
      domain: 'fabrikam.com',
      createdBySignupId: 'signup',
      groups: [],
      now: T0,
      settings: { lifetimeDays: 0 },
    });
    expect(forever.expiresAt).toBeUndefined();
  });

  test('reminders: the first after REDEEM_REMINDER_DAYS, the second after twice that, then none', () => {
    let entry = aGuest();
    expect(dueStep(entry, at(2.9), SETTINGS)).toEqual({ type: 'none' });
    expect(dueStep(entry, at(3), SETTINGS)).toEqual({ type: 'remind', reminder: 1 });
    entry = markReminded(entry, 1);
    expect(dueStep(entry, at(5.9), SETTINGS)).toEqual({ type: 'none' });
    expect(dueStep(entry, at(6), SETTINGS)).toEqual({ type: 'remind', reminder: 2 });
    entry = markReminded(entry, 2);
    expect(dueStep(entry, at(100), SETTINGS)).toEqual({ type: 'none' });
  });

  test('a redeemed guest gets no reminder', () => {
    expect(dueStep(markRedeemed(aGuest(), at(1)), at(3), SETTINGS)).toEqual({ type: 'none' });
  });

  test('expiry: notice at end minus notice days, once per term; disabled at the end; deleted after the grace period', () => {
    let entry = markRedeemed(aGuest(), at(1));
    expect(dueStep(entry, at(350.9), SETTINGS)).toEqual({ type: 'none' });
    expect(dueStep(entry, at(351), SETTINGS)).toEqual({ type: 'renewal_notice' });
    entry = markNoticeSent(entry);
    expect(entry.state).toBe('expiring');
    expect(dueStep(entry, at(360), SETTINGS)).toEqual({ type: 'none' });
    expect(dueStep(entry, at(365), SETTINGS)).toEqual({ type: 'disable', reason: 'expired' });
    entry = markDisabled(entry, at(365), 'expired');
    expect(dueStep(entry, at(394.9), SETTINGS)).toEqual({ type: 'none' });
    expect(dueStep(entry, at(395), SETTINGS)).toEqual({ type: 'delete' });
  });

  test('a renewal starts a new term: the end moves, a new notice is due only before the new end', () => {
    const noticed = markNoticeSent(markRedeemed(aGuest(), at(1)));
    const renewed = renew(noticed, at(355), SETTINGS);
    expect(renewed).toMatchObject({ state: 'active', lastRenewedAt: at(355).toISOString() });
    expect(renewed.expiresAt).toBe(at(720).toISOString());
    expect(dueStep(renewed, at(365), SETTINGS)).toEqual({ type: 'none' });
    expect(dueStep(renewed, at(706), SETTINGS)).toEqual({ type: 'renewal_notice' });
  });

  test('GUEST_LIFETIME_DAYS 0: never expires', () => {
    const forever = { ...SETTINGS, lifetimeDays: 0 };
    const entry = markRedeemed({ ...aGuest(), expiresAt: undefined }, at(1));
    expect(dueStep(entry, at(5000), forever)).toEqual({ type: 'none' });
  });

  test('inactivity: asked only when GUEST_INACTIVE_DAYS is on, judged on the last sign-in', () => {
    const inactive = { ...SETTINGS, inactiveDays: 90 };
    const entry = markRedeemed(aGuest(), at(1));
    expect(dueStep(entry, at(120), SETTINGS)).toEqual({ type: 'none' });
    expect(dueStep(entry, at(91), inactive)).toEqual({ type: 'check_inactive' });
    expect(isInactive(entry, at(60).toISOString(), at(120), inactive)).toBe(false);
    expect(isInactive(entry, at(20).toISOString(), at(120), inactive)).toBe(true);
    expect(isInactive(entry, undefined, at(120), inactive)).toBe(true);
  });

  test('a guest still pending near its notice date is checked for a late redemption', () => {
    const entry = markReminded(markReminded(aGuest(), 1), 2);
    expect(dueStep(entry, at(352), SETTINGS)).toEqual({ type: 'check_redemption' });
  });
});
