/**
 * The gauges read at every metrics export: how much of the shared email and Graph budgets is in use
 * (`budget.utilisation`, 0–1 per budget and window) and how long the oldest message of each queue has
 * waited (`queue.age`, seconds since insertion). One point read per budget and one peek per queue per
 * export interval and instance.
 */
import type { Clock, Metrics, QueueInspector, RateLimiter } from '../ports';
import { QUEUES } from '../storageNames';
import { EMAIL_BUDGET_KEY, emailBudgetLimits } from './emailService';
import { GRAPH_BUDGET_KEY, graphWriteLimits } from './graphBudget';

export interface GaugeDeps {
  limiter: RateLimiter;
  queues: QueueInspector;
  clock: Clock;
  settings: { emailBudgetPerMinute: number; emailBudgetPerHour: number; graphWritesPerSecond: number };
}

export function registerOperationalGauges(metrics: Metrics, deps: GaugeDeps): void {
  const budgets = [
    {
      budget: 'email',
      key: EMAIL_BUDGET_KEY,
      limits: emailBudgetLimits(deps.settings.emailBudgetPerMinute, deps.settings.emailBudgetPerHour),
    },
    { budget: 'graph', key: GRAPH_BUDGET_KEY, limits: graphWriteLimits(deps.settings.graphWritesPerSecond) },
  ];
  metrics.gauge('budget.utilisation', async () => {
    const now = deps.clock.now();
    const readings = await Promise.all(
      budgets.map(async ({ budget, key, limits }) => {
        const used = await deps.limiter.peek(key, limits, now);
        return limits.map((limit) => ({
          value: (used[limit.name] ?? 0) / limit.limit,
          attributes: { budget, window: limit.name },
        }));
      }),
    );
    return readings.flat();
  });
  metrics.gauge('queue.age', async () => {
    const now = deps.clock.now();
    return Promise.all(
      Object.values(QUEUES).map(async (queue) => ({
        value: await deps.queues.oldestMessageAgeSeconds(queue, now),
        attributes: { queue },
      })),
    );
  });
}
