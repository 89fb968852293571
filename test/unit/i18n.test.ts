import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { SETTINGS } from '../../shared/config';
import {
  SUPPORTED_LOCALES,
  catalogue,
  direction,
  isLocale,
  isMessageKey,
  negotiateLocale,
  t,
  tParts,
  type Locale,
  type MessageKey,
} from '../../shared/i18n';
import { formatMessage, messageParameters, pluralSelectors, validateMessage } from '../../shared/i18n/format';

const en = catalogue('en');
const keys = Object.keys(en).sort() as MessageKey[];
const others = SUPPORTED_LOCALES.filter((l) => l !== 'en');

describe('catalogue completeness', () => {
  it('supports the same locales as the DEFAULT_LOCALE setting', () => {
    expect([...SETTINGS.DEFAULT_LOCALE.schema.options].sort()).toEqual([...SUPPORTED_LOCALES].sort());
  });

  it.each(others)('%s has exactly the keys of en', (locale) => {
    expect(Object.keys(catalogue(locale)).sort()).toEqual(keys);
  });

  it.each(SUPPORTED_LOCALES)('%s has no empty, padded or unparsable message', (locale) => {
    for (const [key, message] of Object.entries(catalogue(locale))) {
      expect({ key, empty: message.trim() === '' }).toEqual({ key, empty: false });
      expect({ key, padded: message !== message.trim() }).toEqual({ key, padded: false });
      expect(() => validateMessage(message)).not.toThrow();
    }
  });

  it.each(others)('%s uses the same placeholders as en in every message', (locale) => {
    const messages = catalogue(locale);
    for (const key of keys) {
      expect({ key, params: messageParameters(messages[key]) }).toEqual({
        key,
        params: messageParameters(en[key]),
      });
    }
  });

  it.each(SUPPORTED_LOCALES)('%s gives every plural form its language uses for 0–1000', (locale) => {
    const rules = new Intl.PluralRules(locale);
    const needed = new Set<string>(['other']);
    for (let n = 0; n <= 1000; n++) needed.add(rules.select(n));
    for (const [key, message] of Object.entries(catalogue(locale))) {
      for (const [param, selectors] of Object.entries(pluralSelectors(message))) {
        expect({ key, param, missing: [...needed].filter((c) => !selectors.includes(c)) }).toEqual({
          key,
          param,
          missing: [],
        });
      }
    }
  });

  it.each(others)('%s is translated, not copied from en', (locale) => {
    const messages = catalogue(locale);
    const copied = keys.filter((key) => messages[key] === en[key]);
    expect(copied).toEqual([]);
  });

  it('ja and ar messages are written in their own script', () => {
    const script: Partial<Record<Locale, RegExp>> = {
      ja: /[\u3040-\u30ff\u4e00-\u9fff]/,
      ar: /[\u0600-\u06ff]/,
    };
    for (const [locale, pattern] of Object.entries(script) as [Locale, RegExp][]) {
      const latinOnly = keys.filter((key) => !pattern.test(catalogue(locale)[key]));
      expect({ locale, latinOnly }).toEqual({ locale, latinOnly: [] });
    }
  });

  it.each(SUPPORTED_LOCALES)('%s quotes the button names exactly as the buttons say them', (locale) => {
    expect(t(locale, 'common.next.signIn')).toContain(t(locale, 'common.signIn'));
    expect(t(locale, 'page.code.prefilled')).toContain(t(locale, 'page.code.submit'));
    expect(t(locale, 'email.verification.linkNote')).toContain(t(locale, 'page.code.submit'));
  });

  it('names every language in that language, each name different', () => {
    const names = SUPPORTED_LOCALES.map((l) => t(l, 'language.name'));
    expect(new Set(names).size).toBe(SUPPORTED_LOCALES.length);
    expect(t('de', 'language.name')).toBe('Deutsch');
    expect(t('ar', 'language.name')).toBe('العربية');
  });

  it('has a message for every API error code the page shows and every domain refusal reason', () => {
    const codes = [
      'invalid_email',
      'domain_not_allowed',
      'invalid_request',
      'invalid_code',
      'signup_not_found',
    ];
    const more = [
      'rate_limited',
      'resend_too_soon',
      'signups_paused',
      'already_verified',
      'failed',
      'network',
      'generic',
    ];
    const reasons = ['consumer', 'disposable', 'organization', 'blocked', 'not_allowed'];
    for (const code of [...codes, ...more, 'locked']) expect(isMessageKey(`error.${code}`)).toBe(true);
    for (const reason of reasons) expect(isMessageKey(`error.domain_not_allowed.${reason}`)).toBe(true);
    expect(isMessageKey('error.no_such_code')).toBe(false);
    expect(isMessageKey('toString')).toBe(false);
  });
});

describe('t and the formatter', () => {
  it('fills placeholders and returns plain, unescaped text', () => {
    expect(t('en', 'page.code.sent', { email: 'a&b<c>@example.com' })).toBe(
      'We sent a 6-digit code to a&b<c>@example.com.',
    );
  });

  it('chooses plural forms by language', () => {
    expect(t('en', 'page.code.resendCountdown', { seconds: 1 })).toBe(
      'You can ask for a new code in 1 second.',
    );
    expect(t('en', 'page.code.resendCountdown', { seconds: 45 })).toBe(
      'You can ask for a new code in 45 seconds.',
    );
    expect(t('fr', 'page.code.resendCountdown', { seconds: 0 })).toContain('0 seconde.');
    expect(t('de', 'email.verification.retention', { days: 1 })).toContain('höchstens 1 Tag lang');
    const ar = (n: number) => t('ar', 'page.code.resendCountdown', { seconds: n });
    expect(ar(1)).toContain('ثانية واحدة');
    expect(ar(2)).toContain('ثانيتين');
    expect(ar(3)).toContain('3 ثوانٍ');
    expect(ar(11)).toContain('11 ثانية');
    expect(ar(100)).toContain('100 ثانية');
    expect(t('ja', 'page.code.resendCountdown', { seconds: 30 })).toBe(
      '30秒後に新しいコードをリクエストできます。',
    );
  });

  it('prints Western digits in every locale, like the code', () => {
    for (const locale of SUPPORTED_LOCALES) {
      expect(t(locale, 'email.verification.retention', { days: 1234 })).toMatch(/1[,.\s\u00a0\u202f]?234/);
    }
  });

  it('leaves a missing parameter visible instead of dropping it', () => {
    expect(t('en', 'page.code.sent')).toBe('We sent a 6-digit code to {email}.');
    expect(t('en', 'error.rate_limited')).toContain('{seconds}');
  });

  it('keeps parameter values apart in tParts', () => {
    expect(tParts('en', 'common.support', { support: 'help@contoso.example' })).toEqual([
      { type: 'text', value: 'Need help? Contact ' },
      { type: 'param', name: 'support', value: 'help@contoso.example' },
      { type: 'text', value: '.' },
    ]);
  });

  it('falls back to English for a locale that only exists at run time', () => {
    expect(t('xx' as Locale, 'common.signIn')).toBe('Sign in');
    expect(catalogue('xx' as Locale)).toBe(en);
  });

  it.each([
    ['{', 'unclosed argument'],
    ['{name', 'unclosed argument'],
    ['text }', 'stray brace'],
    ['{1abc}', 'bad name'],
    ['{n, select, a {x} other {y}}', 'unsupported type'],
    ['{n, plural, one {x}}', 'no other branch'],
    ['{n, plural, one {x} one {y} other {z}}', 'duplicate selector'],
    ['{n, plural, lots {x} other {y}}', 'bad selector'],
  ])('rejects %j (%s)', (message) => {
    expect(() => validateMessage(message)).toThrow(/MessageSyntaxError|at \d+ in message/);
  });

  it('supports exact-value branches and nested parameters', () => {
    const message = '{n, plural, =0 {none for {who}} one {# for {who}} other {# for {who}}}';
    expect(formatMessage('en', message, { n: 0, who: 'you' })).toBe('none for you');
    expect(formatMessage('en', message, { n: 1, who: 'you' })).toBe('1 for you');
    expect(formatMessage('en', message, { n: 7, who: 'you' })).toBe('7 for you');
    expect(messageParameters(message)).toEqual(['n', 'who']);
  });

  it('treats apostrophes literally (no ICU quoting)', () => {
    expect(t('fr', 'page.email.hint')).toContain('l’adresse');
    expect(formatMessage('en', "it's {x}'s", { x: 'Ann' })).toBe("it's Ann's");
  });
});

describe('direction', () => {
  it('is rtl for Arabic only', () => {
    for (const locale of SUPPORTED_LOCALES) expect(direction(locale)).toBe(locale === 'ar' ? 'rtl' : 'ltr');
  });
});

describe('negotiateLocale', () => {
  const cases: [string, Parameters<typeof negotiateLocale>[0], Locale][] = [
    ['a supported request wins', { requested: 'ja', acceptLanguage: 'de', fallback: 'en' }, 'ja'],
    ['a region is ignored', { requested: 'de-AT', fallback: 'en' }, 'de'],
    ['underscore and case are tolerated', { requested: 'FR_ca', fallback: 'en' }, 'fr'],
    ['es-419 is Spanish', { requested: 'es-419', fallback: 'en' }, 'es'],
    ['a script subtag is ignored', { acceptLanguage: 'ar-Arab-EG', fallback: 'en' }, 'ar'],
    [
      'an unsupported request falls through to the header',
      { requested: 'pt-BR', acceptLanguage: 'nl-BE', fallback: 'en' },
      'nl',
    ],
    ['an empty request falls through', { requested: '', acceptLanguage: 'ja', fallback: 'en' }, 'ja'],
    [
      'a garbage request falls through',
      { requested: '"><script>', acceptLanguage: 'es', fallback: 'en' },
      'es',
    ],
    ['header order without q', { acceptLanguage: 'pt-BR, fr-CH, de', fallback: 'en' }, 'fr'],
    ['q-values outrank order', { acceptLanguage: 'en;q=0.5, ja;q=0.9, de;q=0.7', fallback: 'nl' }, 'ja'],
    ['equal q keeps order', { acceptLanguage: 'de;q=0.8, fr;q=0.8', fallback: 'en' }, 'de'],
    ['q=0 means not acceptable', { acceptLanguage: 'de;q=0, fr;q=0.1', fallback: 'en' }, 'fr'],
    ['the browser default shape', { acceptLanguage: 'en-US,en;q=0.9,de;q=0.8', fallback: 'fr' }, 'en'],
    ['wildcard means the fallback', { acceptLanguage: 'pt, *;q=0.5', fallback: 'de' }, 'de'],
    ['a bare wildcard', { acceptLanguage: '*', fallback: 'ar' }, 'ar'],
    ['wildcard skips a refused fallback', { acceptLanguage: 'de;q=0, en;q=0, *', fallback: 'de' }, 'fr'],
    ['nothing supported', { acceptLanguage: 'pt-BR, zh-Hant;q=0.8, he', fallback: 'es' }, 'es'],
    ['nothing given', { fallback: 'nl' }, 'nl'],
    ['malformed q is skipped', { acceptLanguage: 'de;q=abc, ja;q=1.5, fr;q=0.3', fallback: 'en' }, 'fr'],
    ['garbage entries are skipped', { acceptLanguage: ';;;,,=,q=1,en-,-de, nl', fallback: 'ja' }, 'nl'],
    ['a wildcard region is not a language', { acceptLanguage: '*-CH', fallback: 'de' }, 'de'],
    [
      'an over-long header is cut, not parsed',
      { acceptLanguage: `${'x-aaaa,'.repeat(5000)}ja`, fallback: 'es' },
      'es',
    ],
  ];

  it.each(cases)('%s', (_name, input, expected) => {
    expect(negotiateLocale(input)).toBe(expected);
  });

  it('always returns a supported locale for random input', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz-_;=,.*0123456789 ';
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const header = Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]).join('');
      expect(isLocale(negotiateLocale({ acceptLanguage: header, requested: header, fallback: 'en' }))).toBe(
        true,
      );
    }
  });
});

describe('shipping the catalogue to the page', () => {
  it('is plain JSON', () => {
    for (const locale of SUPPORTED_LOCALES) {
      expect(JSON.parse(JSON.stringify(catalogue(locale)))).toEqual(catalogue(locale));
    }
  });

  it('bundles for the browser with no Node built-ins and stays small', () => {
    const result = buildSync({
      entryPoints: [path.join(__dirname, '../../shared/i18n/index.ts')],
      bundle: true,
      minify: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const bytes = result.outputFiles[0]?.contents ?? new Uint8Array();
    // All seven locales together (the guest-lifecycle texts added ~2 KB); the page budget is 100 KB
    // compressed for everything.
    expect(gzipSync(bytes).length).toBeLessThan(30_000);
  });
});
