import { parse, type DefaultTreeAdapterMap } from 'parse5';

import { accentPalette, brandingFromConfig, brandStylesheet, supportLink } from '../../shared/web/branding';
import { contrastRatio, ensureContrast, readableTextOn, relativeLuminance } from '../../shared/web/contrast';
import { parseCspReport, redactUrl } from '../../shared/web/cspReport';
import { assetHeaders, chooseEncoding, CONTENT_SECURITY_POLICY, htmlHeaders } from '../../shared/web/headers';
import { bodyAttributes, fillTemplate } from '../../shared/web/landingPage';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

function elements(node: Node): Element[] {
  const out: Element[] = [];
  const walk = (n: Node) => {
    if ('tagName' in n) out.push(n);
    if ('childNodes' in n) n.childNodes.forEach(walk);
    if ('content' in n && n.content) n.content.childNodes.forEach(walk);
  };
  walk(node);
  return out;
}

const attr = (el: Element, name: string) => el.attrs.find((a) => a.name === name)?.value;

describe('contrast helper (WCAG 1.4.3)', () => {
  test('luminance and ratio match the WCAG definitions', () => {
    expect(relativeLuminance('#000000')).toBe(0);
    expect(relativeLuminance('#ffffff')).toBeCloseTo(1, 10);
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrastRatio('#0b5cad', '#ffffff')).toBeGreaterThan(6);
  });

  test('text on any accent colour reaches 4.5:1 with black or white', () => {
    for (let i = 0; i < 4096; i++) {
      const hex = `#${[(i >> 8) & 15, (i >> 4) & 15, i & 15].map((n) => (n * 17).toString(16).padStart(2, '0')).join('')}`;
      expect(contrastRatio(hex, readableTextOn(hex))).toBeGreaterThanOrEqual(4.5);
    }
    expect(readableTextOn('#ffd400')).toBe('#000000');
    expect(readableTextOn('#0b5cad')).toBe('#ffffff');
  });

  test('a light accent is darkened for links and borders on white, a dark one is kept', () => {
    expect(ensureContrast('#0b5cad')).toBe('#0b5cad');
    const yellow = ensureContrast('#ffd400');
    expect(yellow).not.toBe('#ffd400');
    expect(contrastRatio(yellow, '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(() => ensureContrast('red')).toThrow(RangeError);
  });

  test('the brand stylesheet only carries validated colours', () => {
    const css = brandStylesheet(
      brandingFromConfig({
        BRAND_ORGANIZATION_NAME: 'X',
        BRAND_ACCENT_COLOR: '#FFD400',
        SUPPORT_CONTACT: 'help@x.example',
      }),
    );
    expect(css).toMatch(/^:root\{--accent:#ffd400;--on-accent:#000000;--accent-strong:#[0-9a-f]{6}\}\n$/);
    const hostile = brandingFromConfig({
      BRAND_ORGANIZATION_NAME: 'X',
      BRAND_ACCENT_COLOR: 'red;}body{display:none',
      SUPPORT_CONTACT: 'help@x.example',
    });
    expect(brandStylesheet(hostile)).toContain('--accent:#0b5cad');
    expect(accentPalette('nonsense').accent).toBe('#0b5cad');
  });
});

describe('branding injection is inert (req 34)', () => {
  const hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
  const branding = brandingFromConfig({
    BRAND_ORGANIZATION_NAME: hostile,
    BRAND_LOGO_URL: 'javascript:alert(3)',
    BRAND_ACCENT_COLOR: '#0b5cad',
    SUPPORT_CONTACT: `${hostile}@x`,
    PRIVACY_URL: 'https://contoso.example/privacy?a=1&b="2"',
  });
  const template =
    '<!doctype html><html lang="{{lang}}" dir="{{dir}}"><head><title>{{title}}</title><link rel="stylesheet" href="{{brandCss}}"><script src="/assets/app.js" defer></script></head><body {{body}}>{{noscript}}<div id="app"></div></body></html>';

  test('a hostile organisation name ends up as attribute text, never as markup', () => {
    const html = fillTemplate(template, {
      lang: 'en',
      dir: 'ltr',
      title: 'T',
      brandCss: '/assets/brand.css',
      body: bodyAttributes(branding, 'en'),
      noscript: '',
    });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    const doc = parse(html);
    const all = elements(doc);
    expect(all.filter((e) => e.tagName === 'script')).toHaveLength(1);
    expect(all.some((e) => e.tagName === 'img')).toBe(false);
    const body = all.find((e) => e.tagName === 'body');
    expect(body && attr(body, 'data-organization')).toBe(hostile);
    expect(body && attr(body, 'data-privacy-url')).toBe('https://contoso.example/privacy?a=1&b=%222%22');
    // javascript: is not a logo URL at all.
    expect(body && attr(body, 'data-logo-url')).toBeUndefined();
    expect(body?.attrs.map((a) => a.name).sort()).toEqual([
      'data-default-locale',
      'data-organization',
      'data-privacy-url',
      'data-support',
    ]);
  });

  test('placeholders are filled in one pass: a value containing {{…}} stays literal', () => {
    const out = fillTemplate('<p>{{title}}</p><p>{{lang}}</p>', {
      lang: 'en',
      dir: 'ltr',
      title: '{{lang}}',
      brandCss: '',
      body: '',
      noscript: '',
    });
    expect(out).toBe('<p>{{lang}}</p><p>en</p>');
    expect(() =>
      fillTemplate('{{unknown}}', { lang: '', dir: '', title: '', brandCss: '', body: '', noscript: '' }),
    ).toThrow(/unknown/);
  });

  test('the support contact becomes a mailto or https link only when it is safe', () => {
    expect(supportLink('it-help@contoso.example')).toEqual({
      text: 'it-help@contoso.example',
      href: 'mailto:it-help@contoso.example',
    });
    expect(supportLink('https://help.contoso.example/rms')).toEqual({
      text: 'https://help.contoso.example/rms',
      href: 'https://help.contoso.example/rms',
    });
    expect(supportLink('javascript:alert(1)').href).toBeUndefined();
    expect(supportLink('Call +1 555 0100').href).toBeUndefined();
    expect(supportLink(`${hostile}@x`).href).toBeUndefined();
  });
});

describe('headers (req 35–37)', () => {
  test('the HTML policy allows no inline script or style and reports violations', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name = '', ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
    );
    expect(directives.get('default-src')).toBe("'self'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('style-src')).toBe("'self'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('form-action')).toBe("'self'");
    expect(directives.get('connect-src')).toBe("'self'");
    expect(directives.get('report-uri')).toBe('/api/csp-reports');
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval)/);
  });

  test('HTML is never cached; assets are immutable; both carry nosniff, HSTS and a charset', () => {
    const html = htmlHeaders();
    expect(html['Cache-Control']).toBe('no-store');
    expect(html['Content-Type']).toBe('text/html; charset=utf-8');
    expect(html['Strict-Transport-Security']).toBe('max-age=31536000; includeSubDomains');
    expect(html['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(html['Referrer-Policy']).toBe('no-referrer');
    expect(html['Permissions-Policy']).toContain('camera=()');
    const asset = assetHeaders('text/css; charset=utf-8', '"abc"');
    expect(asset['Cache-Control']).toBe('public, max-age=31536000, immutable');
    expect(asset['X-Content-Type-Options']).toBe('nosniff');
    expect(asset.ETag).toBe('"abc"');
  });

  test.each([
    ['gzip, deflate, br', ['br', 'gzip'], 'br'],
    ['gzip, deflate', ['br', 'gzip'], 'gzip'],
    ['br;q=0, gzip', ['br', 'gzip'], 'gzip'],
    ['br', ['gzip'], undefined],
    ['*', ['br', 'gzip'], 'br'],
    ['*;q=0', ['br', 'gzip'], undefined],
    ['identity', ['br', 'gzip'], undefined],
    ['', ['br', 'gzip'], undefined],
    ['GZIP;Q=0.5', ['br', 'gzip'], 'gzip'],
  ] as const)('Accept-Encoding %j with %j → %s', (header, available, expected) => {
    expect(chooseEncoding(header, available)).toBe(expected);
  });
});

describe('CSP reports', () => {
  test('the legacy shape is read and URLs lose their query and fragment', () => {
    const [violation] = parseCspReport(
      JSON.stringify({
        'csp-report': {
          'document-uri': 'https://signup.contoso.example/?lang=de#code=123456&signup=abc',
          'effective-directive': 'script-src-elem',
          'blocked-uri': 'https://evil.example/x.js?email=jane@contoso.example',
          'source-file': 'https://signup.contoso.example/assets/app.js',
          disposition: 'enforce',
        },
      }),
    );
    expect(violation).toEqual({
      directive: 'script-src-elem',
      blocked: 'https://evil.example/x.js',
      document: 'https://signup.contoso.example/',
      source: 'https://signup.contoso.example/assets/app.js',
      disposition: 'enforce',
    });
  });

  test('Reporting API batches are read; junk yields nothing', () => {
    const batch = [
      {
        type: 'csp-violation',
        body: {
          effectiveDirective: 'style-src-attr',
          blockedURL: 'inline',
          documentURL: 'https://x.example/a?b',
        },
      },
      { type: 'deprecation', body: {} },
    ];
    expect(parseCspReport(JSON.stringify(batch))).toEqual([
      {
        directive: 'style-src-attr',
        blocked: 'inline',
        document: 'https://x.example/a',
        source: '',
        disposition: 'enforce',
      },
    ]);
    expect(parseCspReport('not json')).toEqual([]);
    expect(parseCspReport('{"x":1}')).toEqual([]);
    expect(redactUrl('data:text/html,<script>')).toBe('data:');
  });
});
