/**
 * `EmailSender` over Azure Communication Services Email (`@azure/communication-email`).
 *
 * - Idempotent: the caller's `idempotencyKey` becomes a deterministic GUID sent as the ACS `Operation-Id`
 *   header, which the service uses to recognise a repeated send (a retry after a lost 202).
 * - Never waits on ACS: the SDK's `beginSend` makes the POST and exactly one status GET; we never call
 *   `pollUntilDone` (status checks have their own small quota). A 202 is success; a failed status check
 *   after a 202 is still success, only a reported `Failed`/`Canceled` status is not.
 * - Fails fast: 429/503 responses are turned into errors before the SDK's retry policy can sleep on their
 *   Retry-After (up to 3 times by default), so the queue can re-queue the message with that delay instead.
 *   Other retries (connection resets, 500) are limited to `maxRetries` quick attempts.
 */
import { createHash } from 'node:crypto';
import {
  EmailClient,
  type EmailClientOptions,
  type EmailMessage,
  type EmailSendOptionalParams,
} from '@azure/communication-email';
import type { TokenCredential } from '@azure/identity';
import { TransientError } from '../errors';
import type { EmailSender, OutgoingEmail, SendResult } from '../ports';
import { parseRetryAfter } from '../domain/retryAfter';

export type AcsConnection =
  /** Production: endpoint + Entra credential (managed identity / `DefaultAzureCredential`). */
  | { endpoint: string; credential: TokenCredential }
  /** Fallback (and local fakes): `endpoint=https://…;accesskey=…`. */
  | { connectionString: string };

/** Pipeline options tests may need; retry and timeout settings stay owned by the adapter. */
export type AcsPipelineOptions = Pick<
  EmailClientOptions,
  'allowInsecureConnection' | 'tlsOptions' | 'proxyOptions' | 'userAgentOptions'
>;

export type AcsEmailSenderOptions = AcsConnection & {
  /** From address: a sender username of a domain linked to the ACS resource. */
  senderAddress: string;
  /** Deadline of the send request, its quick retry included. Default 10 s. */
  requestTimeoutMs?: number;
  /** Timeout of the single status check after the 202. Default 5 s (its failure does not fail the send). */
  statusCheckTimeoutMs?: number;
  /** Quick in-process retries for connection errors and 500/502/504 (never for 429/503). Default 1. */
  maxRetries?: number;
  pipeline?: AcsPipelineOptions;
};

/** Seconds to wait before re-queuing after a 429 without a usable Retry-After. */
export const DEFAULT_THROTTLE_SECONDS = 60;
/** Seconds to wait before re-queuing after 5xx, timeouts and network failures. */
export const UNAVAILABLE_BACKOFF_SECONDS = 30;
const MAX_RETRY_AFTER_SECONDS = 24 * 60 * 60;

type PipelinePolicy = NonNullable<EmailClientOptions['additionalPolicies']>[number]['policy'];
type RawResponse = Parameters<NonNullable<EmailSendOptionalParams['onResponse']>>[0];

export class AcsEmailSender implements EmailSender {
  private readonly client: EmailClient;
  private readonly senderAddress: string;

  constructor(options: AcsEmailSenderOptions) {
    this.senderAddress = options.senderAddress;
    const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    const statusCheckTimeoutMs = options.statusCheckTimeoutMs ?? 5_000;
    const clientOptions: EmailClientOptions = {
      ...options.pipeline,
      retryOptions: { maxRetries: options.maxRetries ?? 1, retryDelayInMs: 250, maxRetryDelayInMs: 1_000 },
      additionalPolicies: [
        { policy: requestTimeoutPolicy(requestTimeoutMs, statusCheckTimeoutMs), position: 'perRetry' },
        { policy: failFastOnThrottlingPolicy, position: 'perRetry' },
      ],
    };
    this.client =
      'connectionString' in options
        ? new EmailClient(options.connectionString, clientOptions)
        : new EmailClient(options.endpoint, options.credential, clientOptions);
  }

  async send(email: OutgoingEmail): Promise<SendResult> {
    const operationId = acsOperationIdFor(email.idempotencyKey);
    const message: EmailMessage = {
      senderAddress: this.senderAddress,
      content: { subject: email.subject, plainText: email.text, html: email.html },
      recipients: { to: [{ address: email.to }] },
      // Tracking rewrites links and adds a pixel: scanners would "engage", and we promise not to track.
      disableUserEngagementTracking: true,
    };
    const seen: { accepted: boolean; reportedStatus?: string } = { accepted: false };
    const onResponse = (raw: RawResponse): void => {
      if (raw.request.method === 'POST' && raw.status >= 200 && raw.status < 300) seen.accepted = true;
      if (raw.request.method === 'GET' && raw.status === 200)
        seen.reportedStatus = operationStatusOf(raw.parsedBody);
    };
    try {
      // beginSend = POST + one status GET; the returned poller is dropped on purpose (no polling loop).
      await this.client.beginSend(message, { operationId, onResponse });
      return { messageId: operationId };
    } catch (error) {
      if (seen.reportedStatus === 'Failed' || seen.reportedStatus === 'Canceled') {
        throw new Error(`ACS reported the send operation ${operationId} as ${seen.reportedStatus}`);
      }
      // The POST was accepted and only the status check failed: the email is on its way.
      if (seen.accepted) return { messageId: operationId };
      throw toSendError(error);
    }
  }
}

/**
 * A GUID derived from the idempotency key (RFC 9562 UUIDv8, name-based over SHA-256), because ACS and the
 * SDK require `Operation-Id` to be a UUID. The same key always gives the same id.
 */
export function acsOperationIdFor(idempotencyKey: string): string {
  const bytes = createHash('sha256')
    .update(OPERATION_ID_NAMESPACE)
    .update(idempotencyKey, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x80, 6); // version 8
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8); // RFC variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const OPERATION_ID_NAMESPACE = Buffer.from('3b9f6a52c1d84e0f9a7e2d5c8b1f4a60', 'hex');

/** Thrown inside the pipeline so the SDK's retry policy (which only retries RestErrors) lets it through. */
class ServiceBusyError extends Error {
  override name = 'AcsServiceBusyError';
  constructor(
    readonly statusCode: number,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(`ACS answered ${statusCode}`);
  }
}

const failFastOnThrottlingPolicy: PipelinePolicy = {
  name: 'rmsFailFastOnThrottling',
  async sendRequest(request, next) {
    const response = await next(request);
    if (response.status === 429 || response.status === 503) {
      const header = response.headers.get('retry-after');
      const msHeader = response.headers.get('retry-after-ms') ?? response.headers.get('x-ms-retry-after-ms');
      const retryAfter =
        parseRetryAfter(header, Date.now(), MAX_RETRY_AFTER_SECONDS) ??
        (msHeader
          ? parseRetryAfter(String(Number(msHeader) / 1000), Date.now(), MAX_RETRY_AFTER_SECONDS)
          : undefined);
      throw new ServiceBusyError(response.status, retryAfter);
    }
    return response;
  },
};

/**
 * Deadline as an AbortSignal rather than `request.timeout`: core-rest-pipeline's node client leaves its
 * `request.timeout` timer running when the connection fails (e.g. ECONNREFUSED), while
 * `AbortSignal.timeout` timers are unref'd. The signal stays on the request across the retry policy's
 * attempts, so the first attempt's deadline bounds the retry too.
 */
function requestTimeoutPolicy(sendTimeoutMs: number, statusTimeoutMs: number): PipelinePolicy {
  return {
    name: 'rmsRequestTimeout',
    sendRequest(request, next) {
      const deadline = AbortSignal.timeout(request.method === 'GET' ? statusTimeoutMs : sendTimeoutMs);
      const existing = request.abortSignal;
      if (existing === undefined) request.abortSignal = deadline;
      else if (existing instanceof AbortSignal) request.abortSignal = AbortSignal.any([existing, deadline]);
      else request.timeout = request.method === 'GET' ? statusTimeoutMs : sendTimeoutMs;
      return next(request);
    },
  };
}

function operationStatusOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const status = (body as { status?: unknown }).status;
  return typeof status === 'string' ? status : undefined;
}

/** Maps SDK/pipeline failures to the port's contract. Messages carry status and error code, never the recipient. */
function toSendError(error: unknown): Error {
  if (error instanceof ServiceBusyError) {
    return error.statusCode === 429
      ? new TransientError(
          'ACS throttled the send (429)',
          error.retryAfterSeconds ?? DEFAULT_THROTTLE_SECONDS,
          'throttled',
        )
      : new TransientError(
          'ACS is unavailable (503)',
          error.retryAfterSeconds ?? UNAVAILABLE_BACKOFF_SECONDS,
          'unavailable',
        );
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    statusCode?: unknown;
    code?: unknown;
    details?: unknown;
  };
  if (e.name === 'AbortError')
    return new TransientError('ACS did not answer in time', UNAVAILABLE_BACKOFF_SECONDS);
  if (e.name === 'RestError') {
    const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (status === undefined)
      return new TransientError(
        `ACS is unreachable (${code ?? 'network error'})`,
        UNAVAILABLE_BACKOFF_SECONDS,
      );
    if (status === 408 || status >= 500)
      return new TransientError(`ACS is unavailable (${status})`, UNAVAILABLE_BACKOFF_SECONDS);
    if (status === 429)
      return new TransientError('ACS throttled the send (429)', DEFAULT_THROTTLE_SECONDS, 'throttled');
    return new Error(
      `ACS rejected the email (${status} ${serviceErrorCode(e.details) ?? code ?? ''})`.replace(' )', ')'),
    );
  }
  return new Error(`ACS send failed (${typeof e.name === 'string' ? e.name : 'unknown error'})`);
}

function serviceErrorCode(details: unknown): string | undefined {
  const code = (details as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === 'string' ? code : undefined;
}
