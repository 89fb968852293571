import { z } from 'zod';

/**
 * Every error code a client can see. The catalogue in shared/errors.ts gives each one its status and
 * default text (its type makes it list exactly these), and openapi.yaml lists them too (a test checks).
 */
export const ERROR_CODES = [
  'invalid_request',
  'invalid_email',
  'domain_not_allowed',
  'challenge_required',
  'challenge_failed',
  'invalid_code',
  'unauthorized',
  'forbidden',
  'not_found',
  'signup_not_found',
  'method_not_allowed',
  'already_verified',
  'already_decided',
  'approval_not_found',
  'conflict',
  'precondition_failed',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'resend_too_soon',
  'signups_paused',
  'busy',
  'storage_unavailable',
  'identity_provider_unavailable',
] as const;

export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Why a domain is refused (`domain_not_allowed` only): a stable key the page words itself. */
export const DOMAIN_REFUSALS = [
  'consumer',
  'disposable',
  'relay',
  'reserved',
  'organization',
  'blocked',
  'not_allowed',
  'paused',
  'capped',
] as const;
export const DomainRefusal = z.enum(DOMAIN_REFUSALS);
export type DomainRefusal = z.infer<typeof DomainRefusal>;

/**
 * The body of every error answer. `message` is the catalogue's English text; `detail` is text an admin
 * wrote for the public (the pause reason of `signups_paused`, a paused domain's reason), shown as is;
 * clients read these fields and never parse `message`.
 */
export const ErrorBody = z.strictObject({
  error: z.strictObject({
    code: ErrorCode,
    message: z.string(),
    reason: DomainRefusal.optional(),
    detail: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
export type ErrorDetails = Omit<ErrorBody['error'], 'code' | 'message'>;
