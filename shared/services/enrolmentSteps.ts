/**
 * The provisioner's enrolment steps, decided after verification only: hold while the door is closed (the
 * kill switch), decide eligibility (revocation, enrolment mode, proof of send), end a flow not eligible,
 * ask a sponsor, and keep partner groups to the managed ones (shared/domain/accessPolicy.ts has the rules).
 */
import {
  afterMailCheck,
  decideEligibility,
  type Eligibility,
  type NotEligibleReason,
} from '../domain/accessPolicy';
import { parseEmailAddress } from '../domain/emailAddress';
import { gate } from '../domain/killSwitch';
import { type SignupFlow, transition } from '../domain/signupFlow';
import type { Logger } from '../log';
import type { AuditEvent, Versioned } from '../ports';
import { QUEUES } from '../storageNames';
import { auditEvent } from './audit';
import type { ProvisionOutcome, ProvisioningDeps } from './provisioningService';

/** How long a held message waits before it looks at the policy again (the policy cache is 5 s). */
export const HOLD_SECONDS = 10;

const NOT_FOUND: ProvisionOutcome = { action: 'dropped', reason: 'not_found' };

type Requeue = { action: 'requeue'; delaySeconds: number; reason: string };
type Update = (
  signupId: string,
  apply: (f: SignupFlow) => SignupFlow,
  known?: Versioned<SignupFlow>,
  audit?: (written: SignupFlow) => readonly AuditEvent[],
) => Promise<Versioned<SignupFlow> | undefined>;

export function makeEnrolmentSteps(deps: ProvisioningDeps, update: Update) {
  const { settings } = deps;

  /** The kill switch (M2): a paused or blocked domain's message waits, and resumes on un-pause. */
  async function holdWhileClosed(flow: SignupFlow): Promise<Requeue | undefined> {
    const policy = await deps.policy.get();
    const g = gate(parseEmailAddress(flow.email), policy, deps.clock.now(), settings.organizationName);
    if (g.open) return undefined;
    return {
      action: 'requeue',
      delaySeconds: HOLD_SECONDS,
      reason: g.code === 'signups_paused' ? 'paused' : `domain_${g.reason}`,
    };
  }

  async function eligibility(flow: SignupFlow): Promise<Eligibility> {
    const policy = (await deps.policy.get()).access;
    const revoked = (await deps.access.getRevocation(flow.addressKey)) !== undefined;
    const first = decideEligibility({
      domain: flow.domain,
      policy,
      revoked,
      approved: flow.approvalDecision === 'approve',
    });
    if (first.decision !== 'check_mail') return first;
    const now = deps.clock.now();
    const since = new Date(now.getTime() - first.days * 86_400_000);
    return afterMailCheck(policy, await deps.traces.deliveredTo(flow.canonicalEmail, since, now));
  }

  function managedOnly(groupIds: readonly string[], log: Logger): string[] {
    const managed = new Set(settings.managedGroupIds.map((g) => g.toLowerCase()));
    const out = groupIds.filter((g) => managed.has(g.toLowerCase()));
    if (out.length < groupIds.length) {
      // The admin API refuses such a policy; a stored one from before a settings change is skipped here.
      log.event('unmanaged_group_skipped', { count: groupIds.length - out.length }, 'error');
    }
    return out;
  }

  async function notEligible(
    stored: Versioned<SignupFlow>,
    reason: NotEligibleReason,
    log: Logger,
  ): Promise<ProvisionOutcome> {
    const written = await update(
      stored.value.signupId,
      (f) => transition(f, { type: 'found_not_eligible', reason }, deps.clock.now(), settings),
      stored,
      (w) => [auditEvent('not_eligible', w, deps.clock.now(), { details: { reason } })],
    );
    if (!written) return NOT_FOUND;
    await deps.queue.send(QUEUES.email, { signupId: stored.value.signupId, kind: 'not_eligible' });
    log.event('signup_not_eligible', {
      signupId: stored.value.signupId,
      correlationId: stored.value.correlationId,
      reason,
    });
    return { action: 'done', outcome: 'not_eligible' };
  }

  async function requestApproval(stored: Versioned<SignupFlow>, log: Logger): Promise<ProvisionOutcome> {
    const now = deps.clock.now();
    const expiresAt = new Date(now.getTime() + settings.approvalTtlDays * 86_400_000).toISOString();
    const written = await update(
      stored.value.signupId,
      (f) => transition(f, { type: 'approval_requested', expiresAt }, deps.clock.now(), settings),
      stored,
      (w) => [auditEvent('approval_requested', w, deps.clock.now(), { details: { expiresAt } })],
    );
    if (!written) return NOT_FOUND;
    await deps.queue.send(QUEUES.email, { signupId: stored.value.signupId, kind: 'approval_request' });
    log.event('approval_requested', {
      signupId: stored.value.signupId,
      correlationId: stored.value.correlationId,
      expiresAt,
    });
    return { action: 'done', outcome: 'pending_approval' };
  }

  return { holdWhileClosed, eligibility, managedOnly, notEligible, requestApproval };
}
