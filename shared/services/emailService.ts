/**
 * The email function's service: issues codes and sends the code, account-ready and failure emails,
 * exactly once per request, within the per-recipient caps and the global send budget (req 15–17, 22, 54).
 */

import type { EmailMessage } from '../contracts/queues';
import { generateCode, hashCode } from '../domain/codes';
import { withEtagRetry } from '../domain/etagRetry';
import { effectiveStatus, type FlowLimits, type SignupFlow, transition } from '../domain/signupFlow';
import {
  type Branding,
  renderAccountReadyEmail,
  renderSignupFailedEmail,
  renderVerificationEmail,
} from '../email/templates';
import { isConcurrencyError, isTransientError } from '../errors';
import { type Locale, negotiateLocale } from '../i18n';
import { maskEmail } from '../domain/addressMask';
import { type Logger } from '../log';
import type {
  AuditEvent,
  AddressRecord,
  OutgoingEmail,
  RateLimit,
  AddressStore,
  Clock,
  EmailSender,
  RateLimiter,
  SignupStore,
  Versioned,
} from '../ports';
import { budgetLimits, parseTicket } from '../domain/fairShare';
import { auditEvent } from './audit';
import { makeEmailLedger } from './emailLedger';
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
}

export interface EmailDeps {
  signups: SignupStore;
  addresses: AddressStore;
  limiter: RateLimiter;
  sender: EmailSender;
  clock: Clock;
  settings: EmailSettings;
}

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

export function makeEmailService(deps: EmailDeps) {
  const { settings } = deps;
  const ledger = makeEmailLedger({ ...deps, settings });

  /**
   * Takes one token from the budget shared by every instance when it is this email's turn (fair share per
   * domain, codes before notices: shared/domain/fairShare.ts); otherwise seconds until it should ask again.
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

  const locale = (flow: SignupFlow) =>
    negotiateLocale({ requested: flow.locale, fallback: settings.defaultLocale });

  async function handle(message: EmailMessage, log: Logger): Promise<EmailOutcome> {
    const outcome =
      message.kind === 'verification_code'
        ? await sendCode(message.signupId, log)
        : await sendNotice(message, log);
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
    const wanted = message.kind === 'account_ready' ? 'ready' : 'failed';
    if (flow.status !== wanted) return { action: 'dropped', reason: `status_${flow.status}` };
    if ((message.kind === 'account_ready' ? flow.readyEmailedAt : flow.failureEmailedAt) !== undefined) {
      return { action: 'dropped', reason: 'already_sent' };
    }
    const budgetWait = await takeBudget({ kind: 'notice' });
    if (budgetWait !== undefined)
      return { action: 'requeue', delaySeconds: budgetWait, reason: 'global_budget' };
    const email =
      message.kind === 'account_ready'
        ? renderAccountReadyEmail({
            locale: locale(flow),
            outcome: flow.outcome ?? 'guest_created',
            signInUrl: flow.signInUrl ?? settings.publicBaseUrl,
            branding: settings.branding,
          })
        : renderSignupFailedEmail({ locale: locale(flow), branding: settings.branding });
    const failed = await deliver(
      { to: flow.email, ...email, idempotencyKey: `${message.signupId}:${message.kind}` },
      message,
      log,
    );
    if (failed) return failed;
    const kind = message.kind === 'account_ready' ? 'account_ready' : 'signup_failed';
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
      const transient = isTransientError(error);
      log.event(
        'email_send_failed',
        { ...about, transient, error: transient ? error.kind : errorName(error) },
        transient ? 'warn' : 'error',
      );
      if (!transient) throw error;
      return { action: 'requeue', delaySeconds: error.retryAfterSeconds, reason: `transport_${error.kind}` };
    }
  }

  async function drop(flow: SignupFlow, reason: string): Promise<EmailOutcome> {
    await leaveLane(flow);
    return { action: 'dropped', reason };
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
    log.event('poison_message', { queue: 'email', signupId: message.signupId, kind: message.kind }, 'error');
  }

  return { handle, markEmailFailed };
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}

export type EmailService = ReturnType<typeof makeEmailService>;
