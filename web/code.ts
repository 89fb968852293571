/**
 * Reading a verification code the way people type or paste it: with spaces or dashes, with full-width
 * digits from a Japanese keyboard, or with Arabic-Indic digits.
 */

export const CODE_LENGTH = 6;

const DIGIT_BLOCKS: readonly number[] = [
  0xff10, // full-width ０–９
  0x0660, // Arabic-Indic ٠–٩
  0x06f0, // Extended Arabic-Indic ۰–۹
];

/** Keeps the digits (any script, as ASCII) and drops separators; any other character is kept as is. */
export function normalizeCode(input: string): string {
  let out = '';
  for (const ch of input) {
    const cp = ch.codePointAt(0) ?? 0;
    const block = DIGIT_BLOCKS.find((start) => cp >= start && cp <= start + 9);
    if (block !== undefined) out += String(cp - block);
    else if (/[\s\-‐‑‒–—.·_]/u.test(ch)) continue;
    else out += ch;
  }
  return out;
}

export function isCompleteCode(value: string): boolean {
  return new RegExp(`^\\d{${CODE_LENGTH}}$`).test(value);
}

/** Sign-up ids are ≥ 128 random bits, URL-safe; anything else in a link or storage is ignored. */
export const SIGNUP_ID = /^[A-Za-z0-9_-]{16,128}$/;

export interface EmailLink {
  signupId: string;
  code: string;
}

/**
 * The email's link `/#code=123456&signup=<id>`. The code travels in the fragment, so it never reaches a
 * server log; the page only pre-fills it and waits for the person to select Confirm.
 */
export function parseEmailLink(hash: string): EmailLink | undefined {
  if (!hash.startsWith('#') || hash.length > 512) return undefined;
  const params = new URLSearchParams(hash.slice(1));
  const signupId = params.get('signup') ?? '';
  const code = normalizeCode(params.get('code') ?? '');
  if (!SIGNUP_ID.test(signupId) || !isCompleteCode(code)) return undefined;
  return { signupId, code };
}
