/**
 * Sponsor approval: the request behind an `/approvals/{token}` link, and its decision.
 * Reading never decides (mail scanners open links); a decision is single use, bound to its flow by the
 * token, and only possible while the request is pending and unexpired.
 */
import { approvalTokenMatches, signupIdOfToken } from '../domain/approvalToken';
import { SIGNUP_ID_PATTERN } from '../domain/codes';
import { parseEmailAddress } from '../domain/emailAddress';
import { effectiveStatus, type FlowLimits, type SignupFlow, transition } from '../domain/signupFlow';
import { AppError } from '../errors';
import { maskEmail } from '../domain/addressMask';
import type { Logger } from '../log';
import type { Clock, QueuePublisher, SignupStore, Versioned } from '../ports';
import { QUEUES } from '../storageNames';
import { auditEvent } from './audit';
import { updateFlow } from './updateFlow';

export interface ApprovalSettings extends FlowLimits {
  secret: string;
}

export interface ApprovalDeps {
  signups: SignupStore;
  queue: QueuePublisher;
  clock: Clock;
  settings: ApprovalSettings;
}

export type ApprovalDecision = 'approve' | 'deny';

export interface ApprovalRequestView {
  /** The requester's verified address and domain (Unicode), which the sponsor decides about. */
  email: string;
  domain: string;
  status: 'pending' | 'approved' | 'denied';
  expiresAt: string;
}

export function makeApprovalService(deps: ApprovalDeps) {
  const { settings } = deps;

  /** The flow the token names, when the token is its current one; anything else is one 404. */
  async function load(token: string): Promise<Versioned<SignupFlow>> {
    const signupId = signupIdOfToken(token);
    const stored = signupId ? await deps.signups.get(signupId) : undefined;
    if (!stored || !approvalTokenMatches(settings.secret, token, stored.value.approvalTokenHash)) {
      throw new AppError('approval_not_found');
    }
    return stored;
  }

  async function get(token: string): Promise<ApprovalRequestView> {
    const { value: flow } = await load(token);
    const decided = flow.approvalDecision;
    if (!decided && effectiveStatus(flow, deps.clock.now()) !== 'pending_approval') {
      throw new AppError('approval_not_found');
    }
    const address = parseEmailAddress(flow.email);
    return {
      email: `${address.local}@${address.unicodeDomain}`,
      domain: address.unicodeDomain,
      status: decided === 'approve' ? 'approved' : decided === 'deny' ? 'denied' : 'pending',
      expiresAt: flow.expiresAt,
    };
  }

  async function decide(
    token: string,
    decision: ApprovalDecision,
    log: Logger,
  ): Promise<{ decision: ApprovalDecision; signupId: string }> {
    return apply(await load(token), decision, 'sponsor', log);
  }

  /**
   * An admin's decision about a pending sign-up, by its id: the same single-use transition, audited with
   * the admin as actor. A flow not waiting for approval (and never decided) answers 409 `conflict`.
   */
  async function decideById(
    signupId: string,
    decision: ApprovalDecision,
    actor: string,
    log: Logger,
  ): Promise<{ decision: ApprovalDecision; signupId: string }> {
    const known = SIGNUP_ID_PATTERN.test(signupId) ? await deps.signups.get(signupId) : undefined;
    if (!known) throw new AppError('not_found', 'No sign-up with this id.');
    try {
      return await apply(known, decision, actor, log);
    } catch (error) {
      if (error instanceof AppError && error.code === 'approval_not_found') {
        throw new AppError('conflict', 'Only a sign-up waiting for approval can be decided.');
      }
      throw error;
    }
  }

  async function apply(
    known: Versioned<SignupFlow>,
    decision: ApprovalDecision,
    actor: string,
    log: Logger,
  ): Promise<{ decision: ApprovalDecision; signupId: string }> {
    const written = await updateFlow(
      deps.signups,
      known.value.signupId,
      (f) => transition(f, { type: 'approval_decided', decision }, deps.clock.now(), settings),
      known,
      (w) => [auditEvent('approval_decided', w, deps.clock.now(), { actor, details: { decision } })],
    );
    if (!written) throw new AppError('approval_not_found');
    const flow = written.value;
    // Approve → the provisioner (which still honours revocation and the kill switch); deny → the notice.
    if (decision === 'approve') await deps.queue.send(QUEUES.provision, { signupId: flow.signupId });
    else await deps.queue.send(QUEUES.email, { signupId: flow.signupId, kind: 'not_eligible' });
    log.event('approval_decided', {
      signupId: flow.signupId,
      correlationId: flow.correlationId,
      address: maskEmail(flow.email),
      decision,
      actor,
    });
    return { decision, signupId: flow.signupId };
  }

  return { get, decide, decideById };
}

export type ApprovalService = ReturnType<typeof makeApprovalService>;
