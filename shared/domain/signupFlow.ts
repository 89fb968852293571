/**
 * The sign-up flow: one persisted record per attempt to prove ownership of an address, with an explicit
 * status and a pure `transition`. See signupFlow.md for the state diagram.
 */
import type { NotEligibleReason } from './accessPolicy';
import { AppError } from './errors';

export const SIGNUP_STATUSES = [
  'pending_verification',
  'verified',
  'pending_approval',
  'provisioning',
  'ready',
  'failed',
  'expired',
  'not_eligible',
] as const;
export type SignupStatus = (typeof SIGNUP_STATUSES)[number];

export const OUTCOMES = [
  'guest_created',
  'existing_guest',
  'existing_member',
  // Outcomes of the `leave` and `reset` intents (shared/services/guestIntents.ts).
  'guest_removed',
  'not_managed',
  'redemption_reset',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What confirming the code will do: create or renew (`join`), delete (`leave`), or re-invite (`reset`). */
export const INTENTS = ['join', 'leave', 'reset'] as const;
export type Intent = (typeof INTENTS)[number];

export interface SignupFlow {
  signupId: string;
  status: SignupStatus;
  /** As typed (trimmed); shown back to the person and used as the recipient. */
  email: string;
  /** Lower-case local part + ASCII domain: what Graph is asked about. */
  canonicalEmail: string;
  /** HMAC of the rate-limit form of the address: keys limits and the one-active-flow pointer. */
  addressKey: string;
  domain: string;
  locale: string;
  /** Absent on flows started before intents existed: `join`. */
  intent?: Intent;
  correlationId: string;
  /** W3C trace context of the start request: later hops (verify, provisioning) continue its trace. */
  traceparent?: string;
  tracestate?: string;
  createdAt: string;
  /** The flow cannot be verified (or, while `pending_approval`, decided) after this instant. */
  expiresAt: string;

  /** Incremented whenever a new code is wanted (start = 1, each resend + 1). */
  codeRequests: number;
  codeRequestedAt: string;
  /** Version of the code whose HMAC is stored; 0 = no code issued yet. */
  codeVersion: number;
  codeHash?: string;
  codeIssuedAt?: string;
  codeExpiresAt?: string;
  /** Submissions against the current code (counted before comparing). */
  codeSubmissions: number;
  /**
   * The latest code request's place in its domain's lane of the email budget (`<epoch>:<n>`, see
   * shared/domain/fairShare.ts); absent on flows started before lanes existed.
   */
  codeTicket?: string;
  /** The code request (codeRequests value) whose email went out, so a redelivery does not send again. */
  emailedRequest: number;
  /** Failed submissions across all codes of this flow; never reset by a resend. */
  failedSubmissions: number;
  lockedAt?: string;

  verifiedAt?: string;
  /** Why a verified address gets no account (`not_eligible`). */
  notEligibleReason?: NotEligibleReason;
  /** Keyed hash of the approval link; kept after the decision so a second one is told `already_decided`. */
  approvalTokenHash?: string;
  approvalRequestedAt?: string;
  approvalDecision?: 'approve' | 'deny';
  approvalDecidedAt?: string;
  /** Set when our own invitation created the guest (not an existing object): only such a guest may be deleted. */
  guestCreatedByUs?: boolean;
  /** When the approval-request, denied and not-eligible notices went out. */
  approvalEmailedAt?: string;
  noticeEmailedAt?: string;
  /** Last time a status read re-queued provisioning for a flow left `verified` (see signupService). */
  provisionKickedAt?: string;
  provisioningStartedAt?: string;
  provisionAttempts: number;
  finishedAt?: string;
  outcome?: Outcome;
  signInUrl?: string;
  directoryUserId?: string;
  /** The recipient's domain has its own Entra tenant: sign in with the organisation account, not a passcode. */
  homeTenant?: boolean;
  /** After `leave`: the address, its hash and the code are gone from this record (only the outcome is left). */
  erasedAt?: string;
  lastError?: string;
  /** Set when the code email could not be delivered (poison queue, or the address is suppressed). */
  emailFailedAt?: string;
  /** `undeliverable`: the address bounced or its mail server refused it (the suppression list). */
  emailFailedReason?: 'undeliverable';
  /** When the account-ready or failure notice went out, so a redelivery does not send it twice. */
  readyEmailedAt?: string;
  failureEmailedAt?: string;
}

export interface FlowLimits {
  codeTtlMinutes: number;
  codeMaxSubmissions: number;
  flowMaxFailures: number;
  resendCooldownSeconds: number;
}

export type FlowEvent =
  | { type: 'resend_requested' }
  | { type: 'code_issued'; codeHash: string }
  | { type: 'code_emailed'; request: number }
  | { type: 'code_submitted'; matches: boolean; isCurrentFlow: boolean }
  | { type: 'provisioning_started' }
  | {
      type: 'provisioned';
      outcome: Outcome;
      signInUrl?: string;
      directoryUserId?: string;
      homeTenant?: boolean;
      guestCreatedByUs?: boolean;
    }
  | { type: 'address_erased' }
  | { type: 'provisioning_failed'; reason: string }
  | { type: 'email_failed'; reason?: 'undeliverable' }
  | { type: 'notice_emailed'; kind: 'account_ready' | 'signup_failed' | 'not_eligible' | 'approval_request' }
  | { type: 'retry_requested' }
  | { type: 'found_not_eligible'; reason: NotEligibleReason }
  | { type: 'approval_requested'; expiresAt: string }
  | { type: 'approval_token_issued'; tokenHash: string }
  | { type: 'approval_decided'; decision: 'approve' | 'deny' };

const FINISHED: readonly SignupStatus[] = ['ready', 'failed', 'expired', 'not_eligible'];
const PAST_VERIFICATION: readonly SignupStatus[] = [
  'verified',
  'pending_approval',
  'provisioning',
  'ready',
  'failed',
  'not_eligible',
];
const NOTICE_FIELD = {
  account_ready: 'readyEmailedAt',
  signup_failed: 'failureEmailedAt',
  approval_request: 'approvalEmailedAt',
  not_eligible: 'noticeEmailedAt',
} as const satisfies Record<string, keyof SignupFlow>;

/** Statuses that end at `expiresAt` without a write (the read says `expired`). */
const WAITING: readonly SignupStatus[] = ['pending_verification', 'pending_approval'];

const addSeconds = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000).toISOString();

export function newFlow(input: {
  signupId: string;
  email: string;
  canonicalEmail: string;
  addressKey: string;
  domain: string;
  locale: string;
  correlationId: string;
  now: Date;
  flowTtlHours: number;
  intent?: Intent;
}): SignupFlow {
  const now = input.now.toISOString();
  return {
    signupId: input.signupId,
    status: 'pending_verification',
    email: input.email,
    canonicalEmail: input.canonicalEmail,
    addressKey: input.addressKey,
    domain: input.domain,
    locale: input.locale,
    ...(input.intent && input.intent !== 'join' ? { intent: input.intent } : {}),
    correlationId: input.correlationId,
    createdAt: now,
    expiresAt: addSeconds(input.now, input.flowTtlHours * 3600),
    codeRequests: 1,
    codeRequestedAt: now,
    codeVersion: 0,
    codeSubmissions: 0,
    emailedRequest: 0,
    failedSubmissions: 0,
    provisionAttempts: 0,
  };
}

/**
 * The status a client sees: a flow waiting for its code or for a sponsor past its `expiresAt` reads as
 * expired without a write.
 */
export function effectiveStatus(flow: SignupFlow, now: Date): SignupStatus {
  if (WAITING.includes(flow.status) && now.getTime() >= Date.parse(flow.expiresAt)) return 'expired';
  return flow.status;
}

export function isFinished(flow: SignupFlow, now: Date): boolean {
  return FINISHED.includes(effectiveStatus(flow, now));
}

/** When the next code may be requested for this flow. */
export function resendAvailableAt(flow: SignupFlow, limits: FlowLimits): string {
  return addSeconds(new Date(flow.codeRequestedAt), limits.resendCooldownSeconds);
}

/**
 * When the code the person is waiting for stops working: the issued code's expiry, or for a code still
 * being emailed, the lifetime counted from the request.
 */
export function codeExpiresAt(flow: SignupFlow, limits: FlowLimits): string {
  if (flow.codeExpiresAt && flow.emailedRequest === flow.codeRequests) return flow.codeExpiresAt;
  return addSeconds(new Date(flow.codeRequestedAt), limits.codeTtlMinutes * 60);
}

/**
 * Applies one event. Pure: returns a new record or throws an AppError the HTTP layer can map. Callers write
 * the result back with the ETag they read, so two racing transitions can never both succeed.
 */
export function transition(flow: SignupFlow, event: FlowEvent, now: Date, limits: FlowLimits): SignupFlow {
  const status = effectiveStatus(flow, now);
  const at = now.toISOString();
  switch (event.type) {
    case 'resend_requested': {
      if (PAST_VERIFICATION.includes(status)) throw new AppError('already_verified');
      if (status !== 'pending_verification') throw new AppError('signup_not_found');
      const availableAt = Date.parse(resendAvailableAt(flow, limits));
      if (now.getTime() < availableAt) {
        throw new AppError('resend_too_soon', undefined, {
          retryAfterSeconds: Math.ceil((availableAt - now.getTime()) / 1000),
        });
      }
      return { ...flow, codeRequests: flow.codeRequests + 1, codeRequestedAt: at };
    }
    case 'code_issued': {
      if (status !== 'pending_verification') throw new AppError('signup_not_found');
      return {
        ...flow,
        codeVersion: flow.codeVersion + 1,
        codeHash: event.codeHash,
        codeIssuedAt: at,
        codeExpiresAt: addSeconds(now, limits.codeTtlMinutes * 60),
        codeSubmissions: 0,
      };
    }
    case 'code_emailed':
      return {
        ...flow,
        emailedRequest: Math.max(flow.emailedRequest, event.request),
        emailFailedAt: undefined,
        emailFailedReason: undefined,
      };
    case 'code_submitted': {
      if (PAST_VERIFICATION.includes(status)) throw new AppError('already_verified');
      if (status !== 'pending_verification') throw new AppError('signup_not_found');
      // The submission counts before the comparison matters: a correct 6th try still fails (req 8).
      const codeUsable =
        flow.codeHash !== undefined &&
        flow.codeExpiresAt !== undefined &&
        now.getTime() < Date.parse(flow.codeExpiresAt) &&
        flow.codeSubmissions < limits.codeMaxSubmissions &&
        event.isCurrentFlow;
      if (codeUsable && event.matches) {
        return {
          ...flow,
          status: 'verified',
          verifiedAt: at,
          codeSubmissions: flow.codeSubmissions + 1,
          codeHash: undefined, // single use (req 4)
        };
      }
      const failedSubmissions = flow.failedSubmissions + 1;
      const locked = failedSubmissions >= limits.flowMaxFailures;
      return {
        ...flow,
        codeSubmissions: flow.codeSubmissions + 1,
        failedSubmissions,
        ...(locked ? { status: 'expired' as const, lockedAt: at, codeHash: undefined, finishedAt: at } : {}),
      };
    }
    case 'provisioning_started':
      if (status !== 'verified' && status !== 'provisioning') throw new AppError('conflict');
      return {
        ...flow,
        status: 'provisioning',
        provisioningStartedAt: flow.provisioningStartedAt ?? at,
        provisionAttempts: flow.provisionAttempts + 1,
      };
    case 'provisioned':
      if (status !== 'verified' && status !== 'provisioning') throw new AppError('conflict');
      return {
        ...flow,
        status: 'ready',
        outcome: event.outcome,
        signInUrl: event.signInUrl,
        directoryUserId: event.directoryUserId,
        homeTenant: event.homeTenant,
        ...(event.guestCreatedByUs ? { guestCreatedByUs: true } : {}),
        finishedAt: at,
        lastError: undefined,
      };
    case 'address_erased':
      // Only a finished `leave` forgets its person; the record stays as an anonymous status for the page.
      if (status !== 'ready' || flow.outcome !== 'guest_removed') throw new AppError('conflict');
      return {
        ...flow,
        email: '',
        canonicalEmail: '',
        addressKey: '',
        codeHash: undefined,
        directoryUserId: undefined,
        erasedAt: at,
      };
    case 'provisioning_failed':
      if (status !== 'verified' && status !== 'provisioning') throw new AppError('conflict');
      return { ...flow, status: 'failed', lastError: event.reason, finishedAt: at };
    case 'email_failed':
      return { ...flow, emailFailedAt: at, emailFailedReason: event.reason };
    case 'notice_emailed':
      return { ...flow, [NOTICE_FIELD[event.kind]]: at };
    case 'found_not_eligible':
      // Decided after verification only (never at start), so start answers stay identical (req 23).
      if (status !== 'verified' && status !== 'provisioning') throw new AppError('conflict');
      return {
        ...flow,
        status: 'not_eligible',
        notEligibleReason: event.reason,
        approvalTokenHash: undefined,
        finishedAt: at,
      };
    case 'approval_requested':
      if (status !== 'verified' && status !== 'provisioning') throw new AppError('conflict');
      return {
        ...flow,
        status: 'pending_approval',
        approvalRequestedAt: at,
        expiresAt: event.expiresAt,
      };
    case 'approval_token_issued':
      // Issued by the email function as it mails the approvers (like a code: only the hash is kept).
      if (status !== 'pending_approval' || flow.approvalDecision !== undefined)
        throw new AppError('approval_not_found');
      return { ...flow, approvalTokenHash: event.tokenHash };
    case 'approval_decided': {
      if (flow.approvalDecision !== undefined) throw new AppError('already_decided');
      if (status !== 'pending_approval') throw new AppError('approval_not_found');
      const decided = {
        ...flow,
        approvalDecision: event.decision,
        approvalDecidedAt: at, // single use: a second decision finds this and is refused
      };
      return event.decision === 'approve'
        ? { ...decided, status: 'verified' }
        : { ...decided, status: 'not_eligible', notEligibleReason: 'denied', finishedAt: at };
    }
    case 'retry_requested':
      if (status !== 'failed') throw new AppError('conflict', 'Only a failed sign-up can be retried.');
      return {
        ...flow,
        status: 'verified',
        lastError: undefined,
        finishedAt: undefined,
        provisioningStartedAt: undefined,
      };
  }
}
