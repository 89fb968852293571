/**
 * The code step's clocks: the resend countdown (every second, on the server's clock) and the watch on the
 * code email (codeWatch.ts): could it be sent, and when should it arrive.
 */
import type { Signup, SignupApi } from './api';
import { CodeWatch } from './codeWatch';
import { saveSignup } from './session';
import type { State } from './state';
import type { PageView } from './views';

export class CodeStepClock {
  private countdownTimer: number | undefined;
  private readonly watch: CodeWatch;

  constructor(
    private readonly api: SignupApi,
    private readonly state: State,
    private readonly view: () => PageView,
    onUndeliverable: (view: Signup) => void,
  ) {
    this.watch = new CodeWatch(api, {
      estimate: (estimatedCodeAt) => this.onEstimate(estimatedCodeAt),
      undeliverable: onUndeliverable,
    });
  }

  start(): void {
    this.stop();
    this.tick();
    this.countdownTimer = window.setInterval(() => this.tick(), 1000);
    const signupId = this.state.signup?.signupId;
    if (signupId) this.watch.start(signupId);
  }

  stop(): void {
    if (this.countdownTimer !== undefined) window.clearInterval(this.countdownTimer);
    this.countdownTimer = undefined;
    this.watch.stop();
  }

  /** When the code should arrive, if that is more than a minute away (a backlog); else nothing to say. */
  codeExpectedAt(): Date | undefined {
    const at = Date.parse(this.state.signup?.estimatedCodeAt ?? '');
    return Number.isFinite(at) && at - this.api.now() > 60_000 ? new Date(at) : undefined;
  }

  /** Seconds until a new code may be requested, on the server's clock. */
  resendWaitSeconds(): number {
    const at = Date.parse(this.state.signup?.resendAvailableAt ?? '');
    if (!Number.isFinite(at)) return 0;
    return Math.max(0, Math.ceil((at - this.api.now()) / 1000));
  }

  tick(): void {
    const seconds = this.resendWaitSeconds();
    this.view().updateCountdown(seconds);
    if (seconds === 0 && this.countdownTimer !== undefined) {
      window.clearInterval(this.countdownTimer);
      this.countdownTimer = undefined;
    }
  }

  private onEstimate(estimatedCodeAt: string | undefined): void {
    const signup = this.state.signup;
    if (!signup || this.state.step !== 'code') return;
    signup.estimatedCodeAt = estimatedCodeAt;
    saveSignup(signup);
    this.view().updateCodeEta();
  }
}
