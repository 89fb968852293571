/**
 * In-memory `EmailSender` for service and function tests. It records every attempt, delivers each
 * idempotency key once (as ACS does with `Operation-Id`, and the SMTP adapter does within a process), and
 * can be told to fail the next sends with `TransientError`s like a throttled or unavailable transport.
 */
import { TransientError } from '../../shared/errors';
import type { EmailSender, OutgoingEmail, SendResult } from '../../shared/ports';

export class RecordingEmailSender implements EmailSender {
  /** Every call to `send`, including failed and duplicate ones, in call order. */
  readonly attempts: OutgoingEmail[] = [];
  /** Emails that were "delivered": one per idempotency key. */
  readonly delivered: OutgoingEmail[] = [];

  private readonly results = new Map<string, SendResult>();
  private readonly failures: Array<{ remaining: number; error: () => Error }> = [];

  /** The next `count` sends throw a throttling `TransientError` with this Retry-After. */
  throttleNext(count: number, retryAfterSeconds: number): void {
    this.failNext(
      count,
      () => new TransientError('fake transport throttled', retryAfterSeconds, 'throttled'),
    );
  }

  /** The next `count` sends throw an unavailable `TransientError`. */
  failNext(
    count: number,
    error: () => Error = () => new TransientError('fake transport unavailable', 30, 'unavailable'),
  ): void {
    if (count > 0) this.failures.push({ remaining: count, error });
  }

  clearFailures(): void {
    this.failures.length = 0;
  }

  send(email: OutgoingEmail): Promise<SendResult> {
    // Synchronous bookkeeping: concurrent sends of one key cannot interleave between check and record.
    this.attempts.push(email);
    const failure = this.failures[0];
    if (failure) {
      failure.remaining -= 1;
      if (failure.remaining <= 0) this.failures.shift();
      return Promise.reject(failure.error());
    }
    const existing = this.results.get(email.idempotencyKey);
    if (existing) return Promise.resolve(existing);
    const result = { messageId: `recorded-${this.results.size + 1}` };
    this.results.set(email.idempotencyKey, result);
    this.delivered.push(email);
    return Promise.resolve(result);
  }

  deliveredTo(address: string): OutgoingEmail[] {
    return this.delivered.filter((e) => e.to.toLowerCase() === address.toLowerCase());
  }
}
