/**
 * Sponsor-approval links. A token is `<signupId>.<144 random bits>`: bound to its flow
 * by the id, and only its keyed hash is stored on the flow, so the table alone cannot decide anything.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

import { keyedHash, SIGNUP_ID_PATTERN } from './codes';

export const APPROVAL_TOKEN_PATTERN = /^[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{24}$/;

export function newApprovalToken(signupId: string): string {
  return `${signupId}.${randomBytes(18).toString('base64url')}`;
}

export function hashApprovalToken(secret: string, token: string): string {
  return keyedHash(secret, 'approval', token);
}

/** The flow a well-formed token names, or undefined for anything else (checked before any storage read). */
export function signupIdOfToken(token: string): string | undefined {
  if (!APPROVAL_TOKEN_PATTERN.test(token)) return undefined;
  const signupId = token.slice(0, token.indexOf('.'));
  return SIGNUP_ID_PATTERN.test(signupId) ? signupId : undefined;
}

/** Constant-time comparison of a presented token with the stored hash (absent hash: never matches). */
export function approvalTokenMatches(secret: string, token: string, storedHash: string | undefined): boolean {
  const presented = Buffer.from(hashApprovalToken(secret, token));
  const stored = Buffer.from(storedHash ?? '');
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}
