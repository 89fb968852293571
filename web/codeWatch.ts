/**
 * While the code step is shown, the page re-reads the sign-up's status: soon after the code was asked for
 * (4, 12 and 30 s) to learn whether the email could be sent at all — a bounced address gets no code, and
 * only the status can say so, since the start answer is the same for every address — and then once a
 * minute while a backlog holds the code, so "should arrive by" follows the backlog as it moves. It stops
 * once the code went out, the address is known to be undeliverable, or the sign-up left the code step.
 */
import type { Signup, SignupApi } from './api';

/** When the early checks run, counted from the start of the watch. */
export const EARLY_CHECKS_MS = [4_000, 12_000, 30_000] as const;
export const ETA_REFRESH_MS = 60_000;

export interface CodeWatchEvents {
  /** The current estimate, or undefined once the code went out (or the sign-up left the code step). */
  estimate(estimatedCodeAt: string | undefined): void;
  undeliverable(view: Signup): void;
}

export class CodeWatch {
  private timer: number | undefined;
  private signupId: string | undefined;
  private checks = 0;

  constructor(
    private readonly api: Pick<SignupApi, 'status'>,
    private readonly on: CodeWatchEvents,
  ) {}

  start(signupId: string): void {
    this.stop();
    this.signupId = signupId;
    this.checks = 0;
    this.schedule();
  }

  stop(): void {
    if (this.timer !== undefined) window.clearTimeout(this.timer);
    this.timer = undefined;
    this.signupId = undefined;
  }

  get running(): boolean {
    return this.signupId !== undefined;
  }

  private schedule(): void {
    const n = this.checks++;
    const delay =
      n < EARLY_CHECKS_MS.length ? EARLY_CHECKS_MS[n]! - (EARLY_CHECKS_MS[n - 1] ?? 0) : ETA_REFRESH_MS;
    this.timer = window.setTimeout(() => void this.check(), delay);
  }

  private async check(): Promise<void> {
    this.timer = undefined;
    const signupId = this.signupId;
    if (!signupId) return;
    const result = await this.api.status(signupId);
    if (this.signupId !== signupId) return; // stopped (or restarted) meanwhile
    // A failed read keeps what the page shows; the next check tries again.
    if (!result.ok) return this.schedule();
    const view = result.data;
    if (view.emailFailed === 'undeliverable') {
      this.stop();
      return this.on.undeliverable(view);
    }
    const estimate = view.status === 'pending_verification' ? view.estimatedCodeAt : undefined;
    if (estimate === undefined) this.stop();
    else this.schedule();
    this.on.estimate(estimate);
  }
}
