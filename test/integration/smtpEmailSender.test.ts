/**
 * SmtpEmailSender delivering for real (nodemailer → SMTP → in-process catcher), including relay outages,
 * deferrals and rejections, and TLS verification.
 */
import { createHash } from 'node:crypto';
import { isTransientError } from '../../shared/errors';
import { SmtpEmailSender, type SmtpEmailSenderOptions } from '../../shared/adapters/smtpEmailSender';
import { RecipientRejectedError, type OutgoingEmail } from '../../shared/ports';
import { describeEmailSenderContract, type EmailSenderHarness } from '../support/emailSenderContract';
import { createTestCertificate } from '../support/fakeAcsServer';
import { SmtpCatcher } from '../support/smtpCatcher';

const SENDER = 'no-reply@signup.contoso.example';

function email(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    to: 'guest@fabrikam.example',
    subject: '482913 is your verification code',
    text: 'Your code is 482913. It expires in 10 minutes.',
    html: '<p>Your code is <strong>482913</strong>.</p>',
    idempotencyKey: 'signup-abc:code:1',
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

const fastTimeouts = { connectionTimeoutMs: 1_000, greetingTimeoutMs: 1_000, socketTimeoutMs: 2_000 };

function senderFor(catcher: SmtpCatcher, options: Partial<SmtpEmailSenderOptions> = {}): SmtpEmailSender {
  return new SmtpEmailSender({
    host: '127.0.0.1',
    port: catcher.port,
    secure: false,
    senderAddress: SENDER,
    ...fastTimeouts,
    ...options,
  });
}

function smtpHarness(pool: boolean): () => Promise<EmailSenderHarness> {
  return async () => {
    const catcher = await SmtpCatcher.start();
    const sender = senderFor(catcher, { pool });
    return {
      sender,
      delivered: () =>
        catcher.messages.map((m) => ({
          to: m.envelopeTo[0] ?? '',
          subject: m.subject,
          text: m.text,
          html: m.html,
        })),
      injectThrottling: () => {
        catcher.rejectNext(1, 451, '4.7.1 Too many messages, slow down');
        return { kind: 'unavailable', retryAfterSeconds: 30 };
      },
      startOutage: async () => {
        await catcher.pause('refuse');
        return { kind: 'unavailable', retryAfterSeconds: 30 };
      },
      endOutage: () => catcher.resume(),
      close: async () => {
        sender.close();
        await catcher.stop();
      },
    };
  };
}

describeEmailSenderContract('SmtpEmailSender + SMTP catcher', smtpHarness(false));
describeEmailSenderContract('SmtpEmailSender (pooled) + SMTP catcher', smtpHarness(true));

describe('SmtpEmailSender', () => {
  let catcher: SmtpCatcher;
  const senders: SmtpEmailSender[] = [];
  const track = (sender: SmtpEmailSender): SmtpEmailSender => {
    senders.push(sender);
    return sender;
  };

  beforeEach(async () => {
    catcher = await SmtpCatcher.start();
  });

  afterEach(async () => {
    for (const sender of senders.splice(0)) sender.close();
    await catcher.stop();
  });

  describe('delivery', () => {
    it('delivers the code in the text part, with HTML alternative, From = sender and To = recipient', async () => {
      const message = email();
      await track(senderFor(catcher)).send(message);

      const caught = await catcher.waitFor((m) => m.envelopeTo.includes(message.to), 2_000);
      expect(caught.text).toContain('482913');
      expect(caught.html).toContain('<strong>482913</strong>');
      expect(caught.subject).toBe(message.subject);
      expect(caught.from).toEqual([SENDER]);
      expect(caught.to).toEqual([message.to]);
      expect(caught.envelopeFrom).toBe(SENDER);
      expect(caught.envelopeTo).toEqual([message.to]);
      expect(caught.raw).toMatch(/Content-Type: multipart\/alternative/i);
    });

    it('sets Message-ID to <sha256(idempotencyKey)@sender domain>', async () => {
      const message = email({ idempotencyKey: 'signup-42:code:3' });
      const result = await track(senderFor(catcher)).send(message);

      const expected = `<${createHash('sha256').update('signup-42:code:3').digest('hex')}@signup.contoso.example>`;
      expect(result.messageId).toBe(expected);
      expect(catcher.messages[0]?.messageId).toBe(expected);
    });

    it('adds no headers beyond the standard ones (nothing user-derived)', async () => {
      await track(senderFor(catcher)).send(email());

      const allowed = [
        'from',
        'to',
        'subject',
        'message-id',
        'date',
        'mime-version',
        'content-type',
        'content-transfer-encoding',
      ];
      expect(catcher.messages[0]?.headerNames.filter((h) => !allowed.includes(h))).toEqual([]);
    });

    it('refuses a recipient that is not one plain address, before talking to the relay', async () => {
      const sender = track(senderFor(catcher));
      for (const to of [
        'guest@fabrikam.example, other@evil.example',
        'guest@fabrikam.example\r\nBcc: other@evil.example',
        'Guest <guest@fabrikam.example>',
      ]) {
        const error = await captureError(sender.send(email({ to, idempotencyKey: `k-${to}` })));
        expect(isTransientError(error)).toBe(false);
      }
      expect(catcher.messages).toHaveLength(0);
    });

    it('gives two sender instances the same Message-ID for one key (the relay may deliver both; mail stores can collapse them)', async () => {
      const a = await track(senderFor(catcher)).send(email());
      const b = await track(senderFor(catcher)).send(email());

      expect(a.messageId).toBe(b.messageId);
      expect(catcher.messages.map((m) => m.messageId)).toEqual([a.messageId, a.messageId]);
    });
  });

  describe('relay failures', () => {
    it('turns connection refused into TransientError(unavailable, 30) quickly', async () => {
      await catcher.pause('refuse');
      const started = Date.now();

      const error = await captureError(track(senderFor(catcher)).send(email()));

      expect(Date.now() - started).toBeLessThan(2_000);
      expect(isTransientError(error)).toBe(true);
      expect(error).toMatchObject({ kind: 'unavailable', retryAfterSeconds: 30 });
    });

    it('turns a relay that never greets into TransientError after the greeting timeout', async () => {
      await catcher.pause('silent');
      const started = Date.now();

      const error = await captureError(track(senderFor(catcher, { greetingTimeoutMs: 300 })).send(email()));

      expect(Date.now() - started).toBeLessThan(3_000);
      expect(error).toMatchObject({ name: 'TransientError', kind: 'unavailable', retryAfterSeconds: 30 });
    });

    it('SMTP down, then back: every email fails transiently while down and each is delivered once after', async () => {
      const sender = track(senderFor(catcher, { pool: true }));
      const messages = Array.from({ length: 5 }, (_, i) =>
        email({ to: `guest${i}@fabrikam.example`, idempotencyKey: `signup-${i}:code:1` }),
      );
      await sender.send(email({ idempotencyKey: 'warm-up' })); // a pooled connection exists when the relay dies

      await catcher.pause('refuse');
      const errors = await Promise.all(messages.map((m) => captureError(sender.send(m))));
      expect(errors.every(isTransientError)).toBe(true);

      await catcher.resume();
      await Promise.all(messages.map((m) => sender.send(m)));
      await Promise.all(messages.map((m) => sender.send(m))); // redelivered queue messages

      const recipients = new Set(messages.map((m) => m.to));
      const delivered = catcher.messages.map((m) => m.envelopeTo[0] ?? '').filter((to) => recipients.has(to));
      expect(delivered.sort()).toEqual([...recipients].sort());
    });

    it.each([421, 450, 451, 452])('turns a %i reply into TransientError(unavailable, 30)', async (code) => {
      catcher.rejectNext(1, code, `4.3.0 Deferred for ${email().to}`, code === 421 ? 'MAIL' : 'RCPT');

      const error = await captureError(track(senderFor(catcher)).send(email()));

      expect(error).toMatchObject({ name: 'TransientError', kind: 'unavailable', retryAfterSeconds: 30 });
      expect((error as Error).message).toContain(String(code));
      expect((error as Error).message).not.toContain(email().to);
    });

    it.each([
      [550, 'RCPT'],
      [554, 'DATA'],
    ] as const)(
      'turns a %i reply at %s into a permanent error without the recipient address',
      async (code, stage) => {
        catcher.rejectNext(1, code, `5.1.1 <${email().to}>: Recipient address rejected`, stage);

        const error = await captureError(track(senderFor(catcher)).send(email()));

        expect(isTransientError(error)).toBe(false);
        expect((error as Error).message).toContain(String(code));
        expect((error as Error).message).not.toContain(email().to);
        expect(catcher.messages).toHaveLength(0);
      },
    );
  });

  describe('recipient refusals (bounces)', () => {
    it('turns a 550 for the recipient at RCPT TO into RecipientRejectedError, so the caller suppresses the address', async () => {
      catcher.rejectRecipient(email().to, 550);

      const error = await captureError(track(senderFor(catcher)).send(email()));

      expect(error).toBeInstanceOf(RecipientRejectedError);
      expect(error).toMatchObject({ responseCode: 550 });
      expect((error as Error).message).not.toContain(email().to);
      expect(catcher.rcptAttempts.get(email().to.toLowerCase())).toBe(1);
    });

    it('keeps a 4xx at RCPT TO transient and a 5xx after the recipient was accepted (DATA) a plain permanent error', async () => {
      catcher.rejectNext(1, 450, '4.2.1 Mailbox busy', 'RCPT');
      expect(await captureError(track(senderFor(catcher)).send(email()))).toMatchObject({
        name: 'TransientError',
      });
      catcher.rejectNext(1, 554, '5.6.0 Message refused', 'DATA');
      const error = await captureError(track(senderFor(catcher)).send(email()));
      expect(error).not.toBeInstanceOf(RecipientRejectedError);
      expect(isTransientError(error)).toBe(false);
    });
  });

  describe('TLS', () => {
    let certificate: { key: string; cert: string };
    let tlsCatcher: SmtpCatcher;

    beforeAll(() => {
      certificate = createTestCertificate();
    });

    beforeEach(async () => {
      tlsCatcher = await SmtpCatcher.start({ tls: certificate });
    });

    afterEach(async () => {
      await tlsCatcher.stop();
    });

    it('refuses an untrusted relay certificate by default (transient: fixing the relay needs no new message)', async () => {
      const error = await captureError(track(senderFor(tlsCatcher)).send(email()));

      expect(error).toMatchObject({ name: 'TransientError', kind: 'unavailable' });
      expect(tlsCatcher.messages).toHaveLength(0);
    });

    it('delivers over STARTTLS when the certificate is trusted through `ca`', async () => {
      await track(senderFor(tlsCatcher, { requireTLS: true, tls: { ca: certificate.cert } })).send(email());

      expect(tlsCatcher.messages).toHaveLength(1);
      expect(tlsCatcher.messages[0]?.secure).toBe(true);
    });

    it('with requireTLS, does not send through a relay that offers no STARTTLS', async () => {
      const error = await captureError(track(senderFor(catcher, { requireTLS: true })).send(email()));

      expect(error).toBeInstanceOf(Error);
      expect(isTransientError(error)).toBe(false);
      expect(catcher.messages).toHaveLength(0);
    });
  });
});
