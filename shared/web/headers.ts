/**
 * Response headers for the landing page and its assets (security-limits.md §6 E, req 35–37).
 */

/** Where browsers POST CSP violation reports (a function in functions/landingPage.ts). */
export const CSP_REPORT_PATH = '/api/csp-reports';

/**
 * No inline script or style anywhere: everything comes from our own hashed files. `img-src https:` lets an
 * operator point BRAND_LOGO_URL at their own CDN; `data:` is for the CSS icons.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: data:",
  "font-src 'self'",
  "connect-src 'self'",
  // The proof-of-work solver (web/challengeWorker.ts) is a worker loaded from our own hashed file.
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
  `report-uri ${CSP_REPORT_PATH}`,
  'report-to csp',
].join('; ');

export const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'camera=()',
  'display-capture=()',
  'geolocation=()',
  'gyroscope=()',
  'magnetometer=()',
  'microphone=()',
  'payment=()',
  'usb=()',
].join(', ');

/** On every landing-page response, HTML or not (req 35, 37). */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export function htmlHeaders(): Record<string, string> {
  return {
    ...BASE_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    // The HTML carries per-deployment branding and the negotiated language: never cache it.
    'Cache-Control': 'no-store',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'Reporting-Endpoints': `csp="${CSP_REPORT_PATH}"`,
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': PERMISSIONS_POLICY,
    'X-Frame-Options': 'DENY',
    Vary: 'Accept-Encoding, Accept-Language',
  };
}

/** Hashed file names never change content, so browsers may keep them for a year without asking. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

export function assetHeaders(contentType: string, etag: string): Record<string, string> {
  return {
    ...BASE_HEADERS,
    'Content-Type': contentType,
    'Cache-Control': IMMUTABLE_CACHE,
    'Cross-Origin-Resource-Policy': 'same-origin',
    ETag: etag,
    Vary: 'Accept-Encoding',
  };
}

export type ContentEncoding = 'br' | 'gzip';

/**
 * Picks the best encoding the client accepts among those we have: brotli, then gzip, else identity.
 * Honours q-values (`br;q=0` refuses brotli) and the `*` wildcard.
 */
export function chooseEncoding(
  acceptEncoding: string | null | undefined,
  available: readonly ContentEncoding[],
): ContentEncoding | undefined {
  if (!acceptEncoding) return undefined;
  const weights = new Map<string, number>();
  for (const entry of acceptEncoding.slice(0, 512).split(',')) {
    const [name = '', ...params] = entry.trim().toLowerCase().split(';');
    if (!name) continue;
    let q = 1;
    for (const param of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/.exec(param);
      if (m?.[1] !== undefined) q = Number(m[1]);
    }
    weights.set(name.trim(), q);
  }
  const weightOf = (encoding: string) => weights.get(encoding) ?? weights.get('*') ?? 0;
  for (const encoding of ['br', 'gzip'] as const) {
    if (available.includes(encoding) && weightOf(encoding) > 0) return encoding;
  }
  return undefined;
}
