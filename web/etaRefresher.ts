/**
 * While a code waits in a backlog, the page re-reads the sign-up every minute so "Your code should arrive
 * by …" follows the backlog as it moves (earlier when it drains, later when fair share lets another domain
 * in first). Only while an estimate is shown: a code that is about to arrive costs no extra request.
 */
import type { SignupApi } from './api';

export const ETA_REFRESH_MS = 60_000;

export class EtaRefresher {
  private timer: number | undefined;

  constructor(
    private readonly api: Pick<SignupApi, 'status'>,
    /** The new estimate, or undefined once the code went out (or the sign-up left the code step). */
    private readonly onEstimate: (estimatedCodeAt: string | undefined) => void,
  ) {}

  start(signupId: string): void {
    this.stop();
    this.timer = window.setInterval(() => void this.refresh(signupId), ETA_REFRESH_MS);
  }

  stop(): void {
    if (this.timer !== undefined) window.clearInterval(this.timer);
    this.timer = undefined;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  private async refresh(signupId: string): Promise<void> {
    const result = await this.api.status(signupId);
    if (this.timer === undefined) return; // stopped meanwhile
    // A failed read keeps the last estimate; the next minute tries again.
    if (!result.ok) return;
    const estimate = result.data.status === 'pending_verification' ? result.data.estimatedCodeAt : undefined;
    if (estimate === undefined) this.stop();
    this.onEstimate(estimate);
  }
}
