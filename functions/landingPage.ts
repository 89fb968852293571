/**
 * The recipient's landing page, served by the function app itself so one deployment is the whole product.
 *
 * Routes (host.json `routePrefix` is ""): `{page?}` answers `/` and `/index.html`, `assets/{file}` the
 * hashed files, `api/csp-reports` CSP violation reports. None of them overlaps an `api/...` route with two
 * or more segments, so the result does not depend on route precedence, which the Functions host decides
 * by function name rather than by specificity (Azure/azure-functions-host#9876,
 * Azure/azure-functions-nodejs-library#300): a catch-all `{*path}` could shadow the sign-up API.
 */
import { app, type HttpResponseInit } from '@azure/functions';

import { getConfig } from '../shared/config';
import { AppError } from '../shared/errors';
import { readBodyText } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';
import { findWebRoot, WebAssets } from '../shared/web/assets';
import { brandingFromConfig } from '../shared/web/branding';
import { MAX_CSP_REPORT_BYTES, parseCspReport } from '../shared/web/cspReport';
import { BASE_HEADERS } from '../shared/web/headers';
import { type LandingPage, makeLandingPage } from '../shared/web/landingPage';

export const makeLandingPageHandler =
  (landing: () => LandingPage): AppHttpHandler =>
  async (req) =>
    Promise.resolve(landing().page(req));

export const makeLandingAssetHandler =
  (landing: () => LandingPage): AppHttpHandler =>
  async (req) =>
    Promise.resolve(landing().asset(req));

const REPORT_TYPES = new Set(['application/csp-report', 'application/reports+json', 'application/json']);

/**
 * Logs CSP violations as structured events. Anyone can POST here, so each instance logs at most
 * `perMinute` reports a minute and drops the rest.
 */
export function makeCspReportHandler(
  options: { perMinute?: number; now?: () => number } = {},
): AppHttpHandler {
  const perMinute = options.perMinute ?? 60;
  const now = options.now ?? Date.now;
  let windowStart = 0;
  let logged = 0;
  return async (req, log) => {
    const type = (req.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!REPORT_TYPES.has(type)) throw new AppError('unsupported_media_type');
    const raw = await readBodyText(req, MAX_CSP_REPORT_BYTES);
    for (const violation of parseCspReport(raw)) {
      if (now() - windowStart >= 60_000) {
        windowStart = now();
        logged = 0;
      }
      if (logged >= perMinute) break;
      logged++;
      log.event('csp_violation', { ...violation }, 'warn');
    }
    const response: HttpResponseInit = {
      status: 204,
      headers: { ...BASE_HEADERS, 'Cache-Control': 'no-store' },
    };
    return response;
  };
}

let cachedLanding: LandingPage | undefined;

/** Built on first request: reads dist/web once and the branding from app settings. */
export function landingPage(): LandingPage {
  if (cachedLanding) return cachedLanding;
  const root = findWebRoot(__dirname);
  if (!root)
    throw new Error('The landing page build is missing: run `npm run build` (dist/web/manifest.json).');
  const config = getConfig();
  cachedLanding = makeLandingPage({
    assets: WebAssets.load(root),
    branding: brandingFromConfig(config),
    defaultLocale: config.DEFAULT_LOCALE,
  });
  return cachedLanding;
}

app.http('landingPage', {
  route: '{page?}',
  methods: ['GET', 'HEAD'],
  authLevel: 'anonymous',
  handler: httpFunction(makeLandingPageHandler(landingPage)),
});

app.http('landingAssets', {
  route: 'assets/{file}',
  methods: ['GET', 'HEAD'],
  authLevel: 'anonymous',
  handler: httpFunction(makeLandingAssetHandler(landingPage)),
});

app.http('cspReports', {
  route: 'api/csp-reports',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: httpFunction(makeCspReportHandler()),
});
