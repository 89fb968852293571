/**
 * The one address masker (req 44): one address for views (`jane.doe@contoso.com` → `j•••@contoso.com`:
 * enough for a person to recognise, useless to a spammer), and every address inside free text (an
 * upstream error that quotes the invitee, a log value) for logs, errors and admin views.
 */

/** Longest text scanned by default: callers log or show at most this much. */
export const MASK_SCAN_LIMIT = 500;

// Anything shaped like local@domain. The quantifiers are bounded (64 for the local part, 253 for the
// domain, the RFC limits) so a long run without an address costs linear time, and the text is cut before
// the regex runs: no quadratic scan of a large value. An apostrophe may sit inside the local part
// (O'Brien) but not start it, because Graph quotes values in '…'. No dot is required after the @, so
// an address cut short still gets masked.
const STOP = `\\s"<>(),;:@`;
const ADDRESS_IN_TEXT = new RegExp(`[^${STOP}'][^${STOP}]{0,63}@[^${STOP}']{1,253}`, 'gu');

/** Masks one address: first character, `•••`, then the domain; `•••` when there is no local part. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '•••';
  return `${address[0]}•••@${address.slice(at + 1)}`;
}

/** Masks every address in `text`, which is first cut to `maxLength` characters. */
export function maskEmails(text: string, maxLength = MASK_SCAN_LIMIT): string {
  return text.slice(0, maxLength).replace(ADDRESS_IN_TEXT, maskEmail);
}
