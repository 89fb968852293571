/**
 * The recipient's landing page, served by the function app itself so one deployment is the whole product.
 *
 * Routes (host.json `routePrefix` is ""): `{page?}` answers `/`, `/index.html` and the admin console at
 * `/console` (shared/web/consolePage.ts), `assets/{file}` the
 * hashed files, `api/csp-reports` CSP violation reports. None of them overlaps an `api/...` route with two
 * or more segments, so the result does not depend on route precedence, which the Functions host decides
 * by function name rather than by specificity (Azure/azure-functions-host#9876,
 * Azure/azure-functions-nodejs-library#300): a catch-all `{*path}` could shadow the sign-up API.
 */
import { app } from '@azure/functions';

import { deps } from '../shared/container';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';
import type { ConsolePage } from '../shared/web/consolePage';
import type { LandingPage } from '../shared/web/landingPage';

export const makeLandingPageHandler =
  (landing: () => LandingPage, adminConsole: () => ConsolePage): AppHttpHandler =>
  async (req) =>
    Promise.resolve(
      (req.params.page ?? '').toLowerCase() === 'console' ? adminConsole().page(req) : landing().page(req),
    );

export const makeLandingAssetHandler =
  (landing: () => LandingPage): AppHttpHandler =>
  async (req) =>
    Promise.resolve(landing().asset(req));

app.http('landingPage', {
  route: '{page?}',
  methods: ['GET', 'HEAD'],
  authLevel: 'anonymous',
  handler: httpFunction(
    makeLandingPageHandler(
      () => deps().landingPage(),
      () => deps().consolePage(),
    ),
  ),
});

app.http('landingAssets', {
  route: 'assets/{file}',
  methods: ['GET', 'HEAD'],
  authLevel: 'anonymous',
  handler: httpFunction(makeLandingAssetHandler(() => deps().landingPage())),
});

app.http('cspReports', {
  route: 'api/csp-reports',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: httpFunction((req, log, ctx) => deps().cspReports(req, log, ctx)),
});
