/**
 * Address rules Graph applies, shared by the emulator and the in-memory `Directory` fake so both refuse
 * and name the same things.
 */

/** Characters Graph refuses in invitedUserEmailAddress (invitation resource docs). */
const INVITATION_FORBIDDEN = /[~!#$%^&*()+=[\]{}\\/|;:"<>?,\s]/;
/** Characters Graph keeps in a user principal name's prefix; others become `_`. */
export const UPN_ALLOWED = /[A-Za-z0-9'.\-_!#^~]/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Why Graph would refuse this address in POST /invitations, or undefined when it is acceptable. */
export function invitedAddressProblem(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1 || address.indexOf('@') !== at)
    return 'it must have one @ with text on both sides';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || domain.length > 253) return 'it is too long';
  if (/[^\x21-\x7e]/.test(address)) return 'it contains characters outside printable ASCII';
  if (INVITATION_FORBIDDEN.test(local)) return 'the user name contains a character Graph does not permit';
  if (/^[.-]|[.-]$/.test(local) || local.includes('..'))
    return 'a period or hyphen starts or ends the user name';
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label)))
    return 'the domain is not valid';
  const tld = labels[labels.length - 1] ?? '';
  if (!/^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]+)$/.test(tld)) return 'the top-level domain is not valid';
  return undefined;
}

/** `alice@fabrikam.com` → `alice_fabrikam.com#EXT#@contoso.onmicrosoft.com`, as Graph names invited guests. */
export function guestUserPrincipalName(address: string, tenantDomain: string): string {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  const mapped = [...`${local}_${domain}`].map((ch) => (UPN_ALLOWED.test(ch) ? ch : '_')).join('');
  return `${mapped}#EXT#@${tenantDomain}`;
}

/** Graph compares directory strings case-insensitively; null or missing never matches. */
export function sameText(a: string | null | undefined, b: string | null | undefined): boolean {
  return typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
}
