/**
 * Retention: what is kept, and for how long. Run daily by the `retention` timer. The selection rules are
 * pure functions of a record and the clock (unit-tested with a fixed clock); the run pages through each
 * table and deletes what is due with the ETag it read, so a record that changed meanwhile is kept.
 *
 *   never-verified flow   deleted once past `expiresAt` (FLOW_TTL_HOURS after start, 24 h by default)
 *   finished flow         ready, failed, or locked: RETENTION_FINISHED_DAYS after it finished
 *   address record        once its current flow is gone and its last code email is a day old
 *   rate-limit counter    once every window in it has ended (no limit uses a window over a day)
 *   audit row             RETENTION_AUDIT_DAYS after the event
 *   guest ledger tombstone a deleted guest's row (no address hash left): RETENTION_FINISHED_DAYS after
 *                          the deletion; live guests stay in the ledger while they exist
 *   spent challenge       once it has expired (5 minutes after it was issued)
 */
import type { SignupFlow } from '../domain/signupFlow';
import type { Logger } from '../log';
import type {
  AddressRecord,
  AddressStore,
  AuditLog,
  ChallengeLedger,
  Suppressions,
  Clock,
  GuestLedgerStore,
  Page,
  RateLimiter,
  SignupStore,
  StoredRateWindows,
} from '../ports';

export interface RetentionSettings {
  finishedDays: number;
  auditDays: number;
}

export interface RetentionDeps {
  signups: SignupStore;
  addresses: AddressStore;
  limiter: RateLimiter;
  audit: AuditLog;
  /** The guest ledger: only the tombstones of deleted guests are ever removed here. */
  ledger?: GuestLedgerStore;
  /** Spent proof-of-work solutions; their expired records go too. */
  challenges?: ChallengeLedger;
  /** The suppression list (bounces); entries that ended go too. */
  suppressions?: Suppressions;
  clock: Clock;
  settings: RetentionSettings;
}

export interface RetentionReport {
  flowsDeleted: number;
  addressesDeleted: number;
  limitsDeleted: number;
  auditRowsDeleted: number;
  /** Present when the run has a ChallengeLedger. */
  challengesDeleted?: number;
  /** Present when the run has the suppression list. */
  suppressionsDeleted?: number;
}

const DAY_MS = 86_400_000;

/**
 * The longest rate-limit window any caller uses (the per-domain daily cap). Counters do not store their
 * window length, so a counter whose every window started this long ago has certainly ended. A new limit
 * with a longer window must raise this.
 */
export const MAX_RATE_WINDOW_MS = DAY_MS;

/** Per-recipient send history is kept a day: the longest per-recipient cap (RECIPIENT_EMAILS_PER_DAY). */
export const ADDRESS_HISTORY_MS = DAY_MS;

/** When a flow may be deleted, or undefined while it must be kept (in progress). */
export function flowDeletableAt(flow: SignupFlow, settings: RetentionSettings): number | undefined {
  switch (flow.status) {
    case 'pending_verification':
    case 'pending_approval':
      // An unanswered approval request ends like an unverified start: at its expiry.
      return Date.parse(flow.expiresAt);
    case 'ready':
    case 'failed':
    case 'expired':
    case 'not_eligible': {
      const finished = flow.finishedAt ?? flow.lockedAt ?? flow.expiresAt;
      return Date.parse(finished) + settings.finishedDays * DAY_MS;
    }
    case 'verified':
    case 'provisioning':
      return undefined;
  }
}

export function flowIsDue(flow: SignupFlow, now: Date, settings: RetentionSettings): boolean {
  const at = flowDeletableAt(flow, settings);
  return at !== undefined && now.getTime() >= at;
}

export function addressIsDue(record: AddressRecord, currentFlowExists: boolean, now: Date): boolean {
  return !currentFlowExists && record.sentAt.every((t) => t <= now.getTime() - ADDRESS_HISTORY_MS);
}

export function limitIsDue(windows: StoredRateWindows['windows'], now: Date): boolean {
  return Object.values(windows).every((w) => w.start + MAX_RATE_WINDOW_MS <= now.getTime());
}

export function auditCutoff(now: Date, settings: RetentionSettings): Date {
  return new Date(now.getTime() - settings.auditDays * DAY_MS);
}

const PAGE = 1000;

async function forEachPage<T>(
  list: (token: string | undefined) => Promise<Page<T>>,
  visit: (item: T) => Promise<void>,
): Promise<void> {
  let token: string | undefined;
  do {
    const page = await list(token);
    for (const item of page.items) await visit(item);
    token = page.continuationToken;
  } while (token);
}

export function makeRetentionService(deps: RetentionDeps) {
  const { settings } = deps;

  async function run(log: Logger): Promise<RetentionReport> {
    const now = deps.clock.now();
    const report: RetentionReport = {
      flowsDeleted: 0,
      addressesDeleted: 0,
      limitsDeleted: 0,
      auditRowsDeleted: 0,
    };

    // Flows first, so address records whose flow goes now are collected in the same run.
    await forEachPage(
      (token) => deps.signups.list({ now, top: PAGE, continuationToken: token }),
      async ({ value, etag }) => {
        if (flowIsDue(value, now, settings) && (await deps.signups.deleteIfUnchanged(value.signupId, etag)))
          report.flowsDeleted++;
      },
    );

    await forEachPage(
      (token) => deps.addresses.list({ top: PAGE, continuationToken: token }),
      async ({ value, etag }) => {
        const exists =
          value.currentSignupId !== undefined &&
          (await deps.signups.get(value.currentSignupId)) !== undefined;
        // ETag-conditional: a start racing this run re-points the record and keeps it.
        if (
          addressIsDue(value, exists, now) &&
          (await deps.addresses.deleteIfUnchanged(value.addressKey, etag))
        )
          report.addressesDeleted++;
      },
    );

    await forEachPage(
      (token) => deps.limiter.list({ top: PAGE, continuationToken: token }),
      async (counter) => {
        if (
          limitIsDue(counter.windows, now) &&
          (await deps.limiter.deleteIfUnchanged(counter.key, counter.etag))
        )
          report.limitsDeleted++;
      },
    );

    report.auditRowsDeleted = await deps.audit.deleteOlderThan(auditCutoff(now, settings));
    if (deps.challenges) report.challengesDeleted = await deps.challenges.deleteExpired(now);
    if (deps.suppressions) report.suppressionsDeleted = await deps.suppressions.deleteExpired(now);
    const ledger = deps.ledger;
    let tombstones = 0;
    if (ledger) {
      const cutoff = now.getTime() - settings.finishedDays * DAY_MS;
      await forEachPage(
        (token) => ledger.list({ top: PAGE, state: 'deleted', continuationToken: token }),
        async ({ value }) => {
          if (value.deletedAt && Date.parse(value.deletedAt) <= cutoff) {
            await ledger.delete(value.objectId);
            tombstones++;
          }
        },
      );
    }
    log.event('retention_completed', { ...report, guestTombstonesDeleted: tombstones });
    return report;
  }

  return { run };
}

export type RetentionService = ReturnType<typeof makeRetentionService>;
