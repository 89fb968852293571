/**
 * The email budget's entity as the services use it: the global windows and the fair-share ledger
 * (shared/domain/fairShare.ts, where the design is explained) read and written together through
 * `RateLimiter.transact`, so every decision is one ETag-guarded write shared by all instances.
 */
import {
  admit,
  type Admission,
  type BudgetState,
  claim,
  estimate,
  type FairShareSettings,
  parseLedger,
  serializeLedger,
  settle,
  type Ticket,
} from '../domain/fairShare';
import type { Clock, RateLimiter } from '../ports';

export const EMAIL_BUDGET_KEY = 'budget-email';

/** The email budget's settings as the sign-up and lifecycle settings name them. */
export function fairShareSettings(s: {
  emailBudgetPerMinute: number;
  emailBudgetPerHour: number;
  emailDomainShare: number;
  flowTtlHours: number;
}): FairShareSettings {
  return {
    budgetPerMinute: s.emailBudgetPerMinute,
    budgetPerHour: s.emailBudgetPerHour,
    domainShare: s.emailDomainShare,
    flowTtlHours: s.flowTtlHours,
  };
}

export interface EmailLedgerDeps {
  limiter: RateLimiter;
  clock: Clock;
  settings: FairShareSettings;
}

export function makeEmailLedger({ limiter, clock, settings }: EmailLedgerDeps) {
  function run<T>(change: (state: BudgetState, now: number) => { next?: BudgetState; result: T }) {
    return limiter.transact(
      EMAIL_BUDGET_KEY,
      (entity, now) => {
        const { next, result } = change(
          { windows: entity.windows, ledger: parseLedger(entity.document) },
          now.getTime(),
        );
        return {
          result,
          next: next && { windows: next.windows, document: serializeLedger(next.ledger) },
        };
      },
      () => clock.now(),
    );
  }

  return {
    /** Takes a ticket in the domain's lane (settling the one it replaces) unless the wait is too long. */
    admit(lane: string, replaces?: Ticket): Promise<Admission> {
      return run((state, now) => {
        const admission = admit(state, lane, now, settings, replaces);
        return { result: admission, next: admission.admitted ? admission.next : undefined };
      });
    },
    /** Takes a budget token for this email if it is its turn; otherwise when to ask again (epoch ms). */
    claim(
      email: { kind: 'code'; lane: string; ticket?: Ticket } | { kind: 'notice' },
    ): Promise<{ allowed: true } | { allowed: false; retryAt: number; now: number }> {
      type Result = { allowed: true } | { allowed: false; retryAt: number; now: number };
      return run<Result>((state, now) => {
        const decision = claim(state, email, now, settings);
        return decision.allowed
          ? { result: { allowed: true as const }, next: decision.next }
          : { result: { allowed: false as const, retryAt: decision.retryAt, now } };
      });
    },
    /** The ticket no longer waits (its email went out or was dropped); idempotent. */
    settle(ticket: Ticket): Promise<void> {
      return run((state, now) => {
        const ledger = settle(state.ledger, ticket, now);
        return { result: undefined, next: ledger && { windows: state.windows, ledger } };
      });
    },
    /** When the ticket's email should go out (epoch ms); `now` when it is being sent; reads only. */
    estimate(ticket: Ticket): Promise<number> {
      return run((state, now) => ({ result: estimate(state, ticket, now) ?? now }));
    },
  };
}

export type EmailLedger = ReturnType<typeof makeEmailLedger>;
