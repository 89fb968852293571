/**
 * The admin view of the guest ledger: which guests this service created, in which state, since when and
 * until when, with each guest's lifecycle history from the audit trail. The ledger holds no address; the
 * list shows the domain only, and one guest's detail the masked mail Graph has for it.
 */
import { GUEST_STATES, type GuestEntry, type GuestState } from '../domain/guestLedger';
import { AppError } from '../errors';
import { maskEmail } from '../domain/addressMask';
import type { AuditEvent } from '../ports';
import type { AdminDeps } from './adminDeps';
import { guestSubject } from './guestLifecycle';

export interface AdminGuest {
  objectId: string;
  /** `…@domain` in lists; the masked mail (from Graph) in one guest's detail. */
  address: string;
  domain: string;
  state: GuestState;
  createdAt: string;
  redeemedAt?: string;
  lastRenewedAt: string;
  expiresAt?: string;
  disabledAt?: string;
  deletedAt?: string;
  remindersSent: number;
  groups: number;
  createdBySignupId: string;
  /** The approver or partner sponsor at the organisation recorded at creation (staff, from the policy). */
  sponsor?: string;
}

export interface ListGuestsInput {
  state?: GuestState;
  top?: number;
  continuationToken?: string;
}

export const MAX_GUEST_PAGE = 200;
const OBJECT_ID = /^[0-9a-fA-F-]{36}$/;

function toAdminGuest(entry: GuestEntry, address?: string): AdminGuest {
  return {
    objectId: entry.objectId,
    address: address ?? `…@${entry.domain}`,
    domain: entry.domain,
    state: entry.state,
    createdAt: entry.createdAt,
    ...(entry.redeemedAt ? { redeemedAt: entry.redeemedAt } : {}),
    lastRenewedAt: entry.lastRenewedAt,
    ...(entry.expiresAt ? { expiresAt: entry.expiresAt } : {}),
    ...(entry.disabledAt ? { disabledAt: entry.disabledAt } : {}),
    ...(entry.deletedAt ? { deletedAt: entry.deletedAt } : {}),
    remindersSent: entry.remindersSent,
    groups: entry.groups.length,
    createdBySignupId: entry.createdBySignupId,
    ...(entry.sponsor ? { sponsor: entry.sponsor } : {}),
  };
}

export function makeAdminGuests(deps: Pick<AdminDeps, 'ledger' | 'accounts' | 'audit'>) {
  async function listGuests(input: ListGuestsInput) {
    const page = await deps.ledger.list({
      top: Math.min(input.top ?? 50, MAX_GUEST_PAGE),
      state: input.state,
      continuationToken: input.continuationToken,
    });
    return {
      items: page.items.map((e) => toAdminGuest(e.value)),
      ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
    };
  }

  async function getGuest(objectId: string): Promise<{ guest: AdminGuest; events: AuditEvent[] }> {
    const stored = OBJECT_ID.test(objectId) ? await deps.ledger.get(objectId) : undefined;
    if (!stored) throw new AppError('not_found', 'No guest with this object id in the ledger.');
    const account =
      stored.value.state === 'deleted'
        ? undefined
        : await deps.accounts.getGuest(objectId).catch(() => undefined);
    const events = await deps.audit.forSubject(guestSubject(objectId));
    return {
      guest: toAdminGuest(stored.value, account?.mail ? maskEmail(account.mail) : undefined),
      events,
    };
  }

  /** Guests per state across the whole ledger (a scan: the ledger holds one row per guest we created). */
  async function countGuests(): Promise<Record<GuestState, number>> {
    const counts = Object.fromEntries(GUEST_STATES.map((s) => [s, 0])) as Record<GuestState, number>;
    let token: string | undefined;
    do {
      const page = await deps.ledger.list({ top: 1000, continuationToken: token });
      for (const { value } of page.items) counts[value.state] += 1;
      token = page.continuationToken;
    } while (token);
    return counts;
  }

  return { listGuests, getGuest, countGuests };
}
