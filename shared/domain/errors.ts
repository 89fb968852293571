import type { ErrorCode, ErrorDetails } from '../contracts/errors';

export type { ErrorCode } from '../contracts/errors';

/**
 * The error catalogue: every error a client can see has a stable snake_case code and one HTTP status.
 * Anything else thrown is a bug or an outage and is answered with a bare 500 by `toHttpResponse`.
 */
export const ERRORS = {
  invalid_request: { status: 400, message: 'The request is not valid.' },
  invalid_email: { status: 400, message: 'That does not look like an email address.' },
  domain_not_allowed: { status: 400, message: 'Addresses from this domain cannot sign up here.' },
  challenge_required: {
    status: 400,
    message: 'A solved challenge is required (GET /api/challenge, then send it as "altcha").',
  },
  challenge_failed: {
    status: 400,
    message: 'The challenge is not valid, has expired or was already used. Fetch a new one.',
  },
  invalid_code: {
    status: 400,
    message: 'That code is not valid. Check the latest email or ask for a new code.',
  },
  unauthorized: { status: 401, message: 'A valid key is required.' },
  forbidden: { status: 403, message: 'You are not allowed to do this.' },
  not_found: { status: 404, message: 'Not found.' },
  signup_not_found: {
    status: 404,
    message: 'This sign-up does not exist or has expired. Please start again.',
  },
  method_not_allowed: { status: 405, message: 'Method not allowed.' },
  already_verified: { status: 409, message: 'This sign-up is already verified.' },
  already_decided: { status: 409, message: 'This request has already been decided.' },
  approval_not_found: { status: 404, message: 'This approval link is not valid or has expired.' },
  conflict: { status: 409, message: 'The resource was changed by someone else. Try again.' },
  precondition_failed: {
    status: 412,
    message: 'It changed since you read it (If-Match does not match the ETag). Read it again and retry.',
  },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'Send JSON with Content-Type: application/json.' },
  rate_limited: { status: 429, message: 'Too many requests. Please wait a moment and try again.' },
  resend_too_soon: { status: 429, message: 'Please wait before asking for another code.' },
  signups_paused: { status: 503, message: 'Sign-ups are paused at the moment. Please try again later.' },
  busy: { status: 503, message: 'Many people are signing up right now. Please try again in a minute.' },
  storage_unavailable: { status: 503, message: 'The service is temporarily unavailable.' },
  identity_provider_unavailable: {
    status: 503,
    message: 'Sign-in cannot be checked right now (the identity provider did not answer). Try again.',
  },
} as const satisfies Record<ErrorCode, { status: number; message: string }>;

export class AppError extends Error {
  override name = 'AppError' as const;
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly options: {
      retryAfterSeconds?: number;
      headers?: Record<string, string>;
      /** Extra, non-personal fields for the error body (why a domain is refused, the admin's text). */
      details?: ErrorDetails;
    } = {},
  ) {
    super(message ?? ERRORS[code].message);
    this.status = ERRORS[code].status;
  }
}

/** Identifies catalogue errors by shape, so a second copy of this module (bundles, jest) still matches. */
export function isAppError(error: unknown): error is AppError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'AppError' &&
    typeof (error as { code?: unknown }).code === 'string' &&
    (error as { code: string }).code in ERRORS
  );
}

/**
 * A downstream service asked us to slow down or is briefly unavailable. Queue handlers re-queue the
 * message with `retryAfterSeconds` as its visibility delay instead of burning a dequeue.
 */
export class TransientError extends Error {
  override name = 'TransientError' as const;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly kind: 'throttled' | 'unavailable' = 'unavailable',
  ) {
    super(message);
  }
}

export function isTransientError(error: unknown): error is TransientError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'TransientError' &&
    typeof (error as { retryAfterSeconds?: unknown }).retryAfterSeconds === 'number'
  );
}

/** A precondition (ETag) failed: someone else updated the entity first. Never treated as success. */
export class ConcurrencyError extends Error {
  override name = 'ConcurrencyError' as const;
}

export function isConcurrencyError(error: unknown): error is ConcurrencyError {
  return (
    typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'ConcurrencyError'
  );
}
