/**
 * Output encoding for emails. Every value that is not a literal in our templates goes through one of these
 * before it reaches HTML, an href or a header (security-limits.md §6 req 27, 34).
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and for double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/**
 * Returns the normalised URL when `value` is an absolute http(s) URL, otherwise undefined, so a
 * `javascript:`, `data:` or relative value can never become a link. Credentials in URLs are refused too
 * (`https://good.example@evil.example/` reads like the wrong host).
 */
export function safeHttpUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // Controls and whitespace are refused rather than silently stripped, as a browser would do.
  if (/[\u0000-\u0020\u007f-\u009f]/.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password) return undefined;
  return url.href;
}

/** A deliberately narrow address shape: enough for a support mailbox, nothing that could break an href. */
const PLAIN_ADDRESS =
  /^[A-Za-z0-9.!#$%&*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** `mailto:` href for a plain address, otherwise undefined. */
export function safeMailto(address: string): string | undefined {
  return PLAIN_ADDRESS.test(address) ? `mailto:${address}` : undefined;
}

/**
 * Makes text safe for a single-line header such as Subject: removes CR, LF and every other control or
 * line/paragraph separator, and collapses the resulting runs of spaces.
 */
export function toHeaderText(value: string): string {
  return value
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}
