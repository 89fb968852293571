// Email suppression list (bounces): addresses that could not receive email, kept only as their keyed hash.

import type { Suppression } from '../domain/suppression';

// The vocabulary belongs to the domain; re-exported so adapters and fakes keep one import.
export { SUPPRESSION_REASONS, type Suppression, type SuppressionReason } from '../domain/suppression';

export interface Suppressions {
  /**
   * Upsert by `addressHash`: a new bounce only moves the dates. Resolves false, writing nothing, when the
   * stored entry already came from the same `source` (the same report delivered again: Event Grid
   * delivers at least once), so the caller counts each bounce once.
   */
  suppress(entry: Suppression): Promise<boolean>;
  /** The entry when one is in force at `now`; undefined when none or expired. */
  get(addressHash: string, now: Date): Promise<Suppression | undefined>;
  /** How many entries are in force at `now` (admin stats). */
  countActive(now: Date): Promise<number>;
  /** Retention: forgets entries that ended before `now`; resolves how many. */
  deleteExpired(now: Date): Promise<number>;
}

/**
 * A transport refused the recipient itself for good (SMTP 5xx at RCPT TO): retrying cannot help, so the
 * email fails at once and the address is suppressed.
 */
export class RecipientRejectedError extends Error {
  override name = 'RecipientRejectedError' as const;
  constructor(readonly responseCode: number) {
    super(`recipient rejected (${responseCode})`);
  }
}
