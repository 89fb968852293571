/**
 * Picks a supported locale from an explicit request (`?lang=`, the flow's stored locale) and then from an
 * Accept-Language header. Only the primary language subtag matters: `de-AT` and `de_CH` are German.
 * Pure and dependency-free, so the page bundle can use it on `navigator.languages` too.
 */

/** Accept-Language is attacker-controlled: look at a bounded prefix and a bounded number of entries. */
const MAX_HEADER_LENGTH = 1024;
const MAX_ENTRIES = 32;
const LANGUAGE_TAG = /^[a-z]{1,8}(?:[-_][a-z0-9]{1,8})*$/i;
const QUALITY = /^q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/i;

/** The lower-cased primary subtag of a well-formed tag, `*` for the wildcard, otherwise undefined. */
function primarySubtag(tag: string): string | undefined {
  const trimmed = tag.trim();
  if (trimmed === '*') return '*';
  if (!LANGUAGE_TAG.test(trimmed)) return undefined;
  return trimmed.split(/[-_]/)[0]?.toLowerCase();
}

interface Preference {
  language: string;
  quality: number;
}

/** Parses `fr-CH, fr;q=0.9, *;q=0.1`; malformed entries are skipped, never fatal. */
export function parseAcceptLanguage(header: string): Preference[] {
  const preferences: Preference[] = [];
  for (const entry of header.slice(0, MAX_HEADER_LENGTH).split(',').slice(0, MAX_ENTRIES)) {
    const [tag = '', ...params] = entry.split(';');
    const language = primarySubtag(tag);
    if (!language) continue;
    let quality = 1;
    let valid = true;
    for (const param of params) {
      const match = QUALITY.exec(param.trim());
      if (match?.[1] === undefined) valid = false;
      else quality = Number(match[1]);
    }
    if (valid) preferences.push({ language, quality });
  }
  // Array.prototype.sort is stable, so equal weights keep the header's order.
  return preferences.sort((a, b) => b.quality - a.quality);
}

export function negotiate<L extends string>(
  supported: readonly L[],
  input: { requested?: string | undefined; acceptLanguage?: string | undefined; fallback: L },
): L {
  const isSupported = (value: string | undefined): value is L => supported.includes(value as L);

  const requested = input.requested === undefined ? undefined : primarySubtag(input.requested);
  if (isSupported(requested)) return requested;

  if (!input.acceptLanguage) return input.fallback;
  const preferences = parseAcceptLanguage(input.acceptLanguage);
  // `lang;q=0` means "not this one", including for the wildcard.
  const refused = new Set(preferences.filter((p) => p.quality === 0).map((p) => p.language));
  for (const { language, quality } of preferences) {
    if (quality === 0) continue;
    if (isSupported(language)) return language;
    if (language === '*') {
      if (!refused.has(input.fallback)) return input.fallback;
      const other = supported.find((l) => !refused.has(l));
      if (other) return other;
    }
  }
  return input.fallback;
}
