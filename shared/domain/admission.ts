/**
 * Admission at the public door (req 17, 20): the global start budget that sheds starts before anything is
 * queued, and the proof-of-work difficulty that rises while starts use up that budget. Pure rules; the
 * counters live in the shared RateLimiter.
 */
import type { RateLimit } from './rateWindows';

/** The RateLimiter key of the global start budget (one counter for every instance). */
export const START_BUDGET_KEY = 'start-budget';

export interface StartBudget {
  perMinute: number;
  perHour: number;
}

export function startBudgetLimits(budget: StartBudget): RateLimit[] {
  return [
    { name: 'minute', limit: budget.perMinute, windowSeconds: 60 },
    { name: 'hour', limit: budget.perHour, windowSeconds: 3600 },
  ];
}

/** How long an issued challenge may be solved and used; a solution is remembered as spent this long. */
export const CHALLENGE_TTL_SECONDS = 300;

/**
 * The default search space: a person's browser finds the number after maxnumber/2 hashes on average, about
 * 0.5 s on a mid-range phone at ~500k SHA-256/s in JavaScript (docs/BENCHMARKS.md, "Proof of work").
 */
export const CHALLENGE_BASE_MAX_NUMBER = 500_000;

/** Share of the start budget in use (the fuller of the minute and hour windows) at which difficulty doubles. */
const SURGE_STEPS = [0.5, 0.75, 1] as const;

/**
 * The challenge's maxnumber: the base while starts stay under half the start budget, then doubled at 50 %,
 * 75 % and 100 % of it (×8 at most), so a flood pays more per start while people still get through.
 */
export function challengeMaxNumber(
  base: number,
  used: { minute: number; hour: number },
  budget: StartBudget,
): number {
  const share = Math.max(used.minute / budget.perMinute, used.hour / budget.perHour);
  const steps = SURGE_STEPS.filter((s) => share >= s).length;
  return base * 2 ** steps;
}
