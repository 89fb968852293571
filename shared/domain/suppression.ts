/**
 * What a bounce means (pure): which ACS delivery statuses put an address on the suppression list, which
 * SMTP replies do, and until when.
 */
/** Why an address is suppressed: an ACS delivery report said it bounced, or an SMTP relay refused it (5xx). */
export const SUPPRESSION_REASONS = ['bounced', 'smtp_permanent'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** One suppressed address. Never the address itself: `addressHash` is the keyed hash that keys its flows. */
export interface Suppression {
  addressHash: string;
  reason: SuppressionReason;
  /** What reported it, down to the one report: `acs:<delivery status>:<report key>` or `smtp:<reply code>:<email key>`. */
  source: string;
  suppressedAt: string;
  /** No code email goes to the address before this instant (EMAIL_SUPPRESSION_DAYS after the last bounce). */
  suppressedUntil: string;
}

/** ACS says the address cannot take mail (hard bounce, failed, or ACS's own suppression list). */
const SUPPRESSING_STATUSES: ReadonlySet<string> = new Set(['Bounced', 'Failed', 'Suppressed']);

export type ReportAction = 'suppress' | 'count';

/** A delivery report's consequence: suppress the recipient, or only count the status. */
export function reportAction(status: string): ReportAction {
  return SUPPRESSING_STATUSES.has(status) ? 'suppress' : 'count';
}

/** An SMTP reply that refuses the recipient for good (5xx, except 503 "bad sequence" which a retry fixes). */
export function isPermanentSmtpRefusal(responseCode: number): boolean {
  return responseCode >= 500 && responseCode < 600 && responseCode !== 503;
}

export function suppressionOf(input: {
  addressHash: string;
  reason: SuppressionReason;
  source: string;
  now: Date;
  days: number;
}): Suppression {
  return {
    addressHash: input.addressHash,
    reason: input.reason,
    source: input.source,
    suppressedAt: input.now.toISOString(),
    suppressedUntil: new Date(input.now.getTime() + input.days * 86_400_000).toISOString(),
  };
}
