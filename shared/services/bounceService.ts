/**
 * Bounces and the suppression list: ACS delivery reports (Event Grid) and SMTP permanent refusals put the
 * address's keyed hash on the list for EMAIL_SUPPRESSION_DAYS, and no code email goes to it meanwhile.
 * Bounces are also counted in a shared counter (sliding hour and day) for admin stats.
 */
import { EMAIL_DELIVERY_REPORT_EVENT, EmailDeliveryReport, EventGridEnvelope } from '../contracts/events';
import { maskEmail } from '../domain/addressMask';
import { keyedHash } from '../domain/codes';
import { reportAction, suppressionOf, type SuppressionReason } from '../domain/suppression';
import { isAppError } from '../errors';
import type { Logger } from '../log';
import type { Clock, Metrics, RateLimit, RateLimiter, Suppressions } from '../ports';
import { noMetrics } from '../telemetry/noop';
import { emailHashOf } from './revocationService';

export interface BounceSettings {
  secret: string;
  /** EMAIL_SUPPRESSION_DAYS */
  suppressionDays: number;
}

export interface BounceDeps {
  suppressions: Suppressions;
  limiter: RateLimiter;
  clock: Clock;
  settings: BounceSettings;
  metrics?: Metrics;
  /** Marks the address's sign-up that waits for its code as undeliverable (undeliverableFlow.ts). */
  markUndeliverable?: (addressHash: string) => Promise<boolean>;
}

/** The counter entity of bounces (every instance adds to it); its limits never refuse. */
export const BOUNCE_COUNTER_KEY = 'email-bounces';
const BOUNCE_WINDOWS: RateLimit[] = [
  { name: 'hour', limit: Number.MAX_SAFE_INTEGER, windowSeconds: 3600, sliding: true },
  { name: 'day', limit: Number.MAX_SAFE_INTEGER, windowSeconds: 86_400, sliding: true },
];

export type ReportOutcome =
  | { action: 'ignored'; reason: 'event_type' | 'invalid' }
  | { action: 'counted'; status: string }
  | { action: 'suppressed'; status: string };

export interface BounceCounts {
  lastHour: number;
  last24h: number;
  /** Addresses suppressed right now. */
  suppressed: number;
}

export function makeBounceService(deps: BounceDeps) {
  const { settings } = deps;
  const metrics = deps.metrics ?? noMetrics;

  /** Puts the address hash on the list and counts the bounce, once per report (`source`). */
  async function suppressHash(addressHash: string, reason: SuppressionReason, source: string): Promise<void> {
    const now = deps.clock.now();
    const isNew = await deps.suppressions.suppress(
      suppressionOf({ addressHash, reason, source, now, days: settings.suppressionDays }),
    );
    if (isNew) await deps.limiter.consume(BOUNCE_COUNTER_KEY, BOUNCE_WINDOWS, () => deps.clock.now());
  }

  /** The transport refused the recipient for good (SMTP 5xx): suppress it. */
  async function suppressAddress(email: string, reason: SuppressionReason, source: string): Promise<string> {
    const addressHash = emailHashOf(settings.secret, email);
    await suppressHash(addressHash, reason, source);
    return addressHash;
  }

  /** True while the address (by its keyed hash, `SignupFlow.addressKey`) is suppressed. */
  async function isSuppressed(addressHash: string): Promise<boolean> {
    return (await deps.suppressions.get(addressHash, deps.clock.now())) !== undefined;
  }

  /** One Event Grid event: delivery reports suppress on Bounced/Failed/Suppressed; others are counted. */
  async function handleReport(event: unknown, log: Logger): Promise<ReportOutcome> {
    const envelope = EventGridEnvelope.safeParse(event);
    if (!envelope.success || envelope.data.eventType !== EMAIL_DELIVERY_REPORT_EVENT) {
      log.event('event_ignored', { eventType: envelope.data?.eventType ?? 'unparsable' }, 'warn');
      return { action: 'ignored', reason: 'event_type' };
    }
    const report = EmailDeliveryReport.safeParse(event);
    if (!report.success) {
      log.event('invalid_delivery_report', { issues: report.error.issues.length }, 'error');
      return { action: 'ignored', reason: 'invalid' };
    }
    const { recipient, status, messageId } = report.data.data;
    metrics.count('email.reports', { status });
    const fields = { status, messageId, address: maskEmail(recipient) };
    if (reportAction(status) === 'count') {
      log.event('delivery_report', fields);
      return { action: 'counted', status };
    }
    let addressHash: string;
    try {
      // The report's own identity (Event Grid redelivers the same event id), kept as a short keyed hash.
      const reportKey = keyedHash(settings.secret, 'report', report.data.id ?? messageId ?? '').slice(0, 16);
      addressHash = await suppressAddress(recipient, 'bounced', `acs:${status}:${reportKey}`);
    } catch (error) {
      if (!isAppError(error)) throw error;
      // Not an address this app could have mailed: nothing to suppress.
      log.event('invalid_delivery_report', { ...fields, reason: 'recipient' }, 'error');
      return { action: 'ignored', reason: 'invalid' };
    }
    // The code that bounced was most likely for the sign-up that waits now: tell its page.
    const flowMarked = (await deps.markUndeliverable?.(addressHash)) ?? false;
    metrics.count('email.bounced', { source: 'delivery_report', status });
    log.event('email_bounced', { ...fields, source: 'delivery_report', flowMarked }, 'warn');
    return { action: 'suppressed', status };
  }

  async function counts(): Promise<BounceCounts> {
    const now = deps.clock.now();
    const used = await deps.limiter.peek(BOUNCE_COUNTER_KEY, BOUNCE_WINDOWS, now);
    return {
      lastHour: used.hour ?? 0,
      last24h: used.day ?? 0,
      suppressed: await deps.suppressions.countActive(now),
    };
  }

  return { handleReport, suppressAddress, isSuppressed, counts };
}

export type BounceService = ReturnType<typeof makeBounceService>;
