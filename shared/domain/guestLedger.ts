/**
 * The guest ledger: one record per guest that this service's own invitation created (security review L8:
 * never a guest someone else invited), kept while the guest exists, so the organisation can review and
 * expire what self-service created long after the sign-up records are gone. It never holds a plain
 * address: `addressHash` is the same keyed hash that keys the sign-up limits.
 *
 * `dueStep` is the pure lifecycle policy the timer applies: redemption reminders, renewal notice,
 * disabling at the end of the lifetime (or after inactivity) and deletion after the grace period.
 */

export const GUEST_STATES = ['pending_acceptance', 'active', 'expiring', 'disabled', 'deleted'] as const;
export type GuestState = (typeof GUEST_STATES)[number];

export interface GuestEntry {
  /** Entra object id of the guest. */
  objectId: string;
  /** HMAC of the address (the flow's `addressKey`); removed when the guest is deleted. */
  addressHash?: string;
  domain: string;
  /** Language of the sign-up that created it, for the lifecycle emails. */
  locale?: string;
  state: GuestState;
  createdAt: string;
  redeemedAt?: string;
  /** Start of the current term: creation, or the last verified renewal. */
  lastRenewedAt: string;
  /** End of the current term; absent when guests live forever (GUEST_LIFETIME_DAYS = 0). */
  expiresAt?: string;
  /** Groups this service added the guest to (removed again on leave). */
  groups: string[];
  sponsor?: string;
  /** The sign-up whose invitation created the guest. */
  createdBySignupId: string;
  /** Redemption reminders sent since the last (re)invitation: 0, 1 or 2. */
  remindersSent: number;
  /** When the current invitation was issued (creation or reset); reminders count from here. */
  invitedAt: string;
  /** The term end a renewal notice was sent for (one notice per term). */
  renewalNoticeFor?: string;
  disabledAt?: string;
  disabledReason?: 'expired' | 'inactive';
  deletedAt?: string;
}

export interface LifecycleSettings {
  redeemReminderDays: number;
  /** 0 = guests never expire. */
  lifetimeDays: number;
  renewalNoticeDays: number;
  deleteAfterDisabledDays: number;
  /** 0 = off. */
  inactiveDays: number;
}

/** What the timer should do next for one guest (at most one step per run). */
export type LifecycleStep =
  | { type: 'none' }
  /** A guest still recorded as pending nears its notice date: ask Graph whether it redeemed meanwhile. */
  | { type: 'check_redemption' }
  /** A reminder is due if the guest still has not redeemed (the service asks Graph first). */
  | { type: 'remind'; reminder: 1 | 2 }
  | { type: 'renewal_notice' }
  | { type: 'disable'; reason: 'expired' }
  | { type: 'delete' }
  /** The lifetime allows it: ask Graph for the last sign-in (GUEST_INACTIVE_DAYS). */
  | { type: 'check_inactive' };

const DAY_MS = 86_400_000;
const plusDays = (iso: string, days: number) => new Date(Date.parse(iso) + days * DAY_MS).toISOString();

/** A new ledger entry for a guest our own invitation just created. */
export function newGuestEntry(input: {
  objectId: string;
  addressHash: string;
  domain: string;
  locale?: string;
  createdBySignupId: string;
  groups: readonly string[];
  sponsor?: string;
  now: Date;
  settings: Pick<LifecycleSettings, 'lifetimeDays'>;
}): GuestEntry {
  const at = input.now.toISOString();
  return {
    objectId: input.objectId,
    addressHash: input.addressHash,
    domain: input.domain,
    locale: input.locale,
    state: 'pending_acceptance',
    createdAt: at,
    lastRenewedAt: at,
    expiresAt: termEnd(at, input.settings),
    groups: [...input.groups],
    sponsor: input.sponsor,
    createdBySignupId: input.createdBySignupId,
    remindersSent: 0,
    invitedAt: at,
  };
}

function termEnd(start: string, settings: Pick<LifecycleSettings, 'lifetimeDays'>): string | undefined {
  return settings.lifetimeDays > 0 ? plusDays(start, settings.lifetimeDays) : undefined;
}

/** When the next redemption reminder is due: REDEEM_REMINDER_DAYS after the invitation, then twice that. */
export function reminderDueAt(entry: GuestEntry, settings: LifecycleSettings): string | undefined {
  if (entry.remindersSent >= 2) return undefined;
  return plusDays(entry.invitedAt, settings.redeemReminderDays * (entry.remindersSent + 1));
}

/** When the renewal notice of the current term is due. */
export function noticeDueAt(entry: GuestEntry, settings: LifecycleSettings): string | undefined {
  return entry.expiresAt ? plusDays(entry.expiresAt, -settings.renewalNoticeDays) : undefined;
}

/** The one step due for `entry` at `now`. Pure: the service carries it out and records the result. */
export function dueStep(entry: GuestEntry, now: Date, settings: LifecycleSettings): LifecycleStep {
  const t = now.getTime();
  if (entry.state === 'deleted') return { type: 'none' };
  if (entry.state === 'disabled') {
    const deleteAt = plusDays(entry.disabledAt ?? entry.lastRenewedAt, settings.deleteAfterDisabledDays);
    return t >= Date.parse(deleteAt) ? { type: 'delete' } : { type: 'none' };
  }
  if (entry.expiresAt && t >= Date.parse(entry.expiresAt)) return { type: 'disable', reason: 'expired' };
  const notice = noticeDueAt(entry, settings);
  if (
    entry.state !== 'pending_acceptance' &&
    notice &&
    t >= Date.parse(notice) &&
    entry.renewalNoticeFor !== entry.expiresAt
  )
    return { type: 'renewal_notice' };
  if (entry.state === 'pending_acceptance') {
    const due = reminderDueAt(entry, settings);
    if (due && t >= Date.parse(due)) return { type: 'remind', reminder: entry.remindersSent === 0 ? 1 : 2 };
    // A guest who redeemed after the last reminder still deserves its renewal notice.
    if (notice && t >= Date.parse(notice)) return { type: 'check_redemption' };
    return { type: 'none' };
  }
  if (settings.inactiveDays > 0) {
    const since = entry.redeemedAt ?? entry.lastRenewedAt;
    if (t >= Date.parse(plusDays(since, settings.inactiveDays))) return { type: 'check_inactive' };
  }
  return { type: 'none' };
}

/** True when `lastSignIn` (absent: never) is more than GUEST_INACTIVE_DAYS before `now`. */
export function isInactive(
  entry: GuestEntry,
  lastSignIn: string | undefined,
  now: Date,
  settings: LifecycleSettings,
): boolean {
  if (settings.inactiveDays <= 0) return false;
  const since = lastSignIn ?? entry.redeemedAt ?? entry.lastRenewedAt;
  return now.getTime() >= Date.parse(plusDays(since, settings.inactiveDays));
}

// ---- transitions (pure) -----------------------------------------------------------------------------

export function markRedeemed(entry: GuestEntry, now: Date): GuestEntry {
  if (entry.state !== 'pending_acceptance') return entry;
  return { ...entry, state: 'active', redeemedAt: entry.redeemedAt ?? now.toISOString() };
}

export function markReminded(entry: GuestEntry, reminder: 1 | 2): GuestEntry {
  return { ...entry, remindersSent: Math.max(entry.remindersSent, reminder) };
}

export function markNoticeSent(entry: GuestEntry): GuestEntry {
  return { ...entry, state: 'expiring', renewalNoticeFor: entry.expiresAt };
}

export function markDisabled(entry: GuestEntry, now: Date, reason: 'expired' | 'inactive'): GuestEntry {
  return { ...entry, state: 'disabled', disabledAt: now.toISOString(), disabledReason: reason };
}

/** Deleted: a tombstone for the admin view, without the address hash (nothing links it to a person). */
export function markDeleted(entry: GuestEntry, now: Date): GuestEntry {
  return { ...entry, state: 'deleted', deletedAt: now.toISOString(), addressHash: undefined };
}

/** A fresh redeem link was issued (reset, or `join` for a guest who never redeemed): reminders start again. */
export function markReinvited(entry: GuestEntry, now: Date): GuestEntry {
  if (entry.state === 'deleted') return entry;
  return {
    ...entry,
    state: 'pending_acceptance',
    redeemedAt: undefined,
    remindersSent: 0,
    invitedAt: now.toISOString(),
  };
}

/** A verified `join` by the guest: a new term starts now; a disabled guest is enabled again by the caller. */
export function renew(entry: GuestEntry, now: Date, settings: LifecycleSettings): GuestEntry {
  const at = now.toISOString();
  return {
    ...entry,
    state: entry.redeemedAt ? 'active' : 'pending_acceptance',
    lastRenewedAt: at,
    expiresAt: termEnd(at, settings),
    renewalNoticeFor: undefined,
    disabledAt: undefined,
    disabledReason: undefined,
  };
}

/** Groups recorded as added by us, without duplicates. */
export function withGroups(entry: GuestEntry, groups: readonly string[]): GuestEntry {
  return { ...entry, groups: [...new Set([...entry.groups, ...groups])] };
}
