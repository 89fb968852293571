/**
 * While the code step is shown, asks the status a few times whether the code email could be sent: an
 * address that bounced (the suppression list) gets no code, and the page says so instead of leaving the
 * person waiting. The start answer cannot say it (it is the same for every address), only the status.
 * Stops as soon as the code went out or the address is known to be undeliverable.
 */
import type { Signup, SignupApi } from './api';

export const DELIVERY_CHECK_DELAYS_MS = [4_000, 12_000, 30_000] as const;

export class DeliveryCheck {
  private timers: number[] = [];
  private settled: string | undefined;

  constructor(
    private readonly api: Pick<SignupApi, 'status'>,
    private readonly onUndeliverable: (view: Signup) => void,
  ) {}

  start(signupId: string): void {
    if (this.settled === signupId) return; // already answered for this sign-up
    this.stop();
    this.timers = DELIVERY_CHECK_DELAYS_MS.map((ms) =>
      window.setTimeout(() => void this.check(signupId), ms),
    );
  }

  stop(): void {
    for (const timer of this.timers) window.clearTimeout(timer);
    this.timers = [];
  }

  private async check(signupId: string): Promise<void> {
    if (this.settled === signupId) return;
    const result = await this.api.status(signupId);
    if (!result.ok || this.settled === signupId) return;
    const view = result.data;
    if (view.emailFailed === 'undeliverable') {
      this.settle(signupId);
      this.onUndeliverable(view);
    } else if (view.status !== 'pending_verification' || view.estimatedCodeAt === undefined) {
      this.settle(signupId); // the code went out (or the flow moved on): nothing to say
    }
  }

  private settle(signupId: string): void {
    this.settled = signupId;
    this.stop();
  }
}
