/**
 * The provisioner: decides, after verification only, whether a verified address may enrol (revocation,
 * enrolment mode, proof of send, sponsor approval: shared/domain/accessPolicy.ts), then turns it into an
 * Entra B2B guest (or finds the existing account). Identity first: the guest joins no group unless its
 * domain is a partner's, and then exactly that partner's groups, only ever ones this deployment manages.
 * While sign-ups are paused or the domain is blocked, messages are held (re-queued), never dropped.
 * Safe under at-least-once delivery: every step re-reads what exists before writing, and Graph itself
 * returns the existing guest when an invitation is replayed (req 49, 50, 58).
 */

import {
  effectiveStatus,
  type FlowLimits,
  type Outcome,
  type SignupFlow,
  transition,
} from '../domain/signupFlow';
import type { ProvisionMessage } from '../contracts/queues';
import { isAppError, isTransientError } from '../errors';
import type { Eligibility } from '../domain/accessPolicy';
import { maskEmail } from '../domain/addressMask';
import { type Logger } from '../log';
import {
  type AccessStore,
  type AuditEvent,
  type AuditLog,
  type Clock,
  type Directory,
  type DirectoryUser,
  type MessageTraces,
  NotFoundYetError,
  type PolicyProvider,
  type QueuePublisher,
  type RateLimiter,
  type SignupStore,
  type Versioned,
  type Metrics,
} from '../ports';
import { noMetrics } from '../telemetry/noop';
import { QUEUES } from '../storageNames';
import { audit, auditEvent } from './audit';
import type { GuestIntents } from './guestIntents';
import { makeEnrolmentSteps } from './enrolmentSteps';
import { GRAPH_BUDGET_KEY, graphWriteLimits } from './graphBudget';
import { updateFlow } from './updateFlow';

export interface ProvisioningSettings extends FlowLimits {
  /** The only groups this service may ever write (PARTNER_GROUP_IDS); a partner's other ids are skipped. */
  managedGroupIds: readonly string[];
  /** How long a sponsor has to decide (APPROVAL_TTL_DAYS). */
  approvalTtlDays: number;
  organizationName?: string;
  inviteRedirectUrl: string;
  signInUrl: string;
  graphWritesPerSecond: number;
  /** How long a freshly created guest may stay invisible to the group API before we give up. */
  replicationLagBudgetMs: number;
}

export interface ProvisioningDeps {
  signups: SignupStore;
  directory: Directory;
  traces: MessageTraces;
  access: AccessStore;
  policy: PolicyProvider;
  limiter: RateLimiter;
  queue: QueuePublisher;
  audit: AuditLog;
  clock: Clock;
  settings: ProvisioningSettings;
  /** The guest ledger side: recording created guests, renewal, leave and reset (guestIntents.ts). */
  intents: GuestIntents;
  sleep?: (ms: number) => Promise<void>;
  metrics?: Metrics;
  /** Managed groups that do not exist; asked once, at first use, so a typo is logged at once. */
  missingManagedGroups?: () => Promise<string[]>;
}

/** How long a held message waits before it looks at the policy again (the policy cache is 5 s). */

export type ProvisionOutcome =
  | { action: 'done'; outcome: Outcome | 'not_eligible' | 'pending_approval' }
  | { action: 'dropped'; reason: string }
  | { action: 'requeue'; delaySeconds: number; reason: string };

const IN_PROCESS_LAG_RETRIES_MS = [250, 500, 1000, 2000];
/** Up to this much waiting for the Graph budget in process; beyond it the message is re-queued. */
const MAX_IN_PROCESS_BUDGET_WAIT_MS = 3000;
const BUDGET_WAIT_JITTER_MS = 25;

export function makeProvisioningService(deps: ProvisioningDeps) {
  const { settings } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  /**
   * Tokens of the shared Graph write budget (a new guest takes two at once: the invitation and the group
   * add that follows, one storage round trip instead of two). Waits in process until exactly when the budget reopens
   * (plus a little jitter, so waiting handlers do not all race for the same token); a longer wait is
   * answered with a re-queue delay instead of holding the message.
   */
  async function takeWriteTokens(count: number): Promise<number | undefined> {
    let waitedMs = 0;
    for (;;) {
      const d = await deps.limiter.consume(
        GRAPH_BUDGET_KEY,
        graphWriteLimits(settings.graphWritesPerSecond),
        () => deps.clock.now(),
        count,
      );
      if (d.allowed) return undefined;
      if (waitedMs + d.retryAfterMs > MAX_IN_PROCESS_BUDGET_WAIT_MS) return d.retryAfterSeconds;
      const wait = d.retryAfterMs + Math.random() * BUDGET_WAIT_JITTER_MS;
      waitedMs += wait;
      await sleep(wait);
    }
  }

  const update = (
    signupId: string,
    apply: (f: SignupFlow) => SignupFlow,
    known?: Versioned<SignupFlow>,
    audit?: (written: SignupFlow) => readonly AuditEvent[],
  ) => updateFlow(deps.signups, signupId, apply, known, audit);

  const enrolment = makeEnrolmentSteps(deps, update);

  let groupsChecked = false;
  async function checkGroupsOnce(log: Logger): Promise<void> {
    if (groupsChecked || !deps.missingManagedGroups) return;
    groupsChecked = true;
    const missing = await deps.missingManagedGroups().catch(() => []);
    if (missing.length > 0) log.event('managed_group_missing', { groups: missing.join(',') }, 'error');
  }

  async function handle(message: ProvisionMessage, log: Logger): Promise<ProvisionOutcome> {
    await checkGroupsOnce(log);
    const stored = await deps.signups.get(message.signupId);
    if (!stored) return dropped('not_found');
    const status = effectiveStatus(stored.value, deps.clock.now());
    if (status === 'ready' || status === 'failed') return dropped(`already_${status}`);
    if (status !== 'verified' && status !== 'provisioning') return dropped(`not_verified_${status}`);

    const fields0 = { signupId: stored.value.signupId, correlationId: stored.value.correlationId };
    let decision: Eligibility;
    try {
      const held = await enrolment.holdWhileClosed(stored.value);
      if (held) {
        log.event('provisioning_held', { ...fields0, reason: held.reason });
        return held;
      }
      // `leave` and `reset` never create anything or add groups: no enrolment decision applies.
      decision =
        stored.value.intent === 'leave' || stored.value.intent === 'reset'
          ? { decision: 'provision', groupIds: [] }
          : await enrolment.eligibility(stored.value);
    } catch (error) {
      if (!isTransientError(error)) throw error;
      return { action: 'requeue', delaySeconds: error.retryAfterSeconds, reason: `graph_${error.kind}` };
    }
    if (decision.decision === 'not_eligible') return enrolment.notEligible(stored, decision.reason, log);
    if (decision.decision === 'approval') return enrolment.requestApproval(stored, log);
    const groupIds = enrolment.managedOnly(decision.decision === 'provision' ? decision.groupIds : [], log);

    let started: Versioned<SignupFlow> | undefined;
    try {
      started = await update(
        message.signupId,
        (f) => transition(f, { type: 'provisioning_started' }, deps.clock.now(), settings),
        stored,
      );
    } catch (error) {
      if (isAppError(error) && error.code === 'conflict') return dropped('raced_to_finish');
      throw error;
    }
    if (!started) return dropped('not_found');
    const flow = started.value;
    const fields = {
      signupId: flow.signupId,
      correlationId: flow.correlationId,
      address: maskEmail(flow.email),
    };

    try {
      const result = await provision(started, groupIds, log);
      if (result.action !== 'done') {
        log.event('provisioning_deferred', {
          ...fields,
          reason: result.reason,
          delaySeconds: result.delaySeconds,
        });
        return result;
      }
      return result.value;
    } catch (error) {
      if (isTransientError(error)) {
        log.event(
          error.kind === 'throttled' ? 'graph_throttled' : 'graph_unavailable',
          { ...fields, retryAfterSeconds: error.retryAfterSeconds },
          'warn',
        );
        return { action: 'requeue', delaySeconds: error.retryAfterSeconds, reason: `graph_${error.kind}` };
      }
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await update(message.signupId, (f) => ({ ...f, lastError: reason.slice(0, 500) })).catch(
        () => undefined,
      );
      log.event('provisioning_attempt_failed', { ...fields, error: reason }, 'error');
      throw error;
    }
  }

  type Step =
    { action: 'done'; value: ProvisionOutcome } | { action: 'requeue'; delaySeconds: number; reason: string };

  interface Account {
    outcome: Outcome;
    userId?: string;
    signInUrl?: string;
    /** How many group adds' budget tokens were taken with the invitation's. */
    groupAddsPaid?: number;
    /** Our own invitation created this object (security review L8). */
    createdByUs?: boolean;
  }
  type Requeue = { action: 'requeue'; delaySeconds: number; reason: string };

  async function provision(
    started: Versioned<SignupFlow>,
    groupIds: readonly string[],
    log: Logger,
  ): Promise<Step> {
    const flow = started.value;
    const found = await deps.directory.findUserByEmail(flow.canonicalEmail);
    if (flow.intent === 'leave') return leave(started, found, log);
    if (flow.intent === 'reset') {
      const reset = await deps.intents.reset(flow, found, log);
      return reset.action === 'requeue' ? reset : finish(started, reset, log);
    }
    const account =
      found?.userType === 'Member' ? member(found) : await guestAccount(flow, found, groupIds, log);
    if ('action' in account) return account;
    if (account.outcome !== 'existing_member' && account.userId) {
      for (const [i, groupId] of groupIds.entries()) {
        const paid = i < (account.groupAddsPaid ?? 0);
        const added = await addToGroupAllowingLag(flow, groupId, account.userId, paid);
        if (added.action === 'requeue') return added;
      }
    }
    return finish(started, account, log);
  }

  const member = (user: DirectoryUser): Account => ({
    outcome: 'existing_member',
    userId: user.id,
    signInUrl: settings.signInUrl,
  });

  async function guestAccount(
    flow: SignupFlow,
    found: DirectoryUser | undefined,
    groupIds: readonly string[],
    log: Logger,
  ): Promise<Account | Requeue> {
    const groups = groupIds.length;
    if (found && found.externalUserState !== 'PendingAcceptance') {
      await deps.intents.renewIfOurs(flow, found, log);
      await deps.intents.recordGroups(found.id, groupIds);
      return { outcome: 'existing_guest', userId: found.id, signInUrl: settings.signInUrl };
    }
    // No guest yet, or one who never redeemed: (re-)invite. Graph answers a re-invitation with the same
    // user and a fresh redeem link, which is what such a guest needs instead of the generic sign-in link.

    // The invitation and the group adds that follow take their budget tokens at once (one round trip).
    const wait = await takeWriteTokens(1 + groups);
    if (wait !== undefined) return { action: 'requeue', delaySeconds: wait, reason: 'graph_budget' };
    const invite = async (createdByUs: boolean): Promise<Account> => {
      const invitation = await deps.directory.inviteGuest({
        email: flow.canonicalEmail,
        displayName: displayNameFor(flow.canonicalEmail),
        redirectUrl: settings.inviteRedirectUrl,
      });
      log.event('guest_invited', {
        signupId: flow.signupId,
        correlationId: flow.correlationId,
        directoryUserId: invitation.userId,
      });
      // A redelivery finds the pending guest an earlier attempt created: the ledger says it was ours.
      const ours = createdByUs || (await deps.intents.createdBy(flow, invitation.userId));
      if (createdByUs) {
        // Recorded at once, before anything else can fail: only such a guest may ever be deleted (L8).
        await deps.access.recordCreatedGuest({
          emailHash: flow.addressKey,
          userId: invitation.userId,
          createdAt: deps.clock.now().toISOString(),
        });
        await deps.intents.recordCreated(flow, invitation.userId, groupIds, log);
      } else if (found) {
        await deps.intents.renewIfOurs(flow, found, log);
        await deps.intents.reinvited(flow, found);
        await deps.intents.recordGroups(found.id, groupIds);
      }
      return {
        outcome: ours ? 'guest_created' : 'existing_guest',
        userId: invitation.userId,
        signInUrl: invitation.inviteRedeemUrl,
        groupAddsPaid: groups,
        createdByUs: ours,
      };
    };
    try {
      // Nothing was found: this invitation creates the object. A pending guest found on a redelivery
      // may be someone else's invitation, so re-inviting it does not count as ours.
      return await invite(!found);
    } catch (error) {
      if (isTransientError(error)) throw error;
      // A conflict (the address is a member's) or a response lost after Graph created the guest: look
      // again, and never create a second object (req 50).
      const again = await deps.directory.findUserByEmail(flow.canonicalEmail);
      if (!again) throw error;
      if (again.userType === 'Member') return member(again);
      // Nothing existed before our invitation: a pending guest now is the one it created (response lost).
      if (again.externalUserState === 'PendingAcceptance') return invite(!found);
      return {
        outcome: 'existing_guest',
        userId: again.id,
        signInUrl: settings.signInUrl,
        groupAddsPaid: groups,
      };
    }
  }

  /**
   * `leave`: only a guest our own invitation created for this address is deleted. The guest's id is
   * written on the flow before anything is deleted, so a redelivery after a crash finishes the job
   * instead of finding nothing and answering `not_managed`.
   */
  async function leave(
    started: Versioned<SignupFlow>,
    found: DirectoryUser | undefined,
    log: Logger,
  ): Promise<Step> {
    let current = started;
    let userId = current.value.directoryUserId;
    if (userId === undefined) {
      if (!found || !(await deps.intents.isOurs(current.value, found)))
        return finish(started, { outcome: 'not_managed' }, log);
      userId = found.id;
      const marked = await update(
        current.value.signupId,
        (f) => ({ ...f, directoryUserId: found.id }),
        current,
      );
      if (!marked) return { action: 'done', value: dropped('not_found') };
      current = marked;
    }
    const removed = await deps.intents.removeGuest(userId, log);
    if (removed.action === 'requeue') return removed;
    const flow = current.value;
    await deps.access.forgetCreatedGuest(flow.addressKey);
    await deps.intents.eraseAddress(flow);
    const now = deps.clock.now();
    // One write: the outcome and the end of the address on this record; its audit row names no one.
    await update(
      flow.signupId,
      (f) =>
        transition(
          transition(f, { type: 'provisioned', outcome: 'guest_removed' }, now, settings),
          { type: 'address_erased' },
          now,
          settings,
        ),
      current,
      () => [
        {
          type: 'provisioned',
          at: now.toISOString(),
          actor: 'system',
          signupId: flow.signupId,
          details: { outcome: 'guest_removed' },
        },
      ],
    );
    log.event('signup_provisioned', { signupId: flow.signupId, outcome: 'guest_removed' });
    return { action: 'done', value: { action: 'done', outcome: 'guest_removed' } };
  }

  async function addToGroupAllowingLag(
    flow: SignupFlow,
    groupId: string,
    userId: string,
    paid: boolean,
  ): Promise<{ action: 'ok' } | { action: 'requeue'; delaySeconds: number; reason: string }> {
    for (const delay of [...IN_PROCESS_LAG_RETRIES_MS, -1]) {
      const wait = paid ? undefined : await takeWriteTokens(1);
      paid = false;
      if (wait !== undefined) return { action: 'requeue', delaySeconds: wait, reason: 'graph_budget' };
      try {
        await deps.directory.addToGroup(groupId, userId);
        return { action: 'ok' };
      } catch (error) {
        if (!(error instanceof NotFoundYetError) && (error as { name?: string }).name !== 'NotFoundYetError')
          throw error;
        if (delay < 0) break;
        await sleep(delay);
      }
    }
    // Still invisible: come back later, until the replication budget since the first attempt is spent.
    const started = Date.parse(flow.provisioningStartedAt ?? flow.verifiedAt ?? flow.createdAt);
    if (deps.clock.now().getTime() - started < settings.replicationLagBudgetMs) {
      return { action: 'requeue', delaySeconds: 10, reason: 'replication_lag' };
    }
    throw new Error('The new guest did not become visible to the group API in time');
  }

  async function finish(started: Versioned<SignupFlow>, account: Account, log: Logger): Promise<Step> {
    const flow = started.value;
    const { outcome, signInUrl, userId: directoryUserId } = account;
    // Looked up only now, after verification: nobody can make us probe a domain by starting a sign-up.
    const homeTenant =
      outcome === 'guest_created' || outcome === 'existing_guest' || outcome === 'redemption_reset'
        ? await deps.intents.homeTenant(flow.domain)
        : undefined;
    await update(
      flow.signupId,
      (f) =>
        transition(
          f,
          {
            type: 'provisioned',
            outcome,
            signInUrl,
            directoryUserId,
            homeTenant,
            guestCreatedByUs: account.createdByUs === true,
          },
          deps.clock.now(),
          settings,
        ),
      started,
      () => [
        auditEvent('provisioned', flow, deps.clock.now(), {
          details: { outcome, ...(directoryUserId ? { directoryUserId } : {}) },
        }),
      ],
    );
    await deps.queue.send(QUEUES.email, { signupId: flow.signupId, kind: 'account_ready' });
    (deps.metrics ?? noMetrics).count('signups.ready', { outcome });
    log.event('signup_provisioned', {
      signupId: flow.signupId,
      correlationId: flow.correlationId,
      outcome,
      directoryUserId,
    });
    return { action: 'done', value: { action: 'done', outcome } };
  }

  /** Called from the poison queue after every retry failed: the flow ends `failed` and the person is told. */
  async function markFailed(message: ProvisionMessage, log: Logger): Promise<void> {
    const stored = await deps.signups.get(message.signupId);
    if (!stored) return;
    const status = stored.value.status;
    if (status !== 'verified' && status !== 'provisioning') return;
    const reason = stored.value.lastError ?? 'Provisioning failed after all retries';
    const written = await update(
      message.signupId,
      (f) =>
        f.status === 'verified' || f.status === 'provisioning'
          ? transition(f, { type: 'provisioning_failed', reason }, deps.clock.now(), settings)
          : f,
      stored,
    );
    const failed = written?.value;
    if (failed?.status !== 'failed') return;
    await deps.queue.send(QUEUES.email, { signupId: message.signupId, kind: 'signup_failed' });
    (deps.metrics ?? noMetrics).count('signups.failed', { outcome: 'provisioning_failed' });
    await audit(deps.audit, log, 'failed', failed, deps.clock.now(), {
      details: { reason: reason.slice(0, 200) },
    });
    log.event('poison_message', { queue: 'provision', signupId: message.signupId, reason }, 'error');
    log.event(
      'signup_failed',
      { signupId: message.signupId, correlationId: failed.correlationId, reason },
      'error',
    );
  }

  return { handle, markFailed };
}

function dropped(reason: string): ProvisionOutcome {
  return { action: 'dropped', reason };
}

/** "jane.doe@contoso.com" → "jane.doe (contoso.com)": readable in the directory, nothing invented. */
export function displayNameFor(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, at)} (${email.slice(at + 1)})`.slice(0, 256);
}

export type ProvisioningService = ReturnType<typeof makeProvisioningService>;
