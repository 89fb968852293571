/**
 * Optimistic concurrency, one loop for every "read, transition, conditional write" in the app: each attempt
 * reads, then writes with the ETag it read; a lost race (412, or 409 on a create) reads again. Pure: the
 * caller passes the I/O, what counts as a lost race, how long to wait between attempts and what to throw
 * when every attempt lost.
 */
import { isConcurrencyError } from './errors';

export interface EtagRetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Thrown once every attempt has lost its race. */
  exhausted: () => Error;
  /** Which errors from `write` are lost races; default ConcurrencyError. Any other error propagates. */
  isLostRace?: (error: unknown) => boolean;
  /** Waits after lost race number `race` (0-based) before reading again; default no wait. */
  pause?: (race: number) => Promise<void>;
}

/**
 * Runs `read` then `write(read value)` until `write` does not lose a race. Errors from `read` always
 * propagate: only the conditional write can lose a race.
 */
export async function withEtagRetry<R, T>(
  read: (race: number) => Promise<R>,
  write: (current: R) => Promise<T>,
  options: EtagRetryOptions,
): Promise<T> {
  const isLostRace = options.isLostRace ?? isConcurrencyError;
  for (let race = 0; race < options.attempts; race++) {
    const current = await read(race);
    try {
      return await write(current);
    } catch (error) {
      if (!isLostRace(error)) throw error;
      if (race + 1 < options.attempts) await options.pause?.(race);
    }
  }
  throw options.exhausted();
}
