/** What the landing page reads before it starts: the deployment's branding and the recipient's language. */
import { safeHttpUrl } from '../shared/email/escape';
import { isLocale, negotiateLocale, type Locale } from '../shared/i18n';
import type { PageBranding } from './state';

/** Reads the branding the server put on <body> (shared/web/landingPage.ts `bodyAttributes`). */
export function readBranding(body: HTMLElement): PageBranding {
  const data = body.dataset;
  return {
    organization: data.organization ?? '',
    support: data.support ?? '',
    privacyUrl: safeHttpUrl(data.privacyUrl),
    logoUrl: safeHttpUrl(data.logoUrl),
    defaultLocale: isLocale(data.defaultLocale) ? data.defaultLocale : 'en',
  };
}

/** `?lang=` first, then the browser's languages, then the deployment's default. */
export function pickLocale(search: string, languages: readonly string[], fallback: Locale): Locale {
  const requested = new URLSearchParams(search).get('lang') ?? undefined;
  return negotiateLocale({ requested, acceptLanguage: languages.slice(0, 20).join(','), fallback });
}
