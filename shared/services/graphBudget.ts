/**
 * The Graph write budget shared by every Graph writer (provisioner, guest intents, lifecycle timer) and
 * every instance: one sliding window in the rate-limit table, so no second ever holds more writes than
 * GRAPH_WRITES_PER_SECOND and the service never causes its own 429 (req 53).
 */
import type { Clock, RateLimit, RateLimiter } from '../ports';

export const GRAPH_BUDGET_KEY = 'budget-graph-writes';

/** The shared Graph write budget: sliding, so no second ever holds more than the limit. */
export function graphWriteLimits(perSecond: number): RateLimit[] {
  return [{ name: 'second', limit: perSecond, windowSeconds: 1, sliding: true }];
}

const JITTER_MS = 25;

export interface GraphBudget {
  /**
   * Takes `count` tokens, waiting in process until exactly when the budget reopens (plus a little jitter,
   * so waiting callers do not all race for the same token) for at most `maxWaitMs` in all. Resolves
   * undefined when granted, or the seconds to wait when it would take longer.
   */
  take(count: number, maxWaitMs: number): Promise<number | undefined>;
}

export function makeGraphBudget(deps: {
  limiter: RateLimiter;
  clock: Clock;
  perSecond: number;
  sleep?: (ms: number) => Promise<void>;
}): GraphBudget {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const limits = graphWriteLimits(deps.perSecond);
  return {
    async take(count, maxWaitMs) {
      let waitedMs = 0;
      for (;;) {
        const d = await deps.limiter.consume(GRAPH_BUDGET_KEY, limits, () => deps.clock.now(), count);
        if (d.allowed) return undefined;
        if (waitedMs + d.retryAfterMs > maxWaitMs) return d.retryAfterSeconds;
        const wait = d.retryAfterMs + Math.random() * JITTER_MS;
        waitedMs += wait;
        await sleep(wait);
      }
    },
  };
}
