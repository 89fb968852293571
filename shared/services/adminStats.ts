/** Admin stats: counts by status, top domains, send budgets and queue depths. */
import { effectiveStatus, SIGNUP_STATUSES, type SignupStatus } from '../domain/signupFlow';
import type { GuestState } from '../domain/guestLedger';
import { type Logger } from '../log';
import { makeAdminGuests } from './adminGuests';
import { QUEUES, type QueueName } from '../storageNames';
import { EMAIL_BUDGET_KEY, emailBudgetLimits } from './emailService';
import { GRAPH_BUDGET_KEY, graphWriteLimits } from './graphBudget';
import type { AdminDeps } from './adminDeps';
import type { BounceCounts } from './bounceService';

// ---- stats --------------------------------------------------------------------------------------------

export interface StatusCounts {
  total: number;
  byStatus: Record<SignupStatus, number>;
}

export interface AdminStats {
  generatedAt: string;
  last24h: StatusCounts;
  last30d: StatusCounts;
  topDomains: { domain: string; count: number }[];
  emailBudget: Record<'minute' | 'hour', { used: number; limit: number }>;
  graphBudget: Record<'second', { used: number; limit: number }>;
  /** Approximate messages per queue; null when the queue could not be read. */
  queueDepths: Record<QueueName, number | null>;
  /** Guests this service created (the guest ledger), by lifecycle state. */
  guests: Record<GuestState, number>;
  /** Bounces in the last hour and day, and the addresses suppressed now. */
  emailBounces: BounceCounts;
}

const DAY_MS = 86_400_000;

function emptyCounts(): StatusCounts {
  return {
    total: 0,
    byStatus: Object.fromEntries(SIGNUP_STATUSES.map((s) => [s, 0])) as Record<SignupStatus, number>,
  };
}

export function makeAdminStats(deps: AdminDeps) {
  const { settings } = deps;
  // -- stats

  async function stats(log: Logger): Promise<AdminStats> {
    const now = deps.clock.now();
    const dayAgo = new Date(now.getTime() - DAY_MS).toISOString();
    const last24h = emptyCounts();
    const last30d = emptyCounts();
    const domains = new Map<string, number>();
    // A createdAt-filtered scan of the last 30 days: fine at the volumes this door sees (thousands).
    let token: string | undefined;
    do {
      const page = await deps.signups.list({
        now,
        createdFrom: new Date(now.getTime() - 30 * DAY_MS).toISOString(),
        top: 1000,
        continuationToken: token,
      });
      for (const { value: flow } of page.items) {
        const status = effectiveStatus(flow, now);
        last30d.total++;
        last30d.byStatus[status]++;
        domains.set(flow.domain, (domains.get(flow.domain) ?? 0) + 1);
        if (flow.createdAt >= dayAgo) {
          last24h.total++;
          last24h.byStatus[status]++;
        }
      }
      token = page.continuationToken;
    } while (token);

    const topDomains = [...domains]
      .map(([domain, count]) => ({ domain, count }))
      .sort((a, b) => b.count - a.count || a.domain.localeCompare(b.domain))
      .slice(0, 10);

    const emailLimits = emailBudgetLimits(settings.emailBudgetPerMinute, settings.emailBudgetPerHour);
    const emailUsed = await deps.limiter.peek(EMAIL_BUDGET_KEY, emailLimits, now);
    const graphUsed = await deps.limiter.peek(
      GRAPH_BUDGET_KEY,
      graphWriteLimits(settings.graphWritesPerSecond),
      now,
    );

    const queueDepths = {} as Record<QueueName, number | null>;
    for (const queue of Object.values(QUEUES)) {
      try {
        queueDepths[queue] = await deps.queues.approximateDepth(queue);
      } catch (error) {
        log.event(
          'queue_depth_unavailable',
          { queue, error: error instanceof Error ? error.message : String(error) },
          'warn',
        );
        queueDepths[queue] = null;
      }
    }

    return {
      generatedAt: now.toISOString(),
      last24h,
      last30d,
      topDomains,
      emailBudget: {
        minute: { used: emailUsed.minute ?? 0, limit: settings.emailBudgetPerMinute },
        hour: { used: emailUsed.hour ?? 0, limit: settings.emailBudgetPerHour },
      },
      graphBudget: { second: { used: graphUsed.second ?? 0, limit: settings.graphWritesPerSecond } },
      queueDepths,
      guests: await makeAdminGuests(deps).countGuests(),
      emailBounces: await deps.bounces.counts(),
    };
  }

  return { stats };
}
