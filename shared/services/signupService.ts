/**
 * Start, verify, resend and status: the public half of the sign-up. Nothing here calls Graph or sends
 * mail; it records intent and queues ids, so every class of address costs the same work (req 23–24).
 */
import { codeMatches, keyedHash, newSignupId, SIGNUP_ID_PATTERN } from '../domain/codes';
import { checkDomain } from '../domain/domainPolicy';
import { formatTicket, parseTicket, type FairShareSettings, type Ticket } from '../domain/fairShare';
import { parseEmailAddress } from '../domain/emailAddress';
import { isPaused, pausedDomainFor } from '../domain/policy';
import {
  codeExpiresAt,
  effectiveStatus,
  type FlowLimits,
  newFlow,
  type Outcome,
  resendAvailableAt,
  type SignupFlow,
  type SignupStatus,
  transition,
} from '../domain/signupFlow';
import { AppError } from '../errors';
import { type Locale, negotiateLocale } from '../i18n';
import { maskEmail } from '../domain/addressMask';
import { type Logger } from '../log';
import type {
  AuditEvent,
  AddressStore,
  Clock,
  PolicyProvider,
  QueuePublisher,
  RateLimiter,
  SignupStore,
  Versioned,
} from '../ports';
import { auditEvent } from './audit';
import { makeEmailLedger } from './emailLedger';
import { requeueIfStuck } from './stuckFlows';
import { updateFlow } from './updateFlow';
import { QUEUES } from '../storageNames';

export interface SignupSettings extends FlowLimits {
  secret: string;
  flowTtlHours: number;
  /** The email budget and each domain's share of it (fair admission, shared/domain/fairShare.ts). */
  emailBudgetPerMinute: number;
  emailBudgetPerHour: number;
  emailDomainShare: number;
  ipStartsPerMinute: number;
  ipStartsPerHour: number;
  ipVerifiesPerMinute: number;
  defaultLocale: Locale;
  supportContact: string;
  organizationName: string;
}

export interface SignupDeps {
  signups: SignupStore;
  addresses: AddressStore;
  limiter: RateLimiter;
  queue: QueuePublisher;
  policy: PolicyProvider;
  clock: Clock;
  settings: SignupSettings;
}

export interface StartedSignup {
  signupId: string;
  status: 'pending_verification';
  codeExpiresAt: string;
  resendAvailableAt: string;
  estimatedCodeAt: string;
}

export interface SignupView {
  signupId: string;
  status: SignupStatus;
  codeExpiresAt?: string;
  resendAvailableAt?: string;
  /** When the code email should go out, while it has not (from the backlog ahead and the budget). */
  estimatedCodeAt?: string;
  outcome?: Outcome;
  signInUrl?: string;
  supportContact?: string;
}

export function makeSignupService(deps: SignupDeps) {
  const { settings } = deps;
  const ledger = makeEmailLedger({ ...deps, settings: fairShareSettings(settings) });

  /**
   * A place in the domain's lane of the email budget, or 503 `busy` when the code would come later than
   * the flow lives (only a flood at this domain does that: other domains queue ahead of it).
   */
  async function admitCode(domain: string, log: Logger, replaces?: Ticket) {
    const admission = await ledger.admit(domain, replaces);
    if (!admission.admitted) {
      log.event('start_shed', { domain, retryAfterSeconds: admission.retryAfterSeconds }, 'warn');
      throw new AppError('busy', undefined, { retryAfterSeconds: admission.retryAfterSeconds });
    }
    return admission;
  }

  async function limitIp(kind: 'start' | 'verify', ip: string, log: Logger): Promise<void> {
    const limits =
      kind === 'start'
        ? [
            { name: 'minute', limit: settings.ipStartsPerMinute, windowSeconds: 60 },
            { name: 'hour', limit: settings.ipStartsPerHour, windowSeconds: 3600 },
          ]
        : [{ name: 'minute', limit: settings.ipVerifiesPerMinute, windowSeconds: 60 }];
    const ipKey = keyedHash(settings.secret, 'ip', ip);
    const decision = await deps.limiter.consume(`${kind}-ip-${ipKey}`, limits, deps.clock.now());
    if (!decision.allowed) {
      log.event('rate_limited', { scope: `${kind}_per_ip`, ipHash: ipKey }, 'warn');
      throw new AppError('rate_limited', undefined, { retryAfterSeconds: decision.retryAfterSeconds });
    }
  }

  async function assertOpen(now: Date): Promise<void> {
    const policy = await deps.policy.get();
    if (isPaused(policy, now)) {
      const reason = policy.pauseReason || undefined;
      throw new AppError('signups_paused', reason, reason ? { details: { detail: reason } } : {});
    }
  }

  async function start(
    input: { email: string; locale?: string; acceptLanguage?: string; ip: string; correlationId: string },
    log: Logger,
  ): Promise<StartedSignup> {
    const now = deps.clock.now();
    await assertOpen(now);
    const address = parseEmailAddress(input.email);
    const policy = await deps.policy.get();
    const verdict = checkDomain(address, { ...policy, organizationName: settings.organizationName });
    if (!verdict.allowed) {
      log.event('domain_refused', { reason: verdict.reason, domain: address.domain });
      throw new AppError('domain_not_allowed', verdict.message, { details: { reason: verdict.reason } });
    }
    const paused = pausedDomainFor(policy, address.domain, now);
    if (paused) {
      log.event('domain_refused', { reason: 'paused', domain: address.domain });
      throw new AppError('domain_not_allowed', paused.reason, {
        details: { reason: 'paused', detail: paused.reason },
      });
    }
    await limitIp('start', input.ip, log);
    if (policy.domainDailyCap !== undefined) {
      const cap = [{ name: 'day', limit: policy.domainDailyCap, windowSeconds: 86_400 }];
      const decision = await deps.limiter.consume(`domain-${address.domain}`, cap, now);
      if (!decision.allowed) {
        log.event('domain_refused', { reason: 'capped', domain: address.domain }, 'warn');
        throw new AppError(
          'domain_not_allowed',
          'Today’s sign-ups for this domain have reached the limit set by the administrator. Please try again tomorrow.',
          { details: { reason: 'capped' } },
        );
      }
    }

    const admission = await admitCode(address.domain, log);
    const started = newFlow({
      signupId: newSignupId(),
      email: address.display,
      canonicalEmail: address.canonical,
      addressKey: keyedHash(settings.secret, 'address', address.rateLimitKey),
      domain: address.domain,
      locale: negotiateLocale({
        requested: input.locale,
        acceptLanguage: input.acceptLanguage,
        fallback: settings.defaultLocale,
      }),
      correlationId: input.correlationId,
      now,
      flowTtlHours: settings.flowTtlHours,
    });
    const flow: SignupFlow = { ...started, codeTicket: formatTicket(admission.ticket) };
    // The same three writes for every address, new, known or throttled: the email function decides
    // later, out of band, whether and when a code goes out.
    await deps.signups.create(flow, [auditEvent('started', flow, now, { actor: 'recipient' })]);
    await deps.addresses.setCurrentSignup(flow.addressKey, flow.signupId);
    await deps.queue.send(QUEUES.email, { signupId: flow.signupId, kind: 'verification_code' });
    log.event('signup_started', {
      signupId: flow.signupId,
      address: maskEmail(flow.email),
      domain: flow.domain,
    });
    return {
      signupId: flow.signupId,
      status: 'pending_verification',
      codeExpiresAt: codeExpiresAt(flow, settings),
      resendAvailableAt: resendAvailableAt(flow, settings),
      estimatedCodeAt: new Date(admission.estimatedAt).toISOString(),
    };
  }

  async function load(signupId: string): Promise<Versioned<SignupFlow>> {
    const found = SIGNUP_ID_PATTERN.test(signupId) ? await deps.signups.get(signupId) : undefined;
    if (!found) throw new AppError('signup_not_found');
    return found;
  }

  /** Read–transition–conditional write (shared/services/updateFlow.ts); unknown ids are a 404. */
  async function update(
    signupId: string,
    apply: (flow: SignupFlow) => Promise<SignupFlow> | SignupFlow,
    known?: Versioned<SignupFlow>,
    audit?: (written: SignupFlow) => readonly AuditEvent[],
  ): Promise<SignupFlow> {
    const first = known ?? (await load(signupId));
    const written = await updateFlow(deps.signups, signupId, apply, first, audit);
    if (!written) throw new AppError('signup_not_found');
    return written.value;
  }

  async function verify(
    input: { signupId: string; code: string; ip: string },
    log: Logger,
  ): Promise<{ signupId: string; status: 'verified' }> {
    await limitIp('verify', input.ip, log);
    let isCurrentFlow: boolean | undefined;
    const after = await update(
      input.signupId,
      async (flow) => {
        if (isCurrentFlow === undefined) {
          const address = await deps.addresses.get(flow.addressKey);
          isCurrentFlow = address?.value.currentSignupId === flow.signupId;
        }
        const matches = codeMatches(settings.secret, flow.signupId, input.code, flow.codeHash);
        return transition(
          flow,
          { type: 'code_submitted', matches, isCurrentFlow },
          deps.clock.now(),
          settings,
        );
      },
      undefined,
      (written) => [
        written.status === 'verified'
          ? auditEvent('verified', written, deps.clock.now(), { actor: 'recipient' })
          : auditEvent(
              written.lockedAt !== undefined ? 'locked' : 'verify_failed',
              written,
              deps.clock.now(),
              {
                actor: 'recipient',
                details: { failures: written.failedSubmissions },
              },
            ),
      ],
    );
    const fields = {
      signupId: after.signupId,
      correlationId: after.correlationId,
      address: maskEmail(after.email),
    };
    if (after.status === 'verified') {
      await deps.queue.send(QUEUES.provision, { signupId: after.signupId });
      log.event('signup_verified', fields);
      return { signupId: after.signupId, status: 'verified' };
    }
    const locked = after.lockedAt !== undefined;
    log.event(
      locked ? 'signup_locked' : 'verify_failed',
      { ...fields, failures: after.failedSubmissions },
      locked ? 'warn' : 'info',
    );
    throw new AppError('invalid_code');
  }

  async function resend(
    input: { signupId: string; ip: string },
    log: Logger,
  ): Promise<{ codeExpiresAt: string; resendAvailableAt: string; estimatedCodeAt: string }> {
    const known = await load(input.signupId); // 404 before spending the caller's rate limit on nothing
    await limitIp('start', input.ip, log);
    // Refused resends (too soon, finished) throw here, before a ticket is taken.
    transition(known.value, { type: 'resend_requested' }, deps.clock.now(), settings);
    const previous = parseTicket(known.value.domain, known.value.codeTicket);
    const admission = await admitCode(known.value.domain, log, previous);
    const ticket = formatTicket(admission.ticket);
    let after: SignupFlow;
    try {
      after = await update(
        input.signupId,
        (flow) => ({
          ...transition(flow, { type: 'resend_requested' }, deps.clock.now(), settings),
          codeTicket: ticket,
        }),
        known,
      );
    } catch (error) {
      await ledger.settle(admission.ticket); // a racing resend won: give the place back
      throw error;
    }
    await deps.queue.send(QUEUES.email, { signupId: after.signupId, kind: 'verification_code' });
    log.event('code_resend_requested', { signupId: after.signupId, correlationId: after.correlationId });
    return {
      codeExpiresAt: codeExpiresAt(after, settings),
      resendAvailableAt: resendAvailableAt(after, settings),
      estimatedCodeAt: new Date(admission.estimatedAt).toISOString(),
    };
  }

  async function status(signupId: string, log?: Logger): Promise<SignupView> {
    const stored = await load(signupId);
    const flow = stored.value;
    const now = deps.clock.now();
    if (log) await requeueIfStuck(deps, stored, log);
    const current = effectiveStatus(flow, now);
    const view: SignupView = { signupId: flow.signupId, status: current };
    if (current === 'pending_verification') {
      view.codeExpiresAt = codeExpiresAt(flow, settings);
      view.resendAvailableAt = resendAvailableAt(flow, settings);
      const ticket = parseTicket(flow.domain, flow.codeTicket);
      if (ticket && flow.emailedRequest < flow.codeRequests)
        view.estimatedCodeAt = new Date(await ledger.estimate(ticket)).toISOString();
    }
    if (current === 'ready') {
      view.outcome = flow.outcome;
      view.signInUrl = flow.signInUrl;
    }
    if (current === 'failed') view.supportContact = settings.supportContact;
    return view;
  }

  return { start, verify, resend, status };
}

export type SignupService = ReturnType<typeof makeSignupService>;

export function fairShareSettings(settings: SignupSettings): FairShareSettings {
  return {
    budgetPerMinute: settings.emailBudgetPerMinute,
    budgetPerHour: settings.emailBudgetPerHour,
    domainShare: settings.emailDomainShare,
    flowTtlHours: settings.flowTtlHours,
  };
}
