/**
 * AcsEmailSender against a local server that speaks the ACS Email REST shape: the real
 * `@azure/communication-email` SDK builds, signs and sends every request, so serialisation, the
 * Operation-Id header, retry behaviour and the long-running-operation handling are all exercised.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { isTransientError } from '../../shared/errors';
import {
  AcsEmailSender,
  acsOperationIdFor,
  type AcsEmailSenderOptions,
} from '../../shared/adapters/acsEmailSender';
import type { OutgoingEmail } from '../../shared/ports';
import { describeEmailSenderContract } from '../support/emailSenderContract';
import { createTestCertificate, FakeAcsServer } from '../support/fakeAcsServer';
import { RecordingEmailSender } from '../support/recordingEmailSender';

const SENDER = 'DoNotReply@mail.contoso.example';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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

function senderFor(fake: FakeAcsServer, options: Partial<AcsEmailSenderOptions> = {}): AcsEmailSender {
  return new AcsEmailSender({
    connectionString: fake.connectionString,
    senderAddress: SENDER,
    pipeline: { allowInsecureConnection: true },
    ...options,
  });
}

describeEmailSenderContract('AcsEmailSender + fake ACS server', async () => {
  const fake = await FakeAcsServer.start();
  return {
    sender: senderFor(fake, { requestTimeoutMs: 2_000 }),
    delivered: () =>
      fake.delivered.map(({ message }) => ({
        to: message.recipients.to[0]?.address ?? '',
        subject: message.content.subject,
        text: message.content.plainText ?? '',
        html: message.content.html ?? '',
      })),
    injectThrottling: () => {
      fake.throttleNext(1, 7);
      return { kind: 'throttled', retryAfterSeconds: 7 };
    },
    startOutage: async () => {
      fake.failNext(1_000, 503, { message: 'Service unavailable for guest@fabrikam.example' });
      return { kind: 'unavailable', retryAfterSeconds: 30 };
    },
    endOutage: async () => fake.clearFaults(),
    close: () => fake.stop(),
  };
});

describeEmailSenderContract('RecordingEmailSender (test fake)', async () => {
  const sender = new RecordingEmailSender();
  return {
    sender,
    delivered: () => sender.delivered.map(({ to, subject, text, html }) => ({ to, subject, text, html })),
    injectThrottling: () => {
      sender.throttleNext(1, 7);
      return { kind: 'throttled', retryAfterSeconds: 7 };
    },
    startOutage: async () => {
      sender.failNext(1_000);
      return { kind: 'unavailable', retryAfterSeconds: 30 };
    },
    endOutage: async () => sender.clearFailures(),
    close: async () => undefined,
  };
});

describe('AcsEmailSender', () => {
  let fake: FakeAcsServer;

  beforeEach(async () => {
    fake = await FakeAcsServer.start();
  });

  afterEach(async () => {
    await fake.stop();
  });

  describe('request shape', () => {
    it('sends sender, recipient, subject, both parts and engagement tracking disabled, and nothing user-derived besides', async () => {
      const message = email();
      await senderFor(fake).send(message);

      const [request] = fake.sendRequests;
      expect(request?.path).toBe('/emails:send');
      expect(request?.query['api-version']).toMatch(/^\d{4}-\d{2}-\d{2}/);
      expect(request?.outcome).toBe('accepted'); // the fake verified the HMAC signature
      expect(request?.headers.authorization).toMatch(/^HMAC-SHA256 /);
      expect(request?.body).toEqual({
        senderAddress: SENDER,
        content: { subject: message.subject, plainText: message.text, html: message.html },
        recipients: { to: [{ address: message.to }] },
        userEngagementTrackingDisabled: true,
      });
    });

    it('sends a GUID Operation-Id derived from the idempotency key, stable across sends and senders (req 54)', async () => {
      const first = await senderFor(fake).send(email({ idempotencyKey: 'signup-1:code:1' }));
      const again = await senderFor(fake).send(email({ idempotencyKey: 'signup-1:code:1' }));
      const other = await senderFor(fake).send(email({ idempotencyKey: 'signup-1:code:2' }));

      const ids = fake.sendRequests.map((r) => r.headers['operation-id']);
      expect(ids[0]).toMatch(GUID);
      expect(ids[0]).toBe(acsOperationIdFor('signup-1:code:1'));
      expect(ids[1]).toBe(ids[0]);
      expect(ids[2]).not.toBe(ids[0]);
      expect(first.messageId).toBe(ids[0]);
      expect(again.messageId).toBe(first.messageId);
      expect(other.messageId).toBe(ids[2]);
      expect(fake.delivered).toHaveLength(2);
    });

    it('makes at most one status check per send and does not wait for the 202 polling hint (req 55)', async () => {
      const started = Date.now();
      await senderFor(fake).send(email());

      expect(Date.now() - started).toBeLessThan(2_000); // the 202 says retry-after: 30
      expect(fake.sendRequests).toHaveLength(1);
      expect(fake.statusRequests).toHaveLength(1);
    });

    it('uses a bearer token from a TokenCredential (managed identity path) over HTTPS', async () => {
      const certificate = createTestCertificate();
      const tlsFake = await FakeAcsServer.start({ tls: certificate });
      const scopes: string[] = [];
      const credential: TokenCredential = {
        getToken: async (scope: string | string[], _options?: GetTokenOptions): Promise<AccessToken> => {
          scopes.push(...(Array.isArray(scope) ? scope : [scope]));
          return { token: 'fake-managed-identity-token', expiresOnTimestamp: Date.now() + 3_600_000 };
        },
      };
      try {
        const sender = new AcsEmailSender({
          endpoint: tlsFake.endpoint,
          credential,
          senderAddress: SENDER,
          pipeline: { tlsOptions: { ca: certificate.cert } },
        });
        await sender.send(email());

        expect(tlsFake.sendRequests[0]?.headers.authorization).toBe('Bearer fake-managed-identity-token');
        expect(scopes).toContain('https://communication.azure.com//.default');
        expect(tlsFake.delivered).toHaveLength(1);
      } finally {
        await tlsFake.stop();
      }
    });
  });

  describe('throttling (req 54)', () => {
    it('turns 429 with Retry-After: 7 into TransientError(throttled, 7) at once, without SDK retries', async () => {
      fake.throttleNext(1, 7);
      const started = Date.now();

      const error = await captureError(senderFor(fake).send(email()));

      expect(Date.now() - started).toBeLessThan(2_000);
      expect(isTransientError(error)).toBe(true);
      expect(error).toMatchObject({ kind: 'throttled', retryAfterSeconds: 7 });
      expect(fake.sendRequests).toHaveLength(1);
      expect(fake.delivered).toHaveLength(0);
    });

    it('still fails fast when retries are configured higher', async () => {
      fake.throttleNext(5, 7);
      const started = Date.now();
      const error = await captureError(senderFor(fake, { maxRetries: 3 }).send(email()));

      expect(Date.now() - started).toBeLessThan(2_000);
      expect(error).toMatchObject({ kind: 'throttled', retryAfterSeconds: 7 });
      expect(fake.sendRequests).toHaveLength(1);
    });

    it('reads Retry-After given as an HTTP date', async () => {
      fake.throttleNext(1, new Date(Date.now() + 120_000).toUTCString());

      const error = await captureError(senderFor(fake).send(email()));

      expect(error).toMatchObject({ kind: 'throttled' });
      const seconds = (error as { retryAfterSeconds: number }).retryAfterSeconds;
      expect(seconds).toBeGreaterThanOrEqual(118);
      expect(seconds).toBeLessThanOrEqual(121);
    });

    it('defaults to 60 s when a 429 has no Retry-After', async () => {
      fake.throttleNext(1, undefined);

      const error = await captureError(senderFor(fake).send(email()));

      expect(error).toMatchObject({ kind: 'throttled', retryAfterSeconds: 60 });
    });
  });

  describe('unavailability', () => {
    it('turns 503 into TransientError(unavailable) without sleeping on its Retry-After', async () => {
      fake.failNext(1, 503, { headers: { 'retry-after': '45' } });
      const started = Date.now();

      const error = await captureError(senderFor(fake).send(email()));

      expect(Date.now() - started).toBeLessThan(2_000);
      expect(error).toMatchObject({ name: 'TransientError', kind: 'unavailable', retryAfterSeconds: 45 });
      expect(fake.sendRequests).toHaveLength(1);
    });

    it('turns 503 without Retry-After into TransientError(unavailable, 30)', async () => {
      fake.failNext(1, 503);
      const error = await captureError(senderFor(fake).send(email()));
      expect(error).toMatchObject({ name: 'TransientError', kind: 'unavailable', retryAfterSeconds: 30 });
    });

    it('retries a single 500 once in-process with the same Operation-Id', async () => {
      fake.failNext(1, 500);

      await senderFor(fake).send(email());

      expect(fake.sendRequests.map((r) => r.outcome)).toEqual(['fault', 'accepted']);
      expect(fake.sendRequests[1]?.headers['operation-id']).toBe(
        fake.sendRequests[0]?.headers['operation-id'],
      );
      expect(fake.delivered).toHaveLength(1);
    });

    it('turns repeated 500s into TransientError(unavailable) after the bounded retry', async () => {
      fake.failNext(5, 500);
      const error = await captureError(senderFor(fake).send(email()));

      expect(error).toMatchObject({ name: 'TransientError', kind: 'unavailable', retryAfterSeconds: 30 });
      expect(fake.sendRequests).toHaveLength(2);
    });

    it('turns a request timeout into TransientError(unavailable)', async () => {
      fake.hangNext(1);
      const started = Date.now();

      const error = await captureError(senderFor(fake, { requestTimeoutMs: 300 }).send(email()));

      expect(Date.now() - started).toBeLessThan(3_000);
      expect(error).toMatchObject({ name: 'TransientError', kind: 'unavailable' });
      expect(fake.delivered).toHaveLength(0);
    });

    it('turns connection refused into TransientError(unavailable)', async () => {
      const sender = senderFor(fake);
      await fake.stop();
      fake = await FakeAcsServer.start(); // afterEach stops this one; the sender still points at the old port

      const error = await captureError(sender.send(email()));

      expect(error).toMatchObject({ name: 'TransientError', kind: 'unavailable' });
    });

    it('a 202 lost to a timeout, then a retry with the same key, delivers one email (req 54)', async () => {
      const sender = senderFor(fake, { requestTimeoutMs: 300 });
      fake.hangNext(1, { afterAccepting: true });

      const error = await captureError(sender.send(email()));
      expect(isTransientError(error)).toBe(true);
      expect(fake.delivered).toHaveLength(1); // the service did accept it

      await sender.send(email());

      expect(fake.sendRequests.map((r) => r.outcome)).toEqual(['accepted', 'duplicate']);
      expect(fake.delivered).toHaveLength(1);
    });
  });

  describe('the single status check', () => {
    it.each([
      ['times out', (f: FakeAcsServer) => f.hangNext(1, { target: 'status' })],
      ['is throttled', (f: FakeAcsServer) => f.throttleNext(1, 5, 'status')],
      ['fails with 500', (f: FakeAcsServer) => f.failNext(3, 500, { target: 'status' })],
    ])('counts the send as accepted when the status check %s', async (_label, inject) => {
      inject(fake);

      const result = await senderFor(fake, { statusCheckTimeoutMs: 300 }).send(email());

      expect(result.messageId).toBe(acsOperationIdFor(email().idempotencyKey));
      expect(fake.delivered).toHaveLength(1);
    });

    it('turns a Failed operation status into a permanent error', async () => {
      fake.operationStatus = 'Failed';

      const error = await captureError(senderFor(fake).send(email()));

      expect(isTransientError(error)).toBe(false);
      expect((error as Error).message).toMatch(/Failed/);
      expect((error as Error).message).not.toContain(email().to);
    });

    it('treats Succeeded as success', async () => {
      fake.operationStatus = 'Succeeded';
      await expect(senderFor(fake).send(email())).resolves.toEqual({
        messageId: acsOperationIdFor(email().idempotencyKey),
      });
    });
  });

  describe('permanent errors', () => {
    it('turns 400 into a permanent error that names the code but not the recipient', async () => {
      const message = email();
      fake.failNext(1, 400, { code: 'InvalidRecipient', message: `The address ${message.to} is not valid.` });

      const error = await captureError(senderFor(fake).send(message));

      expect(isTransientError(error)).toBe(false);
      expect((error as Error).message).toContain('400');
      expect((error as Error).message).toContain('InvalidRecipient');
      expect((error as Error).message).not.toContain(message.to);
      expect(fake.sendRequests).toHaveLength(1);
    });

    it('turns 401 into a permanent error', async () => {
      const sender = new AcsEmailSender({
        connectionString: `endpoint=${fake.endpoint};accesskey=${Buffer.from('wrong key').toString('base64')}`,
        senderAddress: SENDER,
        pipeline: { allowInsecureConnection: true },
      });

      const error = await captureError(sender.send(email()));

      expect(isTransientError(error)).toBe(false);
      expect((error as Error).message).toContain('401');
    });
  });
});
