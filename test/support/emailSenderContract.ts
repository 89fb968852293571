/**
 * The behaviour every `EmailSender` must share, run against each implementation with a harness that can
 * see what the far end received and can make it throttle or go down. Callers (the email function) rely on
 * exactly these properties: one delivery per idempotency key, and `TransientError` with a usable
 * `retryAfterSeconds` whenever a retry later can succeed.
 */
import { isTransientError, type TransientError } from '../../shared/errors';
import type { EmailSender, OutgoingEmail } from '../../shared/ports';

export interface DeliveredEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface ExpectedTransientError {
  kind: TransientError['kind'];
  retryAfterSeconds: number;
}

export interface EmailSenderHarness {
  sender: EmailSender;
  /** What the far end accepted for delivery, after its own de-duplication. */
  delivered(): DeliveredEmail[];
  /** Makes the far end throttle the next send; returns the error the sender must surface. */
  injectThrottling(): ExpectedTransientError;
  /** Takes the far end down until `endOutage`; returns the error the sender must surface meanwhile. */
  startOutage(): Promise<ExpectedTransientError>;
  endOutage(): Promise<void>;
  close(): Promise<void>;
}

let sequence = 0;

function sampleEmail(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  sequence += 1;
  const code = String(100000 + ((sequence * 7919) % 900000));
  return {
    to: `recipient${sequence}@contoso.example`,
    subject: `${code} is your verification code`,
    text: `Your code is ${code}. It expires in 10 minutes.`,
    html: `<p>Your code is <strong>${code}</strong>. It expires in 10 minutes.</p>`,
    idempotencyKey: `signup-${sequence}:code:1`,
    ...overrides,
  };
}

async function captureError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the send to fail, but it succeeded');
}

export function describeEmailSenderContract(
  name: string,
  createHarness: () => Promise<EmailSenderHarness>,
): void {
  describe(`EmailSender contract: ${name}`, () => {
    let harness: EmailSenderHarness;

    beforeEach(async () => {
      harness = await createHarness();
    });

    afterEach(async () => {
      await harness.close();
    });

    it('delivers one email with subject, text and HTML parts to the recipient', async () => {
      const email = sampleEmail();
      const result = await harness.sender.send(email);

      expect(result.messageId).not.toBe('');
      const delivered = harness.delivered();
      expect(delivered).toHaveLength(1);
      expect(delivered[0]?.to).toBe(email.to);
      expect(delivered[0]?.subject).toBe(email.subject);
      expect(delivered[0]?.text.trim()).toBe(email.text);
      expect(delivered[0]?.html).toContain(email.html);
    });

    it('delivers once when the same idempotencyKey is sent twice (req 54)', async () => {
      const email = sampleEmail();
      const first = await harness.sender.send(email);
      const second = await harness.sender.send({ ...email });

      expect(second.messageId).toBe(first.messageId);
      expect(harness.delivered()).toHaveLength(1);
    });

    it('delivers once when one idempotencyKey is sent 10 times concurrently (req 49)', async () => {
      const email = sampleEmail();
      const results = await Promise.all(Array.from({ length: 10 }, () => harness.sender.send({ ...email })));

      expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
      expect(harness.delivered()).toHaveLength(1);
    });

    it('delivers emails with different idempotency keys separately', async () => {
      const a = sampleEmail();
      const b = sampleEmail({ to: a.to });
      const [ra, rb] = await Promise.all([harness.sender.send(a), harness.sender.send(b)]);

      expect(ra.messageId).not.toBe(rb.messageId);
      expect(
        harness
          .delivered()
          .map((d) => d.subject)
          .sort(),
      ).toEqual([a.subject, b.subject].sort());
    });

    it('surfaces throttling as TransientError with the retry delay, then delivers once on retry', async () => {
      const email = sampleEmail();
      const expected = harness.injectThrottling();

      const error = await captureError(harness.sender.send(email));

      expect(isTransientError(error)).toBe(true);
      expect(error).toMatchObject(expected);
      expect(harness.delivered()).toHaveLength(0);
      await harness.sender.send(email);
      expect(harness.delivered()).toHaveLength(1);
    });

    it('surfaces an outage as TransientError(unavailable) and delivers once after recovery', async () => {
      const email = sampleEmail();
      const expected = await harness.startOutage();

      const error = await captureError(harness.sender.send(email));
      expect(isTransientError(error)).toBe(true);
      expect(error).toMatchObject({ ...expected, kind: 'unavailable' });

      await harness.endOutage();
      await harness.sender.send(email);
      await harness.sender.send(email);
      expect(harness.delivered()).toHaveLength(1);
    });

    it('keeps the recipient address out of error messages', async () => {
      const email = sampleEmail();
      await harness.startOutage();
      const error = await captureError(harness.sender.send(email));
      await harness.endOutage();

      expect(String((error as Error).message)).not.toContain(email.to);
    });
  });
}
