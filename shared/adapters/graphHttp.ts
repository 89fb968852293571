/**
 * The Graph client's plumbing for shared/adapters/graphDirectory.ts: the bearer-token and attempt-policy
 * middleware (see the chain described there) and the mapping of Graph and token failures to the app's
 * errors (`TransientError`, `NotFoundYetError`, `AccessDeniedError`, `GraphRequestError`).
 */
import type { AccessToken, TokenCredential } from '@azure/identity';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import type { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { randomUUID } from 'node:crypto';

import { maskEmails } from '../domain/addressMask';
import { parseRetryAfter } from '../domain/retryAfter';
import { TransientError } from '../errors';

const DEFAULT_THROTTLE_RETRY_SECONDS = 10;
const DEFAULT_UNAVAILABLE_RETRY_SECONDS = 5;

export interface GraphAttempt {
  method: string;
  /** 0 when no response arrived (network error or timeout). */
  status: number;
  durationMs: number;
  /** Graph's early warning (0.8–1.8) when a throttling limit is close; alert at ≥ 0.8. */
  throttleLimitPercentage?: number;
  requestId?: string;
}

/** A fixed bearer token, for the local Graph emulator only. */
export class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token = 'graph-emulator-dev-token') {}
  getToken(): Promise<AccessToken> {
    return Promise.resolve({
      token: this.token,
      expiresOnTimestamp: Date.now() + 60 * 60 * 1000,
      tokenType: 'Bearer',
    });
  }
}

/** A Graph answer that retrying will not fix (4xx other than the mapped ones, 500, token refused). */
export class GraphRequestError extends Error {
  override name = 'GraphRequestError' as const;
  constructor(
    message: string,
    /** HTTP status, or 0 when no response arrived. */
    readonly status: number,
    readonly graphCode: string | undefined,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Middleware

export function requestUrl(context: Context): string {
  return typeof context.request === 'string' ? context.request : context.request.url;
}

export function setHeader(context: Context, name: string, value: string): void {
  if (typeof context.request !== 'string') {
    context.request.headers.set(name, value);
    return;
  }
  const options = (context.options ??= {});
  const headers = options.headers;
  if (headers instanceof Headers) headers.set(name, value);
  else if (Array.isArray(headers)) headers.push([name, value]);
  else options.headers = { ...(headers ?? {}), [name]: value };
}

export function getHeader(context: Context, name: string): string | undefined {
  if (typeof context.request !== 'string') return context.request.headers.get(name) ?? undefined;
  const headers = context.options?.headers;
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  if (Array.isArray(headers)) return headers.find(([key]) => key?.toLowerCase() === name.toLowerCase())?.[1];
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return entry?.[1];
}

/** Adds `Authorization: Bearer` for the configured Graph origin only. */
export class BearerTokenHandler implements Middleware {
  private next?: Middleware;
  constructor(
    private readonly provider: TokenCredentialAuthenticationProvider,
    private readonly origin: string,
  ) {}

  async execute(context: Context): Promise<void> {
    if (new URL(requestUrl(context)).origin === this.origin) {
      let token: string;
      try {
        token = await this.provider.getAccessToken();
      } catch (error) {
        throw tokenError(error);
      }
      setHeader(context, 'Authorization', `Bearer ${token}`);
    }
    await this.next?.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** Per HTTP attempt: low throttle priority (background work), a client request id, a timeout, a count. */
export class AttemptPolicyHandler implements Middleware {
  private next?: Middleware;
  constructor(
    private readonly timeoutMs: number,
    private readonly onAttempt: (attempt: GraphAttempt) => void,
  ) {}

  async execute(context: Context): Promise<void> {
    setHeader(context, 'x-ms-throttle-priority', 'low');
    if (!getHeader(context, 'client-request-id')) setHeader(context, 'client-request-id', randomUUID());
    const options = (context.options ??= {});
    options.signal = AbortSignal.timeout(this.timeoutMs);
    const started = Date.now();
    try {
      await this.next?.execute(context);
    } finally {
      const response = context.response;
      const percentage = Number(response?.headers.get('x-ms-throttle-limit-percentage') ?? NaN);
      this.onAttempt({
        method: (options.method ?? 'GET').toUpperCase(),
        status: response?.status ?? 0,
        durationMs: Date.now() - started,
        ...(Number.isFinite(percentage) ? { throttleLimitPercentage: percentage } : {}),
        ...(response?.headers.get('request-id')
          ? { requestId: response.headers.get('request-id') ?? '' }
          : {}),
      });
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** OData string literal: single quotes doubled, so an address cannot change the filter. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function shouldRetryInProcess(response: Response, maxInProcessDelaySeconds: number): boolean {
  if (response.status === 429) return false; // the queue handler re-queues with Retry-After instead
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
  return retryAfter === undefined || retryAfter <= maxInProcessDelaySeconds;
}

interface GraphFailure {
  status: number;
  code: string | undefined;
  message: string;
  requestId: string | undefined;
  retryAfterSeconds: number | undefined;
}

/** Reads the SDK's GraphError by shape (statusCode −1 or undefined when no response arrived). */
export function asGraphFailure(error: unknown): GraphFailure | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  const e = error as {
    statusCode?: unknown;
    code?: unknown;
    message?: unknown;
    requestId?: unknown;
    headers?: unknown;
  };
  const status = typeof e.statusCode === 'number' && e.statusCode > 0 ? e.statusCode : 0;
  const headers = e.headers instanceof Headers ? e.headers : undefined;
  return {
    status,
    code: typeof e.code === 'string' ? e.code : undefined,
    message: typeof e.message === 'string' ? e.message : '',
    requestId:
      (typeof e.requestId === 'string' ? e.requestId : undefined) ?? headers?.get('request-id') ?? undefined,
    retryAfterSeconds: parseRetryAfter(headers?.get('Retry-After')),
  };
}

export const TOKEN_TRANSIENT = 'GraphTokenUnavailable';
export const TOKEN_PERMANENT = 'GraphTokenRefused';

/**
 * The SDK turns middleware errors into GraphError with `code = error.name`, so the token failure kind
 * travels in the name: identity-platform throttling or outage is transient, anything else (no managed
 * identity, consent missing) is permanent and should end in the poison queue rather than loop.
 */
export function tokenError(error: unknown): Error {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  const transient = typeof status === 'number' && (status === 429 || status >= 500);
  const wrapped = new Error(
    `Could not get a Graph access token (${error instanceof Error ? error.name : 'unknown error'})`,
  );
  wrapped.name = transient ? TOKEN_TRANSIENT : TOKEN_PERMANENT;
  return wrapped;
}

export function toDirectoryError(error: unknown, operation: string): Error {
  const failure = asGraphFailure(error);
  if (!failure) {
    const name = error instanceof Error ? error.name : 'unknown';
    return new GraphRequestError(`Graph ${operation} failed before sending (${name})`, 0, undefined);
  }
  const where = `Graph ${operation}`;
  const id = failure.requestId ? `, request-id ${failure.requestId}` : '';
  if (failure.status === 429) {
    return new TransientError(
      `${where} throttled (429${id})`,
      failure.retryAfterSeconds ?? DEFAULT_THROTTLE_RETRY_SECONDS,
      'throttled',
    );
  }
  if ([408, 502, 503, 504].includes(failure.status)) {
    return new TransientError(
      `${where} unavailable (${failure.status} ${failure.code ?? ''}${id})`,
      failure.retryAfterSeconds ?? DEFAULT_UNAVAILABLE_RETRY_SECONDS,
      'unavailable',
    );
  }
  if (failure.status === 0) {
    if (failure.code === TOKEN_PERMANENT)
      return new GraphRequestError(`${where} failed: ${failure.message}`, 0, failure.code);
    // Network failure, timeout (TimeoutError/AbortError) or a transient token failure.
    return new TransientError(
      `${where} got no response (${failure.code ?? 'network error'})`,
      DEFAULT_UNAVAILABLE_RETRY_SECONDS,
      'unavailable',
    );
  }
  return new GraphRequestError(
    `${where} failed: ${failure.status} ${failure.code ?? ''}: ${maskEmails(failure.message.slice(0, 500))}${id}`,
    failure.status,
    failure.code,
    failure.requestId,
  );
}
