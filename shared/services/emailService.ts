/**
 * The email function's service: issues codes and sends the code, account-ready, failure, not-eligible and
 * sponsor-approval emails, exactly once per request, within the per-recipient caps and the global send
 * budget (req 15–17, 22, 54). While sign-ups are paused or the domain is blocked, every message is held
 * (re-queued with a delay, never dropped) and goes out after the un-pause.
 */

import type { EmailMessage } from '../contracts/queues';
import { approversFor } from '../domain/accessPolicy';
import { hashApprovalToken, newApprovalToken } from '../domain/approvalToken';
import { generateCode, hashCode } from '../domain/codes';
import { parseEmailAddress } from '../domain/emailAddress';
import { withEtagRetry } from '../domain/etagRetry';
import { gate } from '../domain/killSwitch';
import { effectiveStatus, type FlowLimits, type SignupFlow, transition } from '../domain/signupFlow';
import { type Branding, renderVerificationEmail } from '../email/templates';
import { renderApprovalRequestEmail } from '../email/accessTemplates';
import { isConcurrencyError, isTransientError } from '../errors';
import { type Locale, negotiateLocale } from '../i18n';
import { maskEmail } from '../domain/addressMask';
import { type Logger } from '../log';
import {
  RecipientRejectedError,
  type AuditEvent,
  type AddressRecord,
  type OutgoingEmail,
  type RateLimit,
  type AddressStore,
  type Clock,
  type EmailSender,
  type Metrics,
  type PolicyProvider,
  type RateLimiter,
  type SignupStore,
  type Versioned,
} from '../ports';
import { noMetrics } from '../telemetry/noop';
import { budgetLimits, parseTicket } from '../domain/fairShare';
import { auditEvent } from './audit';
import { makeEmailLedger } from './emailLedger';
import type { BounceService } from './bounceService';
import { type NoticeKind, renderNotice } from './noticeEmails';
import { updateFlow } from './updateFlow';

export interface EmailSettings extends FlowLimits {
  secret: string;
  publicBaseUrl: string;
  recipientPerMinute: number;
  recipientPerHour: number;
  recipientPerDay: number;
  budgetPerMinute: number;
  budgetPerHour: number;
  /** Share of each budget window one recipient domain may take while others wait. */
  domainShare: number;
  flowTtlHours: number;
  retentionDays: number;
  defaultLocale: Locale;
  branding: Branding;
  /** How long a sponsor has to decide (APPROVAL_TTL_DAYS), stated in the approval email. */
  approvalTtlDays: number;
}

export interface EmailDeps {
  signups: SignupStore;
  addresses: AddressStore;
  limiter: RateLimiter;
  sender: EmailSender;
  policy: PolicyProvider;
  clock: Clock;
  settings: EmailSettings;
  metrics?: Metrics;
  /** The suppression list (bounces); without it (benches) no address is ever suppressed. */
  bounces?: BounceService;
}

/** How long a held message waits before it looks at the policy again (the policy cache is 5 s). */
export const EMAIL_HOLD_SECONDS = 10;

export type EmailOutcome =
  | { action: 'sent' }
  | { action: 'dropped'; reason: string }
  | { action: 'requeue'; delaySeconds: number; reason: string };

export { EMAIL_BUDGET_KEY } from './emailLedger';

/** The global send budget: sliding, because ACS counts its quota over any minute and any hour. */
export function emailBudgetLimits(perMinute: number, perHour: number): RateLimit[] {
  return budgetLimits({ budgetPerMinute: perMinute, budgetPerHour: perHour });
}
const MAX_RACES = 20;
/** A message that must wait is looked at again at least this often (its turn may come sooner). */
const MAX_WAIT_SECONDS = 600;

/** A code issued and stored, with the recipient slot it reserved, ready to be emailed. */
interface IssuedCode {
  flow: SignupFlow;
  issued: SignupFlow;
  issuedVersion: Versioned<SignupFlow>;
  reserved: Versioned<AddressRecord>;
  /** The reserved slot's time (ms), given back if the email does not go out. */
  t: number;
  code: string;
}
const MINUTE = 60_000;
const DAY = 24 * 3600_000;
const UNDELIVERABLE = { type: 'email_failed', reason: 'undeliverable' } as const;

export function makeEmailService(deps: EmailDeps) {
  const { settings } = deps;
  const ledger = makeEmailLedger({ ...deps, settings });
  const metrics = deps.metrics ?? noMetrics;

  /**
   * Takes one token from the budget shared by every instance when it is this email's turn (fair share per
   * domain; codes before every other email: shared/domain/fairShare.ts); otherwise seconds until it should
   * ask again.
   */
  async function takeBudget(
    email: { kind: 'code'; flow: SignupFlow } | { kind: 'notice' },
  ): Promise<number | undefined> {
    const decision = await ledger.claim(
      email.kind === 'notice'
        ? email
        : {
            kind: 'code',
            lane: email.flow.domain,
            ticket: parseTicket(email.flow.domain, email.flow.codeTicket),
          },
    );
    if (decision.allowed) return undefined;
    return Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.ceil((decision.retryAt - decision.now) / 1000)));
  }

  /** The flow's code request no longer waits in its domain's lane (dropped or failed); idempotent. */
  async function leaveLane(flow: SignupFlow): Promise<void> {
    const ticket = parseTicket(flow.domain, flow.codeTicket);
    if (ticket) await ledger.settle(ticket);
  }

  async function drop(flow: SignupFlow, reason: string): Promise<EmailOutcome> {
    await leaveLane(flow);
    return { action: 'dropped', reason };
  }

  const locale = (flow: SignupFlow) =>
    negotiateLocale({ requested: flow.locale, fallback: settings.defaultLocale });

  /** The kill switch (M2): a paused or blocked flow's email waits, and goes out after the un-pause. */
  async function held(signupId: string): Promise<EmailOutcome | undefined> {
    const stored = await deps.signups.get(signupId);
    if (!stored) return undefined;
    const policy = await deps.policy.get();
    const g = gate(
      parseEmailAddress(stored.value.email),
      policy,
      deps.clock.now(),
      settings.branding.organizationName,
    );
    if (g.open) return undefined;
    const reason = g.code === 'signups_paused' ? 'paused' : `domain_${g.reason}`;
    return { action: 'requeue', delaySeconds: EMAIL_HOLD_SECONDS, reason };
  }

  async function handle(message: EmailMessage, log: Logger): Promise<EmailOutcome> {
    const outcome =
      (await held(message.signupId)) ??
      (message.kind === 'verification_code'
        ? await sendCode(message.signupId, log)
        : message.kind === 'approval_request'
          ? await sendApprovalRequest(message.signupId, log)
          : await sendNotice(message, log));
    if (outcome.action === 'sent') metrics.count('email.sent', { kind: message.kind });
    if (outcome.action === 'requeue') {
      metrics.count('email.deferred', { kind: message.kind, reason: outcome.reason });
    }
    if (outcome.action !== 'sent') {
      log.event(outcome.action === 'requeue' ? 'email_deferred' : 'email_dropped', {
        signupId: message.signupId,
        kind: message.kind,
        reason: outcome.reason,
        delaySeconds: outcome.action === 'requeue' ? outcome.delaySeconds : undefined,
      });
    }
    return outcome;
  }

  async function sendCode(signupId: string, log: Logger): Promise<EmailOutcome> {
    const issue = await withEtagRetry(
      () => deps.signups.get(signupId),
      (stored) => reserveAndIssue(signupId, stored, log),
      { attempts: MAX_RACES, exhausted: () => new Error('Email: too much contention') },
    );
    if ('action' in issue) return issue;
    const { flow, issued, issuedVersion, reserved, t, code } = issue;

    const email = renderVerificationEmail({
      locale: locale(flow),
      code,
      expiresInMinutes: settings.codeTtlMinutes,
      retentionDays: settings.retentionDays,
      link: `${settings.publicBaseUrl.replace(/\/$/, '')}/#code=${code}&signup=${encodeURIComponent(signupId)}`,
      branding: settings.branding,
      intent: flow.intent,
    });
    const failed = await deliver(
      { to: flow.email, ...email, idempotencyKey: `${signupId}:code:${issued.codeVersion}` },
      { signupId, kind: 'verification_code' },
      log,
      () => release(reserved, t),
    );
    if (failed) return failed;
    await markFlow(
      signupId,
      (f) =>
        transition(f, { type: 'code_emailed', request: issued.codeRequests }, deps.clock.now(), settings),
      issuedVersion,
      () => [
        auditEvent('code_sent', flow, deps.clock.now(), { details: { codeVersion: issued.codeVersion } }),
      ],
    );
    log.event('code_sent', {
      signupId,
      correlationId: flow.correlationId,
      address: maskEmail(flow.email),
      codeVersion: issued.codeVersion,
    });
    return { action: 'sent' };
  }

  /**
   * One attempt at the code: checks the caps, reserves the recipient's slot and the global budget, and
   * writes the issued code with the flow's ETag. A lost race on either write throws ConcurrencyError
   * (the slot given back) so the caller reads again.
   */
  async function reserveAndIssue(
    signupId: string,
    stored: Versioned<SignupFlow> | undefined,
    log: Logger,
  ): Promise<EmailOutcome | IssuedCode> {
    if (!stored) return { action: 'dropped', reason: 'not_found' };
    const flow = stored.value;
    const now = deps.clock.now();
    if (effectiveStatus(flow, now) !== 'pending_verification') return drop(flow, 'finished');
    if (flow.emailedRequest >= flow.codeRequests) return { action: 'dropped', reason: 'already_sent' };
    const address = await deps.addresses.get(flow.addressKey);
    if (!address || address.value.currentSignupId !== signupId) return drop(flow, 'superseded');
    // A bounced address gets no code email; the status tells the page (start answered as for any other).
    if (await deps.bounces?.isSuppressed(flow.addressKey)) {
      if (flow.emailFailedReason !== 'undeliverable')
        await deps.signups.update(transition(flow, UNDELIVERABLE, now, settings), stored.etag);
      return drop(flow, 'undeliverable');
    }

    // Per-recipient caps, checked and reserved before the global budget so a flooded victim address
    // never uses up anybody else's emails (req 15, 22).
    const t = now.getTime();
    const recent = address.value.sentAt.filter((s) => s > t - DAY);
    const lastMinute = recent.filter((s) => s > t - MINUTE);
    if (lastMinute.length >= settings.recipientPerMinute) {
      return {
        action: 'requeue',
        delaySeconds: Math.ceil((Math.min(...lastMinute) + MINUTE - t) / 1000) + 1,
        reason: 'recipient_minute_cap',
      };
    }
    const lastHour = recent.filter((s) => s > t - 60 * MINUTE);
    if (lastHour.length >= settings.recipientPerHour || recent.length >= settings.recipientPerDay) {
      log.event(
        'email_suppressed',
        { signupId, reason: 'recipient_cap', address: maskEmail(flow.email) },
        'warn',
      );
      return drop(flow, 'recipient_capped');
    }
    // A lost race here (a duplicate delivery or a new start won) throws, and the caller reads again.
    const reserved = await deps.addresses.update({ ...address.value, sentAt: [...recent, t] }, address.etag);

    const budgetWait = await takeBudget({ kind: 'code', flow });
    if (budgetWait !== undefined) {
      await release(reserved, t);
      return { action: 'requeue', delaySeconds: budgetWait, reason: 'global_budget' };
    }

    const code = generateCode();
    const issued = transition(
      flow,
      { type: 'code_issued', codeHash: hashCode(settings.secret, signupId, code) },
      now,
      settings,
    );
    let issuedVersion: Versioned<SignupFlow>;
    try {
      issuedVersion = await deps.signups.update(issued, stored.etag);
    } catch (error) {
      await release(reserved, t);
      throw error;
    }

    return { flow, issued, issuedVersion, reserved, t, code };
  }

  async function sendNotice(message: EmailMessage, log: Logger): Promise<EmailOutcome> {
    const stored = await deps.signups.get(message.signupId);
    if (!stored) return { action: 'dropped', reason: 'not_found' };
    const flow = stored.value;
    const kind = message.kind as NoticeKind;
    const { status: wanted, sentAt } = NOTICES[kind];
    if (flow.status !== wanted) return { action: 'dropped', reason: `status_${flow.status}` };
    // After `leave` the record no longer holds an address: the page shows the outcome.
    if (flow.erasedAt !== undefined || flow.outcome === 'guest_removed')
      return { action: 'dropped', reason: 'erased' };
    if (flow[sentAt] !== undefined) return { action: 'dropped', reason: 'already_sent' };
    const budgetWait = await takeBudget({ kind: 'notice' });
    if (budgetWait !== undefined)
      return { action: 'requeue', delaySeconds: budgetWait, reason: 'global_budget' };
    const email = renderNotice(kind, flow, {
      locale: locale(flow),
      publicBaseUrl: settings.publicBaseUrl,
      branding: settings.branding,
    });
    const failed = await deliver(
      { to: flow.email, ...email, idempotencyKey: `${message.signupId}:${message.kind}` },
      message,
      log,
    );
    if (failed) return failed;
    await markFlow(
      message.signupId,
      (f) => transition(f, { type: 'notice_emailed', kind }, deps.clock.now(), settings),
      stored,
    );
    log.event('notice_sent', {
      signupId: message.signupId,
      kind: message.kind,
      address: maskEmail(flow.email),
    });
    return { action: 'sent' };
  }

  /**
   * The sponsor's email: a fresh single-use link (only its hash is written to the flow, like a code) to
   * every approver for the flow's domain. A redelivery before the flow was marked issues a new link, and
   * the earlier one stops working.
   */
  async function sendApprovalRequest(signupId: string, log: Logger): Promise<EmailOutcome> {
    const stored = await deps.signups.get(signupId);
    if (!stored) return { action: 'dropped', reason: 'not_found' };
    const flow = stored.value;
    if (effectiveStatus(flow, deps.clock.now()) !== 'pending_approval')
      return { action: 'dropped', reason: `status_${flow.status}` };
    if (flow.approvalEmailedAt !== undefined) return { action: 'dropped', reason: 'already_sent' };
    const approvers = approversFor(flow.domain, (await deps.policy.get()).access);
    if (approvers.length === 0) return { action: 'dropped', reason: 'no_approvers' };
    const budgetWait = await takeBudget({ kind: 'notice' });
    if (budgetWait !== undefined)
      return { action: 'requeue', delaySeconds: budgetWait, reason: 'global_budget' };

    const token = newApprovalToken(signupId);
    const issued = await updateFlow(
      deps.signups,
      signupId,
      (f) =>
        transition(
          f,
          { type: 'approval_token_issued', tokenHash: hashApprovalToken(settings.secret, token) },
          deps.clock.now(),
          settings,
        ),
      stored,
    );
    if (!issued) return { action: 'dropped', reason: 'not_found' };
    const address = parseEmailAddress(flow.email);
    const email = renderApprovalRequestEmail({
      locale: settings.defaultLocale,
      email: `${address.local}@${address.unicodeDomain}`,
      domain: address.unicodeDomain,
      link: `${settings.publicBaseUrl.replace(/\/$/, '')}/approvals/${token}`,
      expiresInDays: settings.approvalTtlDays,
      branding: settings.branding,
    });
    for (const [i, to] of approvers.entries()) {
      const failed = await deliver(
        { to, ...email, idempotencyKey: `${signupId}:approval:${issued.value.approvalTokenHash}:${i}` },
        { signupId, kind: 'approval_request' },
        log,
      );
      if (failed) return failed;
    }
    await markFlow(
      signupId,
      (f) => transition(f, { type: 'notice_emailed', kind: 'approval_request' }, deps.clock.now(), settings),
      issued,
    );
    log.event('approval_request_sent', { signupId, approvers: approvers.length });
    return { action: 'sent' };
  }

  /**
   * Sends one email. A transient transport failure (throttling, outage) becomes a re-queue with the
   * transport's delay; a permanent one is logged and thrown so the host retries and finally poisons it.
   */
  async function deliver(
    email: OutgoingEmail,
    about: EmailMessage,
    log: Logger,
    onFailure: () => Promise<void> = () => Promise.resolve(),
  ): Promise<EmailOutcome | undefined> {
    try {
      await deps.sender.send(email);
      return undefined;
    } catch (error) {
      await onFailure();
      if (error instanceof RecipientRejectedError) return undeliverable(email, about, error, log);
      const transient = isTransientError(error);
      log.event(
        'email_send_failed',
        { ...about, transient, error: transient ? error.kind : errorName(error) },
        transient ? 'warn' : 'error',
      );
      // A permanent refusal (bad address, rejected sender): the closest the app sees to a bounce.
      if (!transient) {
        metrics.count('email.bounced', { kind: about.kind });
        throw error;
      }
      return { action: 'requeue', delaySeconds: error.retryAfterSeconds, reason: `transport_${error.kind}` };
    }
  }

  /**
   * The relay refused the recipient for good (SMTP 5xx): suppress the address, tell the code's flow, and
   * drop the message (no retry can deliver it).
   */
  async function undeliverable(
    email: OutgoingEmail,
    about: EmailMessage,
    error: RecipientRejectedError,
    log: Logger,
  ): Promise<EmailOutcome> {
    await deps.bounces?.suppressAddress(
      email.to,
      'smtp_permanent',
      `smtp:${error.responseCode}:${email.idempotencyKey}`,
    );
    if (about.kind === 'verification_code')
      await markFlow(about.signupId, (f) => transition(f, UNDELIVERABLE, deps.clock.now(), settings));
    metrics.count('email.bounced', { kind: about.kind, source: 'smtp' });
    log.event('email_bounced', { ...about, source: 'smtp', responseCode: error.responseCode }, 'warn');
    return { action: 'dropped', reason: 'undeliverable' };
  }

  /** A code email that did not go out gives its slot back, best effort (a lost race keeps it counted). */
  async function release(reserved: Versioned<AddressRecord>, at: number): Promise<void> {
    const sentAt = [...reserved.value.sentAt];
    const i = sentAt.lastIndexOf(at);
    if (i >= 0) sentAt.splice(i, 1);
    try {
      await deps.addresses.update({ ...reserved.value, sentAt }, reserved.etag);
    } catch (error) {
      if (!isConcurrencyError(error)) throw error;
    }
  }

  async function markFlow(
    signupId: string,
    apply: (f: SignupFlow) => SignupFlow,
    known?: Versioned<SignupFlow>,
    audit?: (written: SignupFlow) => readonly AuditEvent[],
  ): Promise<void> {
    await updateFlow(deps.signups, signupId, apply, known, audit);
  }

  /** Called from the poison queue: the email could not be sent after every retry. */
  async function markEmailFailed(message: EmailMessage, log: Logger): Promise<void> {
    await markFlow(message.signupId, (f) =>
      transition(f, { type: 'email_failed' }, deps.clock.now(), settings),
    );
    const stored =
      message.kind === 'verification_code' ? await deps.signups.get(message.signupId) : undefined;
    if (stored) await leaveLane(stored.value);
    metrics.count('signups.failed', { outcome: 'email_failed' });
    log.event('poison_message', { queue: 'email', signupId: message.signupId, kind: message.kind }, 'error');
  }

  return { handle, markEmailFailed };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}

export type EmailService = ReturnType<typeof makeEmailService>;

/** Which flow status each notice belongs to, and where its sending is recorded. */
const NOTICES = {
  account_ready: { status: 'ready', sentAt: 'readyEmailedAt' },
  signup_failed: { status: 'failed', sentAt: 'failureEmailedAt' },
  not_eligible: { status: 'not_eligible', sentAt: 'noticeEmailedAt' },
} as const satisfies Record<NoticeKind, { status: SignupFlow['status']; sentAt: keyof SignupFlow }>;
