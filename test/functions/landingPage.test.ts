import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { HttpRequest, type HttpResponseInit, InvocationContext } from '@azure/functions';

import { compileRoute, matchRoute } from '../../dev/functions-host/routes';
import { makeLandingAssetHandler, makeLandingPageHandler } from '../../functions/landingPage';
import { httpFunction } from '../../shared/httpFunction';
import { buildWeb } from '../../build/web';
import { findWebRoot, WebAssets } from '../../shared/web/assets';
import { type ConsolePage, makeConsolePage } from '../../shared/web/consolePage';
import { makeCspReportHandler } from '../../shared/web/cspReportHandler';
import { brandingFromConfig } from '../../shared/web/branding';
import { type LandingPage, makeLandingPage } from '../../shared/web/landingPage';

const FIRST_VIEW_BUDGET_BYTES = 100 * 1024;

const CONSOLE_BUDGET_BYTES = 150 * 1024;
const IDP = 'https://login.microsoftonline.com/11111111-2222-4333-8444-555555555555/v2.0';

let outDir: string;
let landing: LandingPage;
let adminConsole: ConsolePage;

beforeAll(async () => {
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rms-web-'));
  await buildWeb({ outDir: path.join(outDir, 'web') });
  landing = makeLandingPage({
    assets: WebAssets.load(path.join(outDir, 'web')),
    branding: brandingFromConfig({
      BRAND_ORGANIZATION_NAME: 'Fabrikam "Legal" <Team>',
      BRAND_ACCENT_COLOR: '#0b5cad',
      SUPPORT_CONTACT: 'it-help@fabrikam.example',
      PRIVACY_URL: 'https://fabrikam.example/privacy',
    }),
    defaultLocale: 'en',
  });
  adminConsole = makeConsolePage(landing.assets, {
    authority: IDP,
    clientId: '66666666-7777-4888-8999-000000000000',
    audience: 'api://11111111-2222-4333-8444-555555555555/rms-signup-admin"<x>',
  });
});

afterAll(() => {
  fs.rmSync(outDir, { recursive: true, force: true });
});

const pageHandler = () =>
  httpFunction(
    makeLandingPageHandler(
      () => landing,
      () => adminConsole,
    ),
  );
const assetHandler = () => httpFunction(makeLandingAssetHandler(() => landing));

async function get(
  kind: 'page' | 'asset',
  pathname: string,
  headers: Record<string, string> = {},
  params: Record<string, string> = {},
): Promise<{ res: HttpResponseInit; headers: Headers; body: Buffer }> {
  const req = new HttpRequest({
    method: 'GET',
    url: `https://signup.fabrikam.example${pathname}`,
    headers,
    params,
  });
  const handler = kind === 'page' ? pageHandler() : assetHandler();
  const res = await handler(
    req,
    new InvocationContext({ functionName: kind === 'page' ? 'landingPage' : 'landingAssets' }),
  );
  const body =
    res.body === undefined || res.body === null
      ? Buffer.alloc(0)
      : Buffer.from(res.body as Uint8Array | string);
  return { res, headers: new Headers(res.headers), body };
}

function decoded(headers: Headers, body: Buffer): string {
  const encoding = headers.get('content-encoding');
  if (encoding === 'br') return brotliDecompressSync(body).toString('utf8');
  if (encoding === 'gzip') return gunzipSync(body).toString('utf8');
  return body.toString('utf8');
}

/** Same-origin URLs the HTML makes the browser fetch right away (stylesheets, script, icon). */
function referencedAssets(html: string): string[] {
  return [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
}

describe('GET / (req 35–37)', () => {
  test('answers the HTML with every security header and no caching', async () => {
    const { res, headers, body } = await get('page', '/', { 'accept-language': 'en-GB,en;q=0.9' });
    expect(res.status).toBe(200);
    expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(headers.get('cache-control')).toBe('no-store');
    const csp = headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'self'",
      'report-uri /api/csp-reports',
    ]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('referrer-policy')).toBe('no-referrer');
    expect(headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(headers.get('permissions-policy')).toMatch(
      /camera=\(\).*microphone=\(\).*|microphone=\(\).*camera=\(\)/,
    );
    const html = body.toString('utf8');
    expect(html).toContain('<html lang="en" dir="ltr">');
    // The organisation name is escaped wherever it appears.
    expect(html).toContain('data-organization="Fabrikam &quot;Legal&quot; &lt;Team&gt;"');
    expect(html).toContain(
      '<title>Open a protected file from Fabrikam &quot;Legal&quot; &lt;Team&gt;</title>',
    );
  });

  test('has no inline script or style: every script and stylesheet is a hashed same-origin file', async () => {
    const html = (await get('page', '/')).body.toString('utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style[\s>]/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect(html).toMatch(/<script src="\/assets\/app-[A-Z0-9]{8}\.js" defer><\/script>/);
    expect(html).toMatch(/<link rel="stylesheet" href="\/assets\/app-[A-Z0-9]{8}\.css"\s*\/?>/);
    expect(html).toContain(`<link rel="stylesheet" href="${landing.brandCssUrl}"`);
  });

  test('the language comes from ?lang=, then Accept-Language; Arabic is right to left', async () => {
    expect((await get('page', '/?lang=ar')).body.toString()).toContain('<html lang="ar" dir="rtl">');
    expect(
      (await get('page', '/', { 'accept-language': 'de-AT,de;q=0.9,en;q=0.5' })).body.toString(),
    ).toContain('<html lang="de" dir="ltr">');
    expect((await get('page', '/?lang=xx', { 'accept-language': 'ja' })).body.toString()).toContain(
      '<html lang="ja"',
    );
    expect((await get('page', '/?lang=fr', { 'accept-language': 'ja' })).body.toString()).toContain(
      '<html lang="fr"',
    );
  });

  test('is compressed per Accept-Encoding, and the compressed body is the same page', async () => {
    const plain = (await get('page', '/')).body.toString('utf8');
    const br = await get('page', '/', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toContain('Accept-Encoding');
    expect(decoded(br.headers, br.body)).toBe(plain);
    const gz = await get('page', '/', { 'accept-encoding': 'gzip' });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(decoded(gz.headers, gz.body)).toBe(plain);
  });

  test('/index.html is the page; other paths are 404', async () => {
    expect((await get('page', '/index.html', {}, { page: 'index.html' })).res.status).toBe(200);
    for (const page of ['favicon.ico', 'robots.txt', 'api', '..', 'index.htm']) {
      const { res, headers } = await get('page', `/${page}`, {}, { page });
      expect(res.status).toBe(404);
      expect(headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});

describe('GET /assets/{file}', () => {
  test('hashed assets are immutable, typed with a charset and served brotli, gzip or plain', async () => {
    const html = (await get('page', '/')).body.toString('utf8');
    const urls = referencedAssets(html);
    expect(urls.length).toBeGreaterThanOrEqual(4);
    for (const url of urls) {
      const file = url.slice('/assets/'.length);
      expect(file).toMatch(/^[a-z]+-[A-Za-z0-9]{8,12}\.(js|css|svg)$/);
      const plain = await get('asset', url, {}, { file });
      expect(plain.res.status).toBe(200);
      expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(plain.headers.get('content-type')).toMatch(/; charset=utf-8$/);
      expect(plain.headers.get('x-content-type-options')).toBe('nosniff');
      expect(plain.headers.get('content-encoding')).toBeNull();
      for (const encoding of ['br', 'gzip'] as const) {
        const compressed = await get('asset', url, { 'accept-encoding': encoding }, { file });
        if (compressed.headers.get('content-encoding') === null) continue; // tiny files are not worth compressing
        expect(compressed.headers.get('content-encoding')).toBe(encoding);
        expect(decoded(compressed.headers, compressed.body)).toBe(plain.body.toString('utf8'));
      }
    }
  });

  test('the brand stylesheet carries the accent colour, computed at serve time', async () => {
    const file = landing.brandCssUrl.slice('/assets/'.length);
    const { res, headers, body } = await get('asset', landing.brandCssUrl, {}, { file });
    expect(res.status).toBe(200);
    expect(headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(body.toString()).toBe(':root{--accent:#0b5cad;--on-accent:#ffffff;--accent-strong:#0b5cad}\n');
  });

  test('a matching If-None-Match is answered 304 without a body', async () => {
    const html = (await get('page', '/')).body.toString('utf8');
    const url = referencedAssets(html).find((u) => u.endsWith('.js')) ?? '';
    const file = url.slice('/assets/'.length);
    const first = await get('asset', url, {}, { file });
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await get('asset', url, { 'if-none-match': etag }, { file });
    expect(again.res.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  test.each(['app.js', 'manifest.json', 'index.html', '..%2Fmanifest.json', 'app-AAAAAAAA.js'])(
    'unknown asset %s is 404',
    async (file) => {
      const { res, headers } = await get('asset', `/assets/${file}`, {}, { file: decodeURIComponent(file) });
      expect(res.status).toBe(404);
      expect(headers.get('content-type')).toBe('application/json; charset=utf-8');
    },
  );
});

test(`the first view is at most ${FIRST_VIEW_BUDGET_BYTES / 1024} KB compressed (HTML + everything it references)`, async () => {
  const report: string[] = [];
  for (const encoding of ['br', 'gzip'] as const) {
    const page = await get('page', '/', { 'accept-encoding': encoding });
    let total = page.body.length;
    const lines = [`  HTML ${page.body.length} B`];
    for (const url of referencedAssets(decoded(page.headers, page.body))) {
      const file = url.slice('/assets/'.length);
      const asset = await get('asset', url, { 'accept-encoding': encoding }, { file });
      expect(asset.res.status).toBe(200);
      total += asset.body.length;
      lines.push(`  ${file} ${asset.body.length} B`);
    }
    report.push(`${encoding}: ${total} B (${(total / 1024).toFixed(1)} KB)`, ...lines);
    expect(total).toBeLessThanOrEqual(FIRST_VIEW_BUDGET_BYTES);
  }
  // Printed so the figure can be quoted; the assertion above is the budget.
  process.stdout.write(`First view transfer:\n${report.join('\n')}\n`);
});

describe('the admin console at /console', () => {
  test('200 with the landing page headers, connect-src widened to the identity provider only, settings as escaped data attributes', async () => {
    const { res, body, headers } = await get('page', '/console', {}, { page: 'console' });
    expect(res.status).toBe(200);
    const csp = headers.get('content-security-policy') ?? '';
    expect(csp).toContain("connect-src 'self' https://login.microsoftonline.com;");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(headers.get('cache-control')).toBe('no-store');
    const html = body.toString('utf8');
    expect(html).toContain(`data-authority="${IDP}"`);
    expect(html).toContain(
      'data-scope="api://11111111-2222-4333-8444-555555555555/rms-signup-admin&quot;&lt;x&gt;/Console.Access"',
    );
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(html).not.toMatch(/\sstyle=/);
  });

  test('key mode has no sign-in to offer: 404', async () => {
    const keyOnly = makeConsolePage(landing.assets, undefined);
    const req = new HttpRequest({
      method: 'GET',
      url: 'http://localhost/console',
      params: { page: 'console' },
    });
    expect(keyOnly.page(req).status).toBe(404);
  });

  test(`the console's first view is at most ${CONSOLE_BUDGET_BYTES / 1024} KB gzip (HTML + everything it references)`, async () => {
    const page = await get('page', '/console', { 'accept-encoding': 'gzip' }, { page: 'console' });
    let total = page.body.length;
    const lines = [`  HTML ${page.body.length} B`];
    for (const url of referencedAssets(decoded(page.headers, page.body))) {
      const file = url.slice('/assets/'.length);
      const asset = await get('asset', url, { 'accept-encoding': 'gzip' }, { file });
      expect(asset.res.status).toBe(200);
      total += asset.body.length;
      lines.push(`  ${file} ${asset.body.length} B`);
    }
    expect(lines.some((l) => /console-\w+\.js/.test(l))).toBe(true);
    expect(total).toBeLessThanOrEqual(CONSOLE_BUDGET_BYTES);
    process.stdout.write(`Console first view (gzip): ${total} B\n${lines.join('\n')}\n`);
  });
});

describe('routes', () => {
  // The Functions host orders overlapping routes by function name, not specificity
  // (Azure/azure-functions-host#9876), so the page must not overlap any API route at all.
  const pageRoutes = ['{page?}', 'assets/{file}', 'api/csp-reports'].map(compileRoute);
  test.each([
    '/api/signups',
    '/api/signups/abc',
    '/api/signups/abc/verify',
    '/api/signups/abc/resend',
    '/api/health',
    '/api/admin/stats',
    '/api/admin/signups/abc/retry',
    '/admin/host/status',
  ])('%s matches no landing-page route', (pathname) => {
    for (const route of pageRoutes.slice(0, 2)) expect(matchRoute(route, pathname)).toBeUndefined();
  });

  test('/ and /index.html and /assets/<file> do match', () => {
    expect(matchRoute(pageRoutes[0]!, '/')).toEqual({});
    expect(matchRoute(pageRoutes[0]!, '/index.html')).toEqual({ page: 'index.html' });
    expect(matchRoute(pageRoutes[1]!, '/assets/app-ABCDEFGH.js')).toEqual({ file: 'app-ABCDEFGH.js' });
  });

  test('the function finds the build next to the compiled code or under dist/', () => {
    expect(findWebRoot(path.join(outDir, 'functions'))).toBe(path.join(outDir, 'web'));
    expect(findWebRoot(outDir)).toBe(path.join(outDir, 'web'));
    expect(findWebRoot(os.tmpdir())).toBeUndefined();
  });
});

describe('POST /api/csp-reports (req 36)', () => {
  const report = JSON.stringify({
    'csp-report': {
      'document-uri': 'https://signup.fabrikam.example/#code=123456',
      'effective-directive': 'script-src-elem',
      'blocked-uri': 'inline',
    },
  });

  async function post(handler: ReturnType<typeof makeCspReportHandler>, body: string, contentType: string) {
    const lines: string[] = [];
    const context = new InvocationContext({
      functionName: 'cspReports',
      logHandler: (_level, ...args) => lines.push(args.map(String).join(' ')),
    });
    const req = new HttpRequest({
      method: 'POST',
      url: 'https://signup.fabrikam.example/api/csp-reports',
      headers: { 'content-type': contentType },
      body: { string: body },
    });
    const res = await httpFunction(handler)(req, context);
    return { res, lines };
  }

  test('a report is logged as one structured event without the fragment, and answered 204', async () => {
    const { res, lines } = await post(makeCspReportHandler(), report, 'application/csp-report');
    expect(res.status).toBe(204);
    const events = lines.filter((l) => l.includes('csp_violation'));
    expect(events).toHaveLength(1);
    expect(events[0]).toContain('"directive":"script-src-elem"');
    expect(events[0]).not.toContain('123456');
  });

  test('other content types are refused and each instance logs a bounded number per minute', async () => {
    expect((await post(makeCspReportHandler(), report, 'text/plain')).res.status).toBe(415);
    let now = 0;
    const handler = makeCspReportHandler({ perMinute: 2, now: () => now });
    const logged: number[] = [];
    for (let i = 0; i < 4; i++)
      logged.push(
        (await post(handler, report, 'application/csp-report')).lines.filter((l) =>
          l.includes('csp_violation'),
        ).length,
      );
    expect(logged).toEqual([1, 1, 0, 0]);
    now = 61_000;
    expect(
      (await post(handler, report, 'application/csp-report')).lines.filter((l) =>
        l.includes('csp_violation'),
      ),
    ).toHaveLength(1);
  });
});
