/**
 * Start, verify, resend and status: the public half of the sign-up. Nothing here calls Graph or sends
 * mail; it records intent and queues ids, so every class of address costs the same work (req 23–24).
 */
import { START_BUDGET_KEY, startBudgetLimits } from '../domain/admission';
import { codeMatches, keyedHash, newSignupId, SIGNUP_ID_PATTERN } from '../domain/codes';
import type { NotEligibleReason } from '../domain/accessPolicy';
import { formatTicket, parseTicket, type Ticket } from '../domain/fairShare';
import { type EmailAddress, parseEmailAddress } from '../domain/emailAddress';
import { gate } from '../domain/killSwitch';
import { isPaused } from '../domain/policy';
import {
  codeExpiresAt,
  effectiveStatus,
  type FlowLimits,
  type Intent,
  newFlow,
  type Outcome,
  resendAvailableAt,
  type SignupFlow,
  type SignupStatus,
  transition,
} from '../domain/signupFlow';
import { AppError, isAppError } from '../errors';
import { type Locale, negotiateLocale } from '../i18n';
import { maskEmail } from '../domain/addressMask';
import { type Logger } from '../log';
import type {
  AuditEvent,
  AddressStore,
  Clock,
  Metrics,
  PolicyProvider,
  QueuePublisher,
  RateLimiter,
  SignupStore,
  Tracing,
  Versioned,
} from '../ports';
import { noMetrics, noTracing } from '../telemetry/noop';
import { auditEvent } from './audit';
import type { ChallengeService } from './challengeService';
import { fairShareSettings, makeEmailLedger } from './emailLedger';
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
  /** Global starts admitted per minute and hour (START_BUDGET_*), kept below what the email budget serves. */
  startBudgetPerMinute: number;
  startBudgetPerHour: number;
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
  /** The proof-of-work check on start and resend (a no-op with CHALLENGE_MODE=off). */
  challenges: Pick<ChallengeService, 'verify'>;
  clock: Clock;
  settings: SignupSettings;
  metrics?: Metrics;
  tracing?: Tracing;
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
  homeTenant?: boolean;
  /** not_eligible: why (not_partner, no_recent_mail, denied, revoked). */
  reason?: NotEligibleReason;
  /** pending_approval: who decides (a sponsor at the organisation) and until when. */
  decidedBy?: 'sponsor';
  approvalExpiresAt?: string;
  /** pending_verification: the code email cannot reach the address (it bounced or was refused). */
  emailFailed?: 'undeliverable';
}

export function makeSignupService(deps: SignupDeps) {
  const { settings } = deps;

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

  /**
   * The kill switch for every public step (security review M2): pause, domain verdict and paused domains,
   * answered like `start` answers them.
   */
  async function assertMayProceed(address: EmailAddress, now: Date, log: Logger): Promise<void> {
    const g = gate(address, await deps.policy.get(), now, settings.organizationName);
    if (g.open) return;
    if (g.code === 'signups_paused') throw pausedError(g.message);
    log.event('domain_refused', { reason: g.reason, domain: address.domain });
    // A paused domain's reason is the admin's text for the public (`detail`); the others are ours.
    throw new AppError('domain_not_allowed', g.message, {
      details: g.reason === 'paused' ? { reason: 'paused', detail: g.message } : { reason: g.reason },
    });
  }

  /**
   * The per-domain daily cap counts verified sign-ups only, keyed on the registrable domain (security
   * review L3): strangers cannot use up a partner's day with starts, nor escape it with subdomains.
   */
  async function consumeDomainCap(flow: SignupFlow, log: Logger): Promise<void> {
    const policy = await deps.policy.get();
    if (policy.domainDailyCap === undefined) return;
    const registrable = parseEmailAddress(flow.email).registrableDomain;
    const cap = [{ name: 'day', limit: policy.domainDailyCap, windowSeconds: 86_400 }];
    const decision = await deps.limiter.consume(`domain-${registrable}`, cap, deps.clock.now());
    if (!decision.allowed) {
      log.event('domain_refused', { reason: 'capped', domain: flow.domain }, 'warn');
      throw new AppError(
        'domain_not_allowed',
        'Today’s sign-ups for this domain have reached the limit set by the administrator. Please try again tomorrow.',
        { details: { reason: 'capped' } },
      );
    }
  }

  /** Sheds the start with 503 `busy` when the global start budget is spent, before anything is queued. */
  async function admitStart(log: Logger): Promise<void> {
    const limits = startBudgetLimits({
      perMinute: settings.startBudgetPerMinute,
      perHour: settings.startBudgetPerHour,
    });
    const decision = await deps.limiter.consume(START_BUDGET_KEY, limits, deps.clock.now());
    if (!decision.allowed) {
      log.event(
        'start_shed',
        { scope: 'start_budget', retryAfterSeconds: decision.retryAfterSeconds },
        'warn',
      );
      throw new AppError('busy', undefined, { retryAfterSeconds: decision.retryAfterSeconds });
    }
  }

  const metrics = deps.metrics ?? noMetrics;
  const tracing = deps.tracing ?? noTracing;
  const ledger = makeEmailLedger({ ...deps, settings: fairShareSettings(settings) });

  /**
   * A place in the domain's lane of the email budget and the slot its code will go in, or 503 `busy` when
   * that would be later than the flow lives (a backlog at this domain: other domains take the reserve).
   */
  async function admitCode(domain: string, log: Logger, replaces?: Ticket) {
    const admission = await ledger.admit(domain, replaces);
    if (!admission.admitted) {
      log.event(
        'start_shed',
        { scope: 'domain_backlog', domain, retryAfterSeconds: admission.retryAfterSeconds },
        'warn',
      );
      throw new AppError('busy', undefined, { retryAfterSeconds: admission.retryAfterSeconds });
    }
    return admission;
  }

  type StartInput = {
    email: string;
    locale?: string;
    acceptLanguage?: string;
    ip: string;
    correlationId: string;
    intent?: Intent;
    altcha?: string;
  };

  /** Counts every start by outcome: `accepted`, or the error code it was refused with. */
  async function start(input: StartInput, log: Logger): Promise<StartedSignup> {
    try {
      const started = await startFlow(input, log);
      metrics.count('signups.started', { outcome: 'accepted' });
      return started;
    } catch (error) {
      metrics.count('signups.started', { outcome: isAppError(error) ? error.code : 'error' });
      throw error;
    }
  }

  async function startFlow(input: StartInput, log: Logger): Promise<StartedSignup> {
    // Cheapest first: the per-IP limit (so policy answers cannot be probed at speed, review L5), then the
    // proof of work (req 20), before any parsing, policy read or write.
    await limitIp('start', input.ip, log);
    await deps.challenges.verify(input.altcha, log);
    const now = deps.clock.now();
    const policy = await deps.policy.get();
    // Paused answers before the address is even parsed, as before.
    if (isPaused(policy, now)) throw pausedError(policy.pauseReason || undefined);
    const address = parseEmailAddress(input.email);
    await assertMayProceed(address, now, log);
    await admitStart(log);
    const admission = await admitCode(address.domain, log);

    const flow = newFlow({
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
      intent: input.intent,
    });
    Object.assign(flow, tracing.currentContext(), { codeTicket: formatTicket(admission.ticket) });
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
    const known = await load(input.signupId);
    await assertMayProceed(parseEmailAddress(known.value.email), deps.clock.now(), log);
    let isCurrentFlow: boolean | undefined;
    let capCounted = false;
    const after = await update(
      input.signupId,
      async (flow) => {
        if (isCurrentFlow === undefined) {
          const address = await deps.addresses.get(flow.addressKey);
          isCurrentFlow = address?.value.currentSignupId === flow.signupId;
        }
        const matches = codeMatches(settings.secret, flow.signupId, input.code, flow.codeHash);
        // Counted once, and only for a code that would verify (a refusal leaves the code usable tomorrow).
        if (
          matches &&
          isCurrentFlow &&
          !capCounted &&
          effectiveStatus(flow, deps.clock.now()) === 'pending_verification'
        ) {
          await consumeDomainCap(flow, log);
          capCounted = true;
        }
        return transition(
          flow,
          { type: 'code_submitted', matches, isCurrentFlow },
          deps.clock.now(),
          settings,
        );
      },
      known,
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
      // The verify request is a trace of its own (a new browser request): the provisioning hop continues
      // the sign-up's trace from start instead, with this request linked to it.
      const signupTrace = { traceparent: after.traceparent, tracestate: after.tracestate };
      await tracing.inSpan('signup verified', { parent: signupTrace }, () =>
        deps.queue.send(QUEUES.provision, { signupId: after.signupId }),
      );
      metrics.count('signups.verified', { outcome: 'verified' });
      log.event('signup_verified', fields);
      return { signupId: after.signupId, status: 'verified' };
    }
    const locked = after.lockedAt !== undefined;
    metrics.count('signups.verified', { outcome: locked ? 'locked' : 'invalid_code' });
    log.event(
      locked ? 'signup_locked' : 'verify_failed',
      { ...fields, failures: after.failedSubmissions },
      locked ? 'warn' : 'info',
    );
    throw new AppError('invalid_code');
  }

  async function resend(
    input: { signupId: string; ip: string; altcha?: string },
    log: Logger,
  ): Promise<{ codeExpiresAt: string; resendAvailableAt: string; estimatedCodeAt: string }> {
    // The per-IP limit, then the proof of work (req 20), before the sign-up is even read.
    await limitIp('start', input.ip, log);
    await deps.challenges.verify(input.altcha, log);
    const known = await load(input.signupId);
    await assertMayProceed(parseEmailAddress(known.value.email), deps.clock.now(), log);
    // Refused resends (too soon, finished) throw here, before a place in the lane is taken.
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
      if (flow.emailFailedReason === 'undeliverable') view.emailFailed = 'undeliverable';
      else if (ticket && flow.emailedRequest < flow.codeRequests)
        view.estimatedCodeAt = new Date(await ledger.estimate(ticket)).toISOString();
    }
    if (current === 'ready') {
      view.outcome = flow.outcome;
      if (flow.signInUrl) view.signInUrl = flow.signInUrl;
      if (flow.homeTenant !== undefined) view.homeTenant = flow.homeTenant;
    }
    if (current === 'failed' || current === 'not_eligible' || flow.outcome === 'not_managed')
      view.supportContact = settings.supportContact;
    if (current === 'not_eligible') view.reason = flow.notEligibleReason;
    if (current === 'pending_approval') {
      view.decidedBy = 'sponsor';
      view.approvalExpiresAt = flow.expiresAt;
    }
    return view;
  }

  return { start, verify, resend, status };
}

export type SignupService = ReturnType<typeof makeSignupService>;

/** `signups_paused` with the admin's pause reason as the public `detail` (the page shows it). */
function pausedError(reason: string | undefined): AppError {
  return new AppError('signups_paused', reason, reason ? { details: { detail: reason } } : {});
}
