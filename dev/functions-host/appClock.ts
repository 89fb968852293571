/**
 * Dev and tests only: the app's own clock, shifted by an offset that `POST /admin/clock` sets, so
 * time-driven features (reminders, expiry) can be tested through the host. The app module named by the
 * host's `clockModule` option exports `systemClock: { now(): Date }`; its `now` is replaced for this load of
 * the app only (another host in the process loads its own copy). Azure has no such endpoint.
 */
import type { LoadedApp } from './functionsCoreStub';

export class AppClock {
  #clock: { now(): Date } | undefined;
  #offsetMs = 0;

  attach(loaded: LoadedApp, modulePath: string): void {
    const mod = loaded.requireFromApp?.(modulePath) as { systemClock?: { now(): Date } } | undefined;
    const clock = mod?.systemClock;
    if (!clock || typeof clock.now !== 'function')
      throw new Error(`clockModule ${modulePath} does not export systemClock with now()`);
    clock.now = () => new Date(Date.now() + this.#offsetMs);
    this.#clock = clock;
  }

  /** Sets the offset when given; undefined when no clock was attached. */
  setOffset(offsetMs: number | undefined): { offsetMs: number; now: string } | undefined {
    if (!this.#clock) return undefined;
    if (offsetMs !== undefined) this.#offsetMs = offsetMs;
    return { offsetMs: this.#offsetMs, now: this.#clock.now().toISOString() };
  }
}
