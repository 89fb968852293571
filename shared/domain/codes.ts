/**
 * The code service shared by the email function (which issues codes) and verify (which checks them).
 * Only an HMAC of a code is ever stored; the plaintext exists in memory and in the email, nowhere else.
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

export const CODE_DIGITS = 6;
const CODE_PATTERN = /^\d{6}$/;

/** Six uniformly random decimal digits from the CSPRNG, leading zeros included (req 1, 2). */
export function generateCode(): string {
  return randomInt(0, 10 ** CODE_DIGITS)
    .toString()
    .padStart(CODE_DIGITS, '0');
}

/** HMAC-SHA-256(secret, signupId ‖ code): binds a code to its flow (req 5, 11). */
export function hashCode(secret: string, signupId: string, code: string): string {
  return createHmac('sha256', secret).update(`code\u0000${signupId}\u0000${code}`).digest('base64url');
}

/** Constant-time comparison of a submitted code against the stored HMAC (req 12). */
export function codeMatches(
  secret: string,
  signupId: string,
  submitted: string,
  storedHash: string | undefined,
): boolean {
  const candidate = Buffer.from(hashCode(secret, signupId, normalizeSubmittedCode(submitted) ?? ''));
  const stored = Buffer.from(storedHash ?? '');
  // Compare equal-length buffers even when nothing is stored, so timing does not reveal that either.
  const reference = stored.length === candidate.length ? stored : Buffer.alloc(candidate.length);
  return timingSafeEqual(candidate, reference) && stored.length === candidate.length;
}

/** Accepts what people paste ("123 456", "123-456") and returns the 6 digits, or undefined. */
export function normalizeSubmittedCode(input: string): string | undefined {
  const digits = input.replace(/[\s-]/g, '');
  return CODE_PATTERN.test(digits) ? digits : undefined;
}

/** A URL-safe flow id with 144 bits from the CSPRNG; deliberately not a UUID (req 14). */
export function newSignupId(): string {
  return randomBytes(18).toString('base64url');
}

export const SIGNUP_ID_PATTERN = /^[A-Za-z0-9_-]{24}$/;

/** Keyed hash for anything personal used as a key or logged (addresses, IPs). */
export function keyedHash(secret: string, purpose: string, value: string): string {
  return createHmac('sha256', secret).update(`${purpose}\u0000${value}`).digest('base64url').slice(0, 32);
}
