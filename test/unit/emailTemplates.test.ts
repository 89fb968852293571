import { parse } from 'parse5';
import type { DefaultTreeAdapterMap } from 'parse5';
import { SUPPORTED_LOCALES, direction, t, type Locale } from '../../shared/i18n';
import { escapeHtml, safeHttpUrl, safeMailto, toHeaderText } from '../../shared/email/escape';
import {
  EMAIL_PALETTE,
  contrastRatio,
  readableTextColor,
  renderAccountReadyEmail,
  renderSignupFailedEmail,
  renderVerificationEmail,
  withContrast,
  type AccountOutcome,
  type Branding,
  type RenderedEmail,
} from '../../shared/email/templates';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

// --- a small DOM toolkit over parse5 -------------------------------------------------------------------

function elements(root: Node): Element[] {
  const out: Element[] = [];
  const walk = (node: Node) => {
    if ('tagName' in node) out.push(node);
    if ('childNodes' in node) node.childNodes.forEach(walk);
    if ('content' in node) walk(node.content); // <template>
  };
  walk(root);
  return out;
}

const attr = (el: Element, name: string) => el.attrs.find((a) => a.name === name)?.value;
const byTag = (html: string, tag: string) => elements(parse(html)).filter((el) => el.tagName === tag);

function textOf(node: Node): string {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterMap['textNode']).value;
  if ('tagName' in node && (node.tagName === 'style' || node.tagName === 'script')) return '';
  if ('childNodes' in node) return node.childNodes.map(textOf).join('');
  return '';
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Text a reader sees in the body (not the hidden preheader). */
function visibleText(html: string): string {
  const body = byTag(html, 'body')[0];
  if (!body) throw new Error('no body');
  const clone = {
    ...body,
    childNodes: body.childNodes.filter((n) => !('tagName' in n && attr(n, 'class') === 'rs-preheader')),
  };
  return squash(textOf(clone));
}

function styleOf(el: Element): Record<string, string> {
  const out: Record<string, string> = {};
  for (const decl of (attr(el, 'style') ?? '').split(';')) {
    const i = decl.indexOf(':');
    if (i > 0) out[decl.slice(0, i).trim()] = decl.slice(i + 1).trim();
  }
  return out;
}

// --- fixtures -----------------------------------------------------------------------------------------

const branding: Branding = {
  organizationName: 'Contoso',
  accentColor: '#0b5cad',
  supportContact: 'it-support@contoso.example',
  privacyUrl: 'https://contoso.example/privacy',
};
const LINK = 'https://signup.contoso.example/#code=482913&signup=Zk3v9QmXr2LwA8yTnB5c1g';
const SIGN_IN = 'https://myapplications.microsoft.com/?tenantid=contoso.example';

const verification = (overrides: Partial<Parameters<typeof renderVerificationEmail>[0]> = {}) =>
  renderVerificationEmail({
    locale: 'en',
    code: '482913',
    expiresInMinutes: 10,
    retentionDays: 30,
    link: LINK,
    branding,
    ...overrides,
  });

const OUTCOMES: AccountOutcome[] = ['guest_created', 'existing_guest', 'existing_member'];

function allEmails(locale: Locale, brand: Branding = branding): [string, RenderedEmail][] {
  return [
    ['verification', verification({ locale, branding: brand })],
    ...OUTCOMES.map(
      (outcome) =>
        [
          `ready ${outcome}`,
          renderAccountReadyEmail({ locale, outcome, signInUrl: SIGN_IN, branding: brand }),
        ] as [string, RenderedEmail],
    ),
    ['failed', renderSignupFailedEmail({ locale, branding: brand })],
  ];
}

// --- structure ----------------------------------------------------------------------------------------

describe.each(SUPPORTED_LOCALES)('every email in %s', (locale) => {
  const emails = allEmails(locale);

  it.each(emails)(
    '%s: is a complete document with lang and dir, also on the wrapper Gmail keeps',
    (_kind, email) => {
      expect(email.html.startsWith('<!DOCTYPE html>')).toBe(true);
      const [html] = byTag(email.html, 'html');
      expect(html && attr(html, 'lang')).toBe(locale);
      expect(html && attr(html, 'dir')).toBe(direction(locale));
      const wrapper = byTag(email.html, 'table')[0];
      expect(wrapper && [attr(wrapper, 'lang'), attr(wrapper, 'dir')]).toEqual([locale, direction(locale)]);
      expect(byTag(email.html, 'title').map((el) => textOf(el))).toEqual([email.subject]);
      expect(byTag(email.html, 'meta').some((m) => attr(m, 'name') === 'color-scheme')).toBe(true);
      expect(email.html).toContain('@media (prefers-color-scheme: dark)');
    },
  );

  it.each(emails)(
    '%s: layout tables are presentational; no script, handlers or remote CSS',
    (_kind, email) => {
      for (const table of byTag(email.html, 'table')) expect(attr(table, 'role')).toBe('presentation');
      const all = elements(parse(email.html));
      expect(all.filter((el) => ['script', 'iframe', 'object', 'link', 'form'].includes(el.tagName))).toEqual(
        [],
      );
      expect(all.flatMap((el) => el.attrs.filter((a) => a.name.startsWith('on')))).toEqual([]);
      expect(byTag(email.html, 'img')).toEqual([]); // no logo configured: nothing remote at all
    },
  );

  it.each(emails)('%s: every placeholder is filled in the subject, text and html', (_kind, email) => {
    for (const part of [email.subject, email.text, visibleText(email.html)]) expect(part).not.toMatch(/[{}]/);
  });

  it.each(emails)('%s: the plain-text part carries the same content as the html', (_kind, email) => {
    const text = squash(email.text);
    const blocks = elements(parse(email.html)).filter((el) => ['p', 'h1', 'h2', 'li'].includes(el.tagName));
    expect(blocks.length).toBeGreaterThan(2);
    for (const block of blocks) {
      const content = squash(textOf(block));
      if (content.startsWith(squash(t(locale, 'email.linkFallback')))) continue; // the text part just prints the link
      expect({ content, inText: text.includes(content) }).toEqual({ content, inText: true });
    }
    for (const a of byTag(email.html, 'a')) {
      const href = attr(a, 'href') ?? '';
      expect(text).toContain(href.startsWith('mailto:') ? href.slice('mailto:'.length) : href);
    }
  });

  it.each(emails)('%s: has a hidden preheader', (_kind, email) => {
    const pre = elements(parse(email.html)).find((el) => attr(el, 'class') === 'rs-preheader');
    expect(pre && styleOf(pre).display).toBe('none');
    expect(pre && squash(textOf(pre)).length).toBeGreaterThan(10);
  });
});

// --- verification email -------------------------------------------------------------------------------

describe('verification email', () => {
  it('puts the code first in the subject, the text and the html', () => {
    const email = verification();
    expect(email.subject).toBe('482913 is your code for Contoso');
    expect(email.text.split('\n').slice(0, 2)).toEqual(['Your verification code', '482913']);
    const code = elements(parse(email.html)).find((el) => attr(el, 'class') === 'rs-code-text');
    expect(code && textOf(code)).toBe('482913');
    const style = code ? styleOf(code) : {};
    expect(Number.parseInt(style['font-size'] ?? '0', 10)).toBeGreaterThanOrEqual(32);
    expect(style['letter-spacing']).toMatch(/^[1-9]\d*px$/);
    // The first visible thing after the organisation name is the label, then the code.
    expect(visibleText(email.html).startsWith('Contoso Your verification code 482913')).toBe(true);
  });

  it.each(SUPPORTED_LOCALES)('%s: the code leads the subject and appears in text and html', (locale) => {
    const email = verification({ locale, code: '007351' });
    expect(email.subject.startsWith('007351')).toBe(true);
    expect(email.text).toContain('\n007351\n');
    expect(visibleText(email.html)).toContain('007351');
  });

  it('states the expiry in minutes and the retention in days (req 3)', () => {
    const email = verification({ expiresInMinutes: 10, retentionDays: 30 });
    for (const part of [email.text, visibleText(email.html)]) {
      expect(part).toContain('It expires in 10 minutes.');
      expect(part).toContain('We keep your email address for at most 30 days');
      expect(part).toContain('If you did not ask for this code, ignore this email: nothing will happen.');
    }
    const one = verification({ expiresInMinutes: 1, retentionDays: 1 });
    expect(one.text).toContain('It expires in 1 minute.');
    expect(one.text).toContain('at most 1 day ');
    const de = verification({ locale: 'de', expiresInMinutes: 15, retentionDays: 45 });
    expect(de.text).toContain('15 Minuten');
    expect(de.text).toContain('höchstens 45 Tage');
  });

  it('links only to the given pre-fill link (plus support and privacy), never adding the code to a query', () => {
    const email = verification();
    const hrefs = new Set(byTag(email.html, 'a').map((a) => attr(a, 'href')));
    expect(hrefs).toEqual(
      new Set([LINK, 'mailto:it-support@contoso.example', 'https://contoso.example/privacy']),
    );
    expect(byTag(email.html, 'a').filter((a) => attr(a, 'href') === LINK)).toHaveLength(2); // button + fallback
    expect(email.html).not.toMatch(/[?&]code=/);
    expect(email.text).toContain(LINK);
    const button = byTag(email.html, 'a').find((a) => attr(a, 'class') === 'rs-button');
    expect(button && textOf(button)).toBe('Open the sign-up page');
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(document.domain)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '//evil.example/#code=1',
    'https://good.example@evil.example/',
    'vbscript:msgbox(1)',
    'not a url',
  ])('drops a dangerous or non-http(s) link %j (req 34)', (link) => {
    const email = verification({ link });
    const hrefs = byTag(email.html, 'a').map((a) => attr(a, 'href'));
    expect(hrefs).toEqual(['mailto:it-support@contoso.example', 'https://contoso.example/privacy']);
    expect(email.html).not.toMatch(/javascript:|vbscript:|data:text/i);
    expect(email.text).not.toMatch(/javascript:|vbscript:|data:text|evil\.example/i);
    expect(byTag(email.html, 'a').some((a) => attr(a, 'class') === 'rs-button')).toBe(false);
    // Still usable: the code and how to use it are there.
    expect(email.text).toContain('482913');
    expect(visibleText(email.html)).toContain('Enter this code on the Contoso sign-up page');
  });

  it.each(['12345a', '', '482913\r\nBcc: x@example.com', '１２３４５６', '12'])(
    'refuses a code that is not digits: %j',
    (code) => {
      expect(() => verification({ code })).toThrow(TypeError);
    },
  );

  it.each([0, -1, 1.5, Number.NaN])('refuses a nonsensical count %p', (n) => {
    expect(() => verification({ expiresInMinutes: n })).toThrow(RangeError);
    expect(() => verification({ retentionDays: n })).toThrow(RangeError);
  });
});

// --- account ready and failed ------------------------------------------------------------------------

describe('account ready email', () => {
  it.each(['guest_created', 'existing_guest'] as const)(
    '%s: sign-in button, then what happens next',
    (outcome) => {
      const email = renderAccountReadyEmail({ locale: 'en', outcome, signInUrl: SIGN_IN, branding });
      expect(byTag(email.html, 'a').filter((a) => attr(a, 'href') === SIGN_IN)).toHaveLength(2);
      const button = byTag(email.html, 'a').find((a) => attr(a, 'class') === 'rs-button');
      expect(button && textOf(button)).toBe('Sign in');
      const steps = byTag(email.html, 'li').map((li) => squash(textOf(li)));
      expect(steps).toEqual([
        'Select Sign in and use this same email address.',
        'Microsoft may email you a one-time passcode. Enter it to finish signing in.',
        'Then open the protected file again.',
        'Access can take a few minutes. If the file does not open yet, wait a few minutes and try again.',
      ]);
      steps.forEach((step, n) => expect(email.text).toContain(`${n + 1}. ${step}`));
    },
  );

  it('guest_created and existing_guest say different things', () => {
    const created = renderAccountReadyEmail({
      locale: 'en',
      outcome: 'guest_created',
      signInUrl: SIGN_IN,
      branding,
    });
    const existing = renderAccountReadyEmail({
      locale: 'en',
      outcome: 'existing_guest',
      signInUrl: SIGN_IN,
      branding,
    });
    expect(created.subject).toBe('Your guest account with Contoso is ready');
    expect(existing.subject).toBe('You already have a guest account with Contoso');
    expect(existing.text).toContain('already has a guest account with Contoso');
  });

  it('existing_member: use your organisation account, no guest steps', () => {
    const email = renderAccountReadyEmail({
      locale: 'en',
      outcome: 'existing_member',
      signInUrl: SIGN_IN,
      branding,
    });
    expect(email.subject).toBe('Use your Contoso account to open the file');
    expect(visibleText(email.html)).toContain('Sign in with your organisation account');
    expect(byTag(email.html, 'li')).toEqual([]);
    expect(email.text).not.toContain('one-time passcode');
    expect(byTag(email.html, 'a').some((a) => attr(a, 'href') === SIGN_IN)).toBe(true);
  });

  it('drops a javascript: sign-in URL', () => {
    const email = renderAccountReadyEmail({
      locale: 'en',
      outcome: 'guest_created',
      signInUrl: 'javascript:alert(1)',
      branding,
    });
    expect(byTag(email.html, 'a').some((a) => attr(a, 'class') === 'rs-button')).toBe(false);
    expect(email.html + email.text).not.toMatch(/javascript:/i);
  });
});

describe('sign-up failed email', () => {
  it('apologises and points to support', () => {
    const email = renderSignupFailedEmail({ locale: 'en', branding });
    expect(email.subject).toBe('We could not finish your sign-up with Contoso');
    expect(email.text).toContain('Please contact it-support@contoso.example');
    const support = byTag(email.html, 'a').filter(
      (a) => attr(a, 'href') === 'mailto:it-support@contoso.example',
    );
    expect(support.length).toBeGreaterThanOrEqual(2); // in the body and the footer
  });

  it('links a support URL, and prints anything else as text only', () => {
    const url = renderSignupFailedEmail({
      locale: 'en',
      branding: { ...branding, supportContact: 'https://help.contoso.example/guest' },
    });
    expect(byTag(url.html, 'a').some((a) => attr(a, 'href') === 'https://help.contoso.example/guest')).toBe(
      true,
    );
    const phone = renderSignupFailedEmail({
      locale: 'en',
      branding: { ...branding, supportContact: 'the IT desk on +1 555 0100' },
    });
    expect(byTag(phone.html, 'a').map((a) => attr(a, 'href'))).toEqual(['https://contoso.example/privacy']);
    expect(phone.text).toContain('Please contact the IT desk on +1 555 0100');
  });
});

// --- injection ----------------------------------------------------------------------------------------

describe('hostile configuration or user-derived values (req 27, 34)', () => {
  const payload = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
  const hostile: Branding = {
    organizationName: `Evil ${payload}`,
    supportContact: `help ${payload}`,
    accentColor: '#0b5cad;background:url(https://evil.example/x)',
    logoUrl: 'javascript:alert(3)',
    privacyUrl: 'javascript:alert(4)',
  };

  it.each(SUPPORTED_LOCALES)('%s: renders every value inert', (locale) => {
    for (const [kind, email] of allEmails(locale, hostile)) {
      const all = elements(parse(email.html));
      expect({ kind, script: all.filter((el) => el.tagName === 'script').length }).toEqual({
        kind,
        script: 0,
      });
      expect({ kind, img: all.filter((el) => el.tagName === 'img').length }).toEqual({ kind, img: 0 });
      expect(all.flatMap((el) => el.attrs.filter((a) => a.name.startsWith('on')))).toEqual([]);
      expect(email.html).toContain(escapeHtml(payload));
      expect(email.html).not.toMatch(/javascript:|evil\.example/i);
      // The reader sees the literal characters, not markup.
      expect(visibleText(email.html)).toContain(payload);
      for (const a of byTag(email.html, 'a')) expect(attr(a, 'href')).toMatch(/^(https?:|mailto:)/);
    }
  });

  it('strips CR/LF from the subject of every email (no header injection)', () => {
    const brand = {
      ...branding,
      organizationName: 'Contoso\r\nBcc: victim@example.com\r\n\r\nInjected body',
    };
    for (const locale of SUPPORTED_LOCALES) {
      for (const [kind, email] of allEmails(locale, brand)) {
        expect({ kind, subject: /[\r\n\u2028\u2029\u0000-\u001f]/.test(email.subject) }).toEqual({
          kind,
          subject: false,
        });
      }
    }
    expect(verification({ branding: brand }).subject).toBe(
      '482913 is your code for Contoso Bcc: victim@example.com Injected body',
    );
  });

  it('falls back to the default accent when the colour is not #rrggbb', () => {
    const email = verification({ branding: hostile });
    const cell = byTag(email.html, 'td').find((td) => attr(td, 'bgcolor'));
    expect(cell && attr(cell, 'bgcolor')).toBe('#0b5cad');
  });

  it('shows a valid logo with alt text and a size, and still names the organisation when images are off', () => {
    const email = verification({
      branding: { ...branding, logoUrl: 'https://cdn.contoso.example/logo.png' },
    });
    const [img, ...more] = byTag(email.html, 'img');
    expect(more).toEqual([]);
    expect(img && ['src', 'alt', 'width', 'height'].map((n) => attr(img, n))).toEqual([
      'https://cdn.contoso.example/logo.png',
      'Contoso',
      '160',
      '40',
    ]);
  });
});

// --- escaping helpers ---------------------------------------------------------------------------------

describe('escape helpers', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('accepts only absolute http(s) URLs without credentials or control characters', () => {
    expect(safeHttpUrl('https://example.com/a?b=1#c=2&d=3')).toBe('https://example.com/a?b=1#c=2&d=3');
    expect(safeHttpUrl('http://127.0.0.1:7071/#code=1')).toBe('http://127.0.0.1:7071/#code=1');
    for (const bad of [
      'javascript:alert(1)',
      'ftp://x.example/',
      '/relative',
      'https://a@b.example/',
      'https://x.example/\n',
      undefined,
    ]) {
      expect(safeHttpUrl(bad)).toBeUndefined();
    }
  });

  it('makes mailto links only from plain addresses', () => {
    expect(safeMailto('it-support@contoso.example')).toBe('mailto:it-support@contoso.example');
    for (const bad of [
      'a@b',
      'a b@c.example',
      'a@c.example?bcc=x@y.example',
      '"a"@c.example',
      'x@-c.example',
    ]) {
      expect(safeMailto(bad)).toBeUndefined();
    }
  });

  it('turns any line break or control character into a single space for headers', () => {
    expect(toHeaderText(' a\r\nb\u2028c\u0000d\t\te ')).toBe('a b c d e');
    expect(toHeaderText('Café\u00a0Noir')).toBe('Café\u00a0Noir');
  });
});

// --- colour and contrast ------------------------------------------------------------------------------

describe('contrast (WCAG 4.5:1)', () => {
  const accents = [
    '#0b5cad',
    '#ffcc00',
    '#777777',
    '#7f7f7f',
    '#ffffff',
    '#000000',
    '#e0e0e0',
    '#ff0000',
    '#00a36c',
  ];

  it.each(accents)('button text on accent %s', (accent) => {
    const email = verification({ branding: { ...branding, accentColor: accent } });
    const cell = byTag(email.html, 'td').find((td) => attr(td, 'bgcolor'));
    const link = byTag(email.html, 'a').find((a) => attr(a, 'class') === 'rs-button');
    const bg = cell && attr(cell, 'bgcolor');
    const fg = link && styleOf(link).color;
    expect(bg).toBe(accent);
    expect(fg).toBe(readableTextColor(accent));
    expect(contrastRatio(fg ?? '', bg ?? '')).toBeGreaterThanOrEqual(4.5);
  });

  it.each(accents)('links in accent %s, light inline and dark override', (accent) => {
    const email = verification({ branding: { ...branding, accentColor: accent } });
    const light = byTag(email.html, 'a').find((a) => attr(a, 'class') === 'rs-link');
    const lightColor = light ? (styleOf(light).color ?? '') : '';
    expect(contrastRatio(lightColor, EMAIL_PALETTE.light.page)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(lightColor, EMAIL_PALETTE.light.card)).toBeGreaterThanOrEqual(4.5);
    const dark = /\.rs-link \{ color: (#[0-9a-f]{6}) !important; \}/.exec(email.html)?.[1] ?? '';
    expect(contrastRatio(dark, EMAIL_PALETTE.dark.card)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(dark, EMAIL_PALETTE.dark.page)).toBeGreaterThanOrEqual(4.5);
  });

  it('text colours of both palettes', () => {
    for (const p of [EMAIL_PALETTE.light, EMAIL_PALETTE.dark]) {
      for (const bg of [p.page, p.card, p.code]) {
        expect(contrastRatio(p.text, bg)).toBeGreaterThanOrEqual(7);
        expect(contrastRatio(p.muted, bg)).toBeGreaterThanOrEqual(4.5);
      }
    }
  });

  it('computes known ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(withContrast('#0b5cad', '#ffffff')).toBe('#0b5cad');
    expect(contrastRatio(withContrast('#ffcc00', '#ffffff'), '#ffffff')).toBeGreaterThanOrEqual(4.5);
  });
});

// --- snapshots ----------------------------------------------------------------------------------------

describe('snapshots', () => {
  it('en verification email', () => {
    expect(verification({ locale: 'en' })).toMatchSnapshot();
  });

  it('ar verification email', () => {
    expect(verification({ locale: 'ar' })).toMatchSnapshot();
  });
});
