/**
 * The one message catalogue used by the emails (server) and the landing page (browser bundle). Keep this
 * module and everything it imports free of Node-only APIs.
 */
import { formatMessage, formatMessageToParts, type MessageParams, type MessagePart } from './format';
import { negotiate } from './negotiate';
import { ar } from './locales/ar';
import { de } from './locales/de';
import { en, type MessageKey, type Messages } from './locales/en';
import { es } from './locales/es';
import { fr } from './locales/fr';
import { ja } from './locales/ja';
import { nl } from './locales/nl';

export type { MessageKey, Messages, MessageParams, MessagePart };

/** Order is the language switcher's order; keep it equal to DEFAULT_LOCALE's enum in shared/config.ts. */
export const SUPPORTED_LOCALES = ['en', 'de', 'fr', 'es', 'nl', 'ja', 'ar'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export type Direction = 'ltr' | 'rtl';

const CATALOGUES: Readonly<Record<Locale, Messages>> = { en, de, fr, es, nl, ja, ar };
const RTL_LOCALES: ReadonlySet<Locale> = new Set<Locale>(['ar']);

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

/** True for a key of the catalogue, e.g. to map an API error code: `isMessageKey(`error.${code}`)`. */
export function isMessageKey(value: string): value is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, value);
}

/**
 * `requested` (e.g. `?lang=` or the flow's stored locale) wins when supported, then Accept-Language by
 * q-value, then `fallback`. Regions are ignored (`de-AT` → `de`); malformed input is skipped.
 */
export function negotiateLocale(input: {
  requested?: string;
  acceptLanguage?: string;
  fallback: Locale;
}): Locale {
  return negotiate(SUPPORTED_LOCALES, input);
}

export function direction(locale: Locale): Direction {
  return RTL_LOCALES.has(locale) ? 'rtl' : 'ltr';
}

/** The whole catalogue of one locale (unknown locales get English), e.g. to ship to the page. */
export function catalogue(locale: Locale): Messages {
  return isLocale(locale) ? CATALOGUES[locale] : en;
}

/**
 * Formats one message as plain text. The result is NOT HTML-safe: escaping is the renderer's job (use
 * `textContent` on the page, `escapeHtml` in emails).
 */
export function t(locale: Locale, key: MessageKey, params?: MessageParams): string {
  return formatMessage(locale, messageOf(locale, key), params);
}

/** Like `t`, but keeps parameter values apart so a renderer can escape, isolate or link them. */
export function tParts(locale: Locale, key: MessageKey, params?: MessageParams): MessagePart[] {
  return formatMessageToParts(locale, messageOf(locale, key), params);
}

function messageOf(locale: Locale, key: MessageKey): string {
  // `en[key]` guards against a key that only exists at run time (e.g. an error code from the API).
  return catalogue(locale)[key] ?? en[key] ?? key;
}
