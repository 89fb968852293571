/**
 * What a verified sign-up does to a guest this service created, by intent (the provisioner calls these
 * after verification, so nobody can act on an address whose mailbox they do not hold):
 *
 * - `join` that creates a guest records it in the ledger (only when our own invitation created the
 *   object, security review L8); `join` by a guest we created renews its lifetime (and enables it again
 *   when it had been disabled).
 * - `leave` removes our guest from the groups we added it to, deletes it, and erases the ledger row and
 *   every sign-up record of the address: afterwards no table row holds the address or its hash.
 * - `reset` re-invites our guest with `resetRedemption` (same object, groups and assignments; a fresh
 *   redeem link).
 *
 * A guest we did not create, or a member, is never touched: `not_managed`.
 */
import { sponsorFor } from '../domain/accessPolicy';
import { keyedHash } from '../domain/codes';
import {
  type GuestEntry,
  type LifecycleSettings,
  markReinvited,
  newGuestEntry,
  renew,
  withGroups,
} from '../domain/guestLedger';
import type { SignupFlow } from '../domain/signupFlow';
import { withEtagRetry } from '../domain/etagRetry';
import { AppError, TransientError } from '../errors';
import type { Logger } from '../log';
import type {
  AddressStore,
  AuditEvent,
  AuditEventType,
  AuditLog,
  Clock,
  Directory,
  DirectoryUser,
  GuestAccounts,
  GuestLedgerStore,
  PolicyProvider,
  SignupStore,
  TenantDiscovery,
  Versioned,
} from '../ports';
import type { GraphBudget } from './graphBudget';
import { guestSubject } from './guestLifecycle';

export interface GuestIntentSettings {
  secret: string;
  inviteRedirectUrl: string;
  lifecycle: LifecycleSettings;
}

export interface GuestIntentDeps {
  ledger: GuestLedgerStore;
  accounts: GuestAccounts;
  directory: Directory;
  signups: SignupStore;
  addresses: AddressStore;
  audit: AuditLog;
  tenants: TenantDiscovery;
  /** The access policy, for the sponsor a new ledger entry records. */
  policy: PolicyProvider;
  budget: GraphBudget;
  clock: Clock;
  settings: GuestIntentSettings;
}

export type IntentResult =
  | { action: 'done'; outcome: 'not_managed' }
  | { action: 'done'; outcome: 'redemption_reset'; userId: string; signInUrl: string }
  | { action: 'requeue'; delaySeconds: number; reason: string };

/** Up to this much waiting for Graph tokens in process; beyond it the message is re-queued. */
const MAX_BUDGET_WAIT_MS = 3000;
const PAGE = 100;

/** The audit partition of an erased sign-up of a person who left (no link to the person remains). */
const leftSubject = (secret: string, signupId: string) => keyedHash(secret, 'erased-signup', signupId);

export function makeGuestIntents(deps: GuestIntentDeps) {
  const { settings } = deps;
  const now = () => deps.clock.now();

  async function audit(
    type: AuditEventType,
    objectId: string,
    log: Logger,
    details: Record<string, string | number | boolean> = {},
  ): Promise<void> {
    const event: AuditEvent = {
      type,
      at: now().toISOString(),
      actor: 'recipient',
      subjectHash: guestSubject(objectId),
      details: { objectId, ...details },
    };
    try {
      await deps.audit.append(event);
    } catch (error) {
      log.event(
        'audit_write_failed',
        { type, objectId, error: error instanceof Error ? error.message : String(error) },
        'error',
      );
    }
  }

  /** Our ledger entry for this user and this address, or undefined (not created by us, or someone else's). */
  async function ours(flow: SignupFlow, user: DirectoryUser | undefined) {
    if (!user || user.userType !== 'Guest') return undefined;
    const entry = await deps.ledger.get(user.id);
    if (!entry || entry.value.state === 'deleted' || entry.value.addressHash !== flow.addressKey)
      return undefined;
    return entry;
  }

  /**
   * Our own invitation just created `userId` for `flow`: start its ledger entry (idempotent), with the
   * sponsor the current policy names for the flow (accessPolicy.ts `sponsorFor`).
   */
  async function recordCreated(
    flow: SignupFlow,
    userId: string,
    groups: readonly string[],
    log: Logger,
  ): Promise<void> {
    const policy = (await deps.policy.get()).access;
    const sponsor = sponsorFor(flow.domain, policy, flow.approvalDecision === 'approve');
    const built = newGuestEntry({
      objectId: userId,
      addressHash: flow.addressKey,
      domain: flow.domain,
      locale: flow.locale,
      createdBySignupId: flow.signupId,
      groups,
      sponsor,
      now: now(),
      settings: settings.lifecycle,
    });
    const created = await deps.ledger.create(built);
    // Audited once: a redelivery finds the row already there and gets it back instead.
    if (created.value === built) await audit('guest_created', userId, log, { domain: flow.domain });
  }

  /** Groups added to a ledger guest later (partners), so `leave` can remove them. */
  async function recordGroups(userId: string, groups: readonly string[]): Promise<void> {
    if (groups.length === 0) return;
    await updateEntry(userId, (e) => withGroups(e, groups));
  }

  async function updateEntry(
    userId: string,
    apply: (e: GuestEntry) => GuestEntry,
    known?: Versioned<GuestEntry>,
  ) {
    // A row that is gone (deleted meanwhile) is nothing to update.
    return withEtagRetry(
      async (race) => (race === 0 && known ? known : deps.ledger.get(userId)),
      async (stored) => (stored ? deps.ledger.update(apply(stored.value), stored.etag) : undefined),
      { attempts: 5, exhausted: () => new AppError('conflict', 'The guest ledger entry kept changing.') },
    );
  }

  /**
   * A verified `join` by a guest we created: a new term starts (renewal). A disabled guest is enabled
   * again first. Resolves whether the guest was ours.
   */
  async function renewIfOurs(flow: SignupFlow, user: DirectoryUser, log: Logger): Promise<boolean> {
    const entry = await ours(flow, user);
    if (!entry) return false;
    if (entry.value.state === 'disabled') {
      // The shared Graph budget, like every lifecycle write: an exhausted one re-queues the message.
      const wait = await deps.budget.take(1, MAX_BUDGET_WAIT_MS);
      if (wait !== undefined) throw new TransientError('Graph write budget exhausted', wait, 'throttled');
      await deps.accounts.setAccountEnabled(user.id, true);
    }
    const written = await updateEntry(user.id, (e) => renew(e, now(), settings.lifecycle), entry);
    if (written)
      await audit('guest_renewed', user.id, log, { expiresAt: written.value.expiresAt ?? 'never' });
    return true;
  }

  /** A fresh redeem link was handed to a guest we created who had not redeemed: reminders start again. */
  async function reinvited(flow: SignupFlow, user: DirectoryUser): Promise<void> {
    const entry = await ours(flow, user);
    if (entry) await updateEntry(user.id, (e) => markReinvited(e, now()), entry);
  }

  /** True when the ledger says this very sign-up's invitation created `userId` (a redelivery). */
  async function createdBy(flow: SignupFlow, userId: string): Promise<boolean> {
    const entry = await deps.ledger.get(userId);
    return entry?.value.createdBySignupId === flow.signupId;
  }

  /** True when `user` is a guest our own invitation created for this address (the only kind `leave` deletes). */
  async function isOurs(flow: SignupFlow, user: DirectoryUser | undefined): Promise<boolean> {
    return (await ours(flow, user)) !== undefined;
  }

  /**
   * `leave` for a guest `isOurs` confirmed (possibly on an earlier delivery, so the ledger row may be gone
   * already): out of the groups we added it to, deleted, ledger row removed. Each step is idempotent.
   */
  async function removeGuest(
    userId: string,
    log: Logger,
  ): Promise<{ action: 'done' } | { action: 'requeue'; delaySeconds: number; reason: string }> {
    const entry = await deps.ledger.get(userId);
    const groups = entry?.value.groups ?? [];
    const wait = await deps.budget.take(groups.length + 1, MAX_BUDGET_WAIT_MS);
    if (wait !== undefined) return { action: 'requeue', delaySeconds: wait, reason: 'graph_budget' };
    // Deleting the user also ends its memberships; removing first leaves nothing behind if the delete is
    // refused (e.g. the permission is missing) and the message is retried.
    for (const groupId of groups) await deps.directory.removeFromGroup(groupId, userId);
    await deps.directory.deleteUser(userId);
    await deps.ledger.delete(userId);
    await audit('guest_removed', userId, log, { groups: groups.length });
    return { action: 'done' };
  }

  async function reset(
    flow: SignupFlow,
    user: DirectoryUser | undefined,
    log: Logger,
  ): Promise<IntentResult> {
    const entry = await ours(flow, user);
    if (!entry || !user) return { action: 'done', outcome: 'not_managed' };
    const wait = await deps.budget.take(1, MAX_BUDGET_WAIT_MS);
    if (wait !== undefined) return { action: 'requeue', delaySeconds: wait, reason: 'graph_budget' };
    const invitation = await deps.accounts.resetRedemption({
      userId: user.id,
      email: flow.canonicalEmail,
      redirectUrl: settings.inviteRedirectUrl,
    });
    await updateEntry(user.id, (e) => markReinvited(e, now()), entry);
    await audit('redemption_reset', user.id, log);
    return {
      action: 'done',
      outcome: 'redemption_reset',
      userId: user.id,
      signInUrl: invitation.inviteRedeemUrl,
    };
  }

  /**
   * After `guest_removed`: every other sign-up of the address is deleted and its audit rows rewritten
   * without the address hash (as admin erasure does), and the address record goes. The current flow is
   * erased by the caller, which keeps an anonymous status for the page.
   */
  async function eraseAddress(flow: SignupFlow): Promise<number> {
    let erased = 0;
    let token: string | undefined;
    do {
      const page = await deps.signups.list({
        addressKey: flow.addressKey,
        now: now(),
        top: PAGE,
        continuationToken: token,
      });
      for (const other of page.items) {
        if (other.value.signupId === flow.signupId) continue;
        await deps.signups.delete(other.value.signupId);
        await deps.audit.eraseSignup(
          other.value.signupId,
          leftSubject(settings.secret, other.value.signupId),
        );
        erased += 1;
      }
      token = page.continuationToken;
    } while (token);
    await deps.addresses.delete(flow.addressKey);
    await deps.audit.eraseSignup(flow.signupId, leftSubject(settings.secret, flow.signupId));
    return erased;
  }

  /** Whether the recipient's domain has its own Entra tenant; asked only after verification. */
  function homeTenant(domain: string): Promise<boolean | undefined> {
    return deps.tenants.hasEntraTenant(domain);
  }

  return {
    recordCreated,
    recordGroups,
    renewIfOurs,
    reinvited,
    isOurs,
    createdBy,
    removeGuest,
    reset,
    eraseAddress,
    homeTenant,
  };
}

export type GuestIntents = ReturnType<typeof makeGuestIntents>;
