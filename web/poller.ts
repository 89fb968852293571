/**
 * Polls a verified sign-up's status on the waiting step: 1 s, 2 s, 3 s … then every 5 s. It reports what
 * the page must react to and leaves the wording and rendering to the controller.
 */
import type { Signup, SignupApi } from './api';

export const SLOW_AFTER_MS = 45_000;
export const GIVE_UP_AFTER_MS = 15 * 60_000;
/** Consecutive failed polls after which the page says it cannot reach the service. */
export const OFFLINE_AFTER_FAILURES = 3;

export type PollEvent =
  /** The sign-up left `verified`/`provisioning` (ready, failed, expired …): polling has stopped. */
  | { kind: 'status'; view: Signup }
  /** 404: the sign-up is gone. Polling has stopped. */
  | { kind: 'gone' }
  /** An answer again after the page said it was offline. */
  | { kind: 'recovered' }
  | { kind: 'offline' }
  /** Still provisioning after SLOW_AFTER_MS (reported once per start). */
  | { kind: 'slow' }
  /** Still nothing final after GIVE_UP_AFTER_MS: polling has stopped. */
  | { kind: 'gave_up' };

/** Poll delays for the waiting step: 1 s, 2 s, 3 s … then every 5 s. */
export function pollDelayMs(attempt: number): number {
  return Math.min(attempt + 1, 5) * 1000;
}

export class StatusPoller {
  private timer: number | undefined;
  private attempt = 0;
  private failures = 0;
  private startedAt = 0;
  private slowReported = false;
  private signupId: string | undefined;

  constructor(
    private readonly api: Pick<SignupApi, 'status'>,
    private readonly onEvent: (event: PollEvent) => void,
  ) {}

  start(signupId: string): void {
    this.stop();
    this.signupId = signupId;
    this.attempt = 0;
    this.failures = 0;
    this.slowReported = false;
    this.startedAt = Date.now();
    this.schedule();
  }

  stop(): void {
    if (this.timer !== undefined) window.clearTimeout(this.timer);
    this.timer = undefined;
    this.signupId = undefined;
  }

  private schedule(): void {
    const delay = pollDelayMs(this.attempt++);
    this.timer = window.setTimeout(() => void this.poll(), delay);
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    const signupId = this.signupId;
    if (!signupId) return;
    const result = await this.api.status(signupId);
    if (this.signupId !== signupId) return; // stopped (the person navigated away) meanwhile
    if (result.ok) {
      if (this.failures >= OFFLINE_AFTER_FAILURES) this.onEvent({ kind: 'recovered' });
      this.failures = 0;
      if (result.data.status !== 'verified' && result.data.status !== 'provisioning') {
        this.stop();
        this.onEvent({ kind: 'status', view: result.data });
        return;
      }
    } else if (result.error.status === 404) {
      this.stop();
      this.onEvent({ kind: 'gone' });
      return;
    } else {
      this.failures++;
    }

    const elapsed = Date.now() - this.startedAt;
    if (elapsed >= GIVE_UP_AFTER_MS) {
      this.stop();
      this.onEvent({ kind: 'gave_up' });
      return;
    }
    if (!this.slowReported && elapsed >= SLOW_AFTER_MS) {
      this.slowReported = true;
      this.onEvent({ kind: 'slow' });
    }
    if (this.failures === OFFLINE_AFTER_FAILURES) this.onEvent({ kind: 'offline' });
    // An event handler may have stopped or restarted polling.
    if (this.signupId === signupId && this.timer === undefined) this.schedule();
  }
}
