/**
 * Serves the recipient's landing page: the HTML (branding and language filled in at serve time, never
 * cached) and the hashed assets (cached for a year), each compressed with brotli or gzip when the client
 * accepts it. The functions in functions/landingPage.ts only route requests here.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';

import { escapeHtml } from '../email/escape';
import { plainError } from '../http';
import { direction, negotiateLocale, t, type Locale } from '../i18n';
import { findWebRoot, type LoadedAsset, WebAssets } from './assets';
import { type Branding, brandStylesheet } from './branding';
import { assetHeaders, BASE_HEADERS, chooseEncoding, type ContentEncoding, htmlHeaders } from './headers';

export interface LandingPageOptions {
  assets: WebAssets;
  branding: Branding;
  defaultLocale: Locale;
}

export interface LandingPage {
  /** GET / (and /index.html); any other single-segment path is a 404. */
  page(req: HttpRequest): HttpResponseInit;
  /** GET /assets/{file}. */
  asset(req: HttpRequest): HttpResponseInit;
  /** The HTML for a locale, uncompressed (tests and size budgets). */
  html(locale: Locale): string;
  /** The generated brand stylesheet's URL. */
  readonly brandCssUrl: string;
  /** The loaded build (the console page reads its template from it). */
  readonly assets: WebAssets;
}

const PAGE_PATHS = new Set(['', 'index.html']);
const PLACEHOLDER = /\{\{(\w+)\}\}/g;
export const TEMPLATE_PLACEHOLDERS = ['lang', 'dir', 'title', 'brandCss', 'body', 'noscript'] as const;
type Placeholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

/**
 * Fills `{{name}}` placeholders in one pass, so a value that itself contains `{{…}}` is never expanded.
 * Values must already be escaped for where they land.
 */
export function fillTemplate(template: string, values: Readonly<Record<Placeholder, string>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(values, name))
      throw new Error(`Unknown placeholder ${whole} in the page template`);
    return values[name as Placeholder];
  });
}

/** `data-*` attributes the page script reads its branding from (escaped for a double-quoted attribute). */
export function bodyAttributes(branding: Branding, defaultLocale: Locale): string {
  const attributes: [string, string | undefined][] = [
    ['data-organization', branding.organizationName],
    ['data-support', branding.supportContact],
    ['data-privacy-url', branding.privacyUrl],
    ['data-logo-url', branding.logoUrl],
    ['data-default-locale', defaultLocale],
  ];
  return attributes
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([name, value]) => `${name}="${escapeHtml(value)}"`)
    .join(' ');
}

export function makeLandingPage(options: LandingPageOptions): LandingPage {
  const { assets, branding, defaultLocale } = options;
  for (const name of TEMPLATE_PLACEHOLDERS) {
    if (!assets.template.includes(`{{${name}}}`)) throw new Error(`The page template lacks {{${name}}}`);
  }

  const brandCss = Buffer.from(brandStylesheet(branding), 'utf8');
  const brandCssName = `brand-${createHash('sha256').update(brandCss).digest('hex').slice(0, 12)}.css`;
  const brandAsset: LoadedAsset = {
    name: brandCssName,
    contentType: 'text/css; charset=utf-8',
    etag: `"${brandCssName}"`,
    body: brandCss,
    encoded: {},
  };
  const brandCssUrl = `/assets/${brandCssName}`;
  const body = bodyAttributes(branding, defaultLocale);

  const renderHtml = (locale: Locale): string =>
    fillTemplate(assets.template, {
      lang: locale,
      dir: direction(locale),
      title: escapeHtml(t(locale, 'page.title', { organization: branding.organizationName })),
      brandCss: brandCssUrl,
      body,
      // Missing from the catalogue (see the report); the page is useless without its script anyway.
      noscript: 'This page needs JavaScript. Please turn it on, or open the page in another browser.',
    });

  // Branding is fixed for the life of the process, so each (locale, encoding) is rendered once.
  const htmlCache = new Map<string, Buffer>();
  const htmlBody = (locale: Locale, encoding: ContentEncoding | undefined): Buffer => {
    const key = `${locale}/${encoding ?? 'identity'}`;
    let cached = htmlCache.get(key);
    if (!cached) {
      const raw = Buffer.from(renderHtml(locale), 'utf8');
      cached = encoding === 'br' ? brotli(raw) : encoding === 'gzip' ? gzipSync(raw, { level: 9 }) : raw;
      htmlCache.set(key, cached);
    }
    return cached;
  };

  return {
    assets,
    brandCssUrl,
    html: renderHtml,

    page(req) {
      const requested = (req.params.page ?? '').toLowerCase();
      if (!PAGE_PATHS.has(requested)) return notFound();
      const url = new URL(req.url);
      const locale = negotiateLocale({
        requested: url.searchParams.get('lang') ?? undefined,
        acceptLanguage: req.headers.get('accept-language') ?? undefined,
        fallback: defaultLocale,
      });
      const encoding = chooseEncoding(req.headers.get('accept-encoding'), ['br', 'gzip']);
      const headers = htmlHeaders();
      if (encoding) headers['Content-Encoding'] = encoding;
      return { status: 200, headers, body: htmlBody(locale, encoding) };
    },

    asset(req) {
      const name = req.params.file ?? '';
      const file = name === brandCssName ? brandAsset : assets.file(name);
      if (!file) return notFound();
      const headers = assetHeaders(file.contentType, file.etag);
      if (matchesEtag(req.headers.get('if-none-match'), file.etag)) return { status: 304, headers };
      const encoding = chooseEncoding(
        req.headers.get('accept-encoding'),
        Object.keys(file.encoded) as ContentEncoding[],
      );
      const encoded = encoding ? file.encoded[encoding] : undefined;
      if (encoding && encoded) {
        headers['Content-Encoding'] = encoding;
        return { status: 200, headers, body: encoded };
      }
      return { status: 200, headers, body: file.body };
    },
  };
}

function brotli(raw: Buffer): Buffer {
  return brotliCompressSync(raw, {
    params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  });
}

function matchesEtag(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === etag || tag === '*');
}

function notFound(): HttpResponseInit {
  const response = plainError('not_found');
  return { ...response, headers: { ...(response.headers as Record<string, string>), ...BASE_HEADERS } };
}

/** The page over the built assets in dist/web (read once), for the container to build on first request. */
export function loadLandingPage(options: Omit<LandingPageOptions, 'assets'>): LandingPage {
  const root = findWebRoot(__dirname);
  if (!root)
    throw new Error('The landing page build is missing: run `npm run build` (dist/web/manifest.json).');
  return makeLandingPage({ ...options, assets: WebAssets.load(root) });
}
