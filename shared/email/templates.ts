/**
 * The three emails: verification code, account ready, sign-up failed. Fixed templates; every value that
 * does not come from our own catalogue is escaped here, URLs are used only when they are http(s), and the
 * subject is built only from the catalogue, the code and the organisation name (req 27, 34).
 *
 * HTML follows what survives Outlook (Word engine), Gmail and Apple Mail: table layout with role=presentation,
 * inline styles with light-mode defaults, one <style> block only for dark mode and small screens, no image
 * required (the optional logo has alt text), and `lang`/`dir` repeated on the wrapper because Gmail drops
 * the <html> and <body> attributes.
 */
import { direction, isLocale, t, tParts, type Locale, type MessageKey, type MessageParams } from '../i18n';
import { DEFAULT_ACCENT, HEX_COLOR, readableTextColor, withContrast } from './colour';
import { escapeHtml, safeHttpUrl, safeMailto, toHeaderText } from './escape';

export { contrastRatio, readableTextColor, relativeLuminance, withContrast } from './colour';

export interface Branding {
  organizationName: string;
  logoUrl?: string;
  accentColor: string;
  supportContact: string;
  privacyUrl?: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export type AccountOutcome = 'guest_created' | 'existing_guest' | 'existing_member' | 'not_managed';

// ---------------------------------------------------------------------------------------------------------
// Palette and type. Light values are inline defaults; dark values only apply through the media query.

const LIGHT = {
  page: '#f3f4f6',
  card: '#ffffff',
  text: '#1f2328',
  muted: '#4b5563',
  border: '#d1d5db',
  code: '#f3f4f6',
};
const DARK = {
  page: '#0d1117',
  card: '#161b22',
  text: '#e6edf3',
  muted: '#b1bac4',
  border: '#30363d',
  code: '#0d1117',
};
/** Exported so tests can check every text/background pair for contrast. */
export const EMAIL_PALETTE = { light: LIGHT, dark: DARK } as const;
const FONT =
  "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,'Noto Sans','Hiragino Sans','Yu Gothic',Meiryo,sans-serif";
const MONO = "'SFMono-Regular',Consolas,'Liberation Mono',Menlo,'Courier New',monospace";

/** Branding with every value checked once: escaped where it is text, dropped where it is an unsafe URL. */
interface Brand {
  organization: string;
  logoUrl: string | undefined;
  accent: string;
  accentText: string;
  link: string;
  linkDark: string;
  support: string;
  supportHref: string | undefined;
  privacyUrl: string | undefined;
}

function brandFrom(branding: Branding): Brand {
  const accent = HEX_COLOR.test(branding.accentColor) ? branding.accentColor.toLowerCase() : DEFAULT_ACCENT;
  // Names and contacts are single-line text everywhere, including the subject.
  const support = toHeaderText(branding.supportContact);
  return {
    organization: toHeaderText(branding.organizationName),
    logoUrl: safeHttpUrl(branding.logoUrl),
    accent,
    accentText: readableTextColor(accent),
    // Checked against the darker light background and the lighter dark one: the worst case of each.
    link: withContrast(accent, LIGHT.page),
    linkDark: withContrast(accent, DARK.card),
    support,
    supportHref: safeMailto(support) ?? safeHttpUrl(support),
    privacyUrl: safeHttpUrl(branding.privacyUrl),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Rendering helpers. `Ctx` carries what every block needs.

export interface Ctx {
  locale: Locale;
  dir: 'ltr' | 'rtl';
  start: 'left' | 'right';
  brand: Brand;
}

export function contextFor(requested: Locale, branding: Branding): Ctx {
  const locale = isLocale(requested) ? requested : 'en';
  const dir = direction(locale);
  return { locale, dir, start: dir === 'rtl' ? 'right' : 'left', brand: brandFrom(branding) };
}

function linkHtml(ctx: Ctx, href: string, label: string): string {
  return `<a href="${escapeHtml(href)}" class="rs-link" style="color:${ctx.brand.link};text-decoration:underline;">${escapeHtml(label)}</a>`;
}

/**
 * A catalogue message as HTML: text escaped, each parameter value escaped and isolated with <bdi> so an
 * address or a Latin name cannot reorder the surrounding Arabic text (or the other way round); the support
 * contact becomes a link when it is an address or an http(s) URL.
 */
export function messageHtml(ctx: Ctx, key: MessageKey, params?: MessageParams): string {
  return tParts(ctx.locale, key, params)
    .map((part) => {
      if (part.type === 'text') return escapeHtml(part.value);
      if (part.name === 'support' && ctx.brand.supportHref) {
        return `<bdi>${linkHtml(ctx, ctx.brand.supportHref, part.value)}</bdi>`;
      }
      return `<bdi>${escapeHtml(part.value)}</bdi>`;
    })
    .join('');
}

export function paragraph(
  ctx: Ctx,
  html: string,
  options: { muted?: boolean; small?: boolean } = {},
): string {
  const color = options.muted ? LIGHT.muted : LIGHT.text;
  const size = options.small ? 'font-size:14px;line-height:21px;' : 'font-size:16px;line-height:24px;';
  return `<p class="${options.muted ? 'rs-muted' : 'rs-text'}" style="margin:0 0 16px 0;${size}color:${color};text-align:${ctx.start};">${html}</p>`;
}

export function heading(ctx: Ctx, level: 1 | 2, text: string): string {
  const size = level === 1 ? 'font-size:22px;line-height:30px;' : 'font-size:18px;line-height:26px;';
  return `<h${level} class="rs-text" style="margin:0 0 12px 0;${size}font-weight:700;color:${LIGHT.text};text-align:${ctx.start};">${escapeHtml(text)}</h${level}>`;
}

/** A "bulletproof" button: the cell carries the colour so Outlook, which ignores padding on links, still shows it. */
export function button(ctx: Ctx, href: string, label: string): string {
  const { accent, accentText } = ctx.brand;
  return [
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 16px 0;border-collapse:separate;">`,
    `<tr><td align="center" bgcolor="${accent}" style="background-color:${accent};border-radius:6px;padding:12px 24px;">`,
    `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer" class="rs-button" style="display:inline-block;font-family:${FONT};font-size:16px;line-height:22px;font-weight:700;color:${accentText};text-decoration:none;">${escapeHtml(label)}</a>`,
    `</td></tr></table>`,
  ].join('');
}

/** The code, large, digits spaced by CSS only so that copying it still gives six digits. */
function codeBlock(code: string): string {
  return [
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%" style="margin:0 0 20px 0;border-collapse:separate;">`,
    `<tr><td align="center" dir="ltr" class="rs-code" style="background-color:${LIGHT.code};border:1px solid ${LIGHT.border};border-radius:8px;padding:16px 8px;">`,
    `<span class="rs-code-text" style="font-family:${MONO};font-size:36px;line-height:44px;font-weight:700;letter-spacing:8px;color:${LIGHT.text};">${escapeHtml(code)}</span>`,
    `</td></tr></table>`,
  ].join('');
}

function orderedList(ctx: Ctx, items: string[]): string {
  const indent = ctx.dir === 'rtl' ? 'padding:0 24px 0 0;' : 'padding:0 0 0 24px;';
  const li = items
    .map(
      (item) =>
        `<li class="rs-text" style="margin:0 0 8px 0;font-size:16px;line-height:24px;color:${LIGHT.text};">${item}</li>`,
    )
    .join('');
  return `<ol style="margin:0 0 16px 0;${indent}text-align:${ctx.start};">${li}</ol>`;
}

/** The URL printed as text under a button, for clients that block buttons; it breaks anywhere on narrow screens. */
export function linkFallback(ctx: Ctx, href: string): string {
  return paragraph(
    ctx,
    `${escapeHtml(t(ctx.locale, 'email.linkFallback'))}<br><a href="${escapeHtml(href)}" class="rs-link" dir="ltr" style="color:${ctx.brand.link};text-decoration:underline;word-break:break-all;">${escapeHtml(href)}</a>`,
    { muted: true, small: true },
  );
}

function headerHtml(ctx: Ctx): string {
  const { brand } = ctx;
  const content = brand.logoUrl
    ? `<img src="${escapeHtml(brand.logoUrl)}" alt="${escapeHtml(brand.organization)}" width="160" height="40" style="display:inline-block;height:40px;width:auto;max-width:200px;border:0;outline:none;text-decoration:none;color:${LIGHT.text};font-family:${FONT};font-size:18px;font-weight:700;">`
    : `<span class="rs-text" style="font-family:${FONT};font-size:18px;line-height:24px;font-weight:700;color:${LIGHT.text};">${escapeHtml(brand.organization)}</span>`;
  return `<tr><td style="padding:0 8px 16px 8px;text-align:${ctx.start};">${content}</td></tr>`;
}

function footerHtml(ctx: Ctx): string {
  const { brand } = ctx;
  const lines = [
    messageHtml(ctx, 'email.reason', { organization: brand.organization }),
    messageHtml(ctx, 'common.support', { support: brand.support }),
  ];
  if (brand.privacyUrl) lines.push(linkHtml(ctx, brand.privacyUrl, t(ctx.locale, 'common.privacy')));
  const paragraphs = lines
    .map(
      (line) =>
        `<p class="rs-muted" style="margin:0 0 8px 0;font-size:13px;line-height:20px;color:${LIGHT.muted};text-align:${ctx.start};">${line}</p>`,
    )
    .join('');
  return `<tr><td style="padding:16px 8px 0 8px;font-family:${FONT};">${paragraphs}</td></tr>`;
}

function styleBlock(ctx: Ctx): string {
  const { linkDark } = ctx.brand;
  return `<style>
:root { color-scheme: light dark; supported-color-schemes: light dark; }
body { margin: 0; padding: 0; width: 100%; -webkit-text-size-adjust: 100%; -ms-text-size-adjust: 100%; }
table { border-collapse: collapse; }
@media (prefers-color-scheme: dark) {
  .rs-page { background-color: ${DARK.page} !important; }
  .rs-card { background-color: ${DARK.card} !important; border-color: ${DARK.border} !important; }
  .rs-text, .rs-code-text { color: ${DARK.text} !important; }
  .rs-muted { color: ${DARK.muted} !important; }
  .rs-code { background-color: ${DARK.code} !important; border-color: ${DARK.border} !important; }
  .rs-link { color: ${linkDark} !important; }
}
@media only screen and (max-width: 620px) {
  .rs-card { padding: 24px 16px !important; }
  .rs-code-text { font-size: 30px !important; letter-spacing: 6px !important; }
}
</style>`;
}

/** Hidden inbox-preview text, padded so the preview does not run on into the body. */
function preheaderHtml(text: string): string {
  const filler = '&#847;&zwnj;&nbsp;'.repeat(40);
  return `<div class="rs-preheader" style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all;color:${LIGHT.page};">${escapeHtml(text)}${filler}</div>`;
}

export function documentHtml(ctx: Ctx, parts: { subject: string; preheader: string; body: string }): string {
  const lang = escapeHtml(ctx.locale);
  return [
    '<!DOCTYPE html>',
    `<html lang="${lang}" dir="${ctx.dir}" xmlns="http://www.w3.org/1999/xhtml">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="x-apple-disable-message-reformatting">',
    // Stops iOS from turning the code into a phone-number link.
    '<meta name="format-detection" content="telephone=no, date=no, address=no, email=no, url=no">',
    '<meta name="color-scheme" content="light dark">',
    '<meta name="supported-color-schemes" content="light dark">',
    `<title>${escapeHtml(parts.subject)}</title>`,
    styleBlock(ctx),
    '</head>',
    `<body class="rs-page" style="margin:0;padding:0;width:100%;background-color:${LIGHT.page};">`,
    preheaderHtml(parts.preheader),
    `<table role="presentation" lang="${lang}" dir="${ctx.dir}" width="100%" cellpadding="0" cellspacing="0" border="0" class="rs-page" style="width:100%;background-color:${LIGHT.page};">`,
    `<tr><td align="center" style="padding:24px 12px;">`,
    // Outlook ignores max-width; a fixed 600px ghost table stands in for it.
    `<!--[if mso]><table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" align="center"><tr><td><![endif]-->`,
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;border-collapse:separate;">`,
    headerHtml(ctx),
    `<tr><td class="rs-card" style="background-color:${LIGHT.card};border:1px solid ${LIGHT.border};border-radius:8px;padding:32px;font-family:${FONT};color:${LIGHT.text};text-align:${ctx.start};">`,
    parts.body,
    '</td></tr>',
    footerHtml(ctx),
    '</table>',
    '<!--[if mso]></td></tr></table><![endif]-->',
    '</td></tr></table>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Plain-text part: the same content, one paragraph per block, links written out. */
export function textFooter(ctx: Ctx): string[] {
  const { brand } = ctx;
  const lines = [
    '--',
    t(ctx.locale, 'email.reason', { organization: brand.organization }),
    t(ctx.locale, 'common.support', { support: brand.support }),
  ];
  if (brand.privacyUrl) lines.push(t(ctx.locale, 'common.privacy'), brand.privacyUrl);
  return [lines.join('\n')];
}

export function textDocument(blocks: string[]): string {
  return `${blocks.filter((b) => b.length > 0).join('\n\n')}\n`;
}

function assertCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
}

// ---------------------------------------------------------------------------------------------------------
// The three emails.

const INTENT_KEYS = {
  join: undefined,
  leave: 'email.verification.intent.leave',
  reset: 'email.verification.intent.reset',
} as const satisfies Record<'join' | 'leave' | 'reset', MessageKey | undefined>;

export function renderVerificationEmail(i: {
  locale: Locale;
  code: string;
  expiresInMinutes: number;
  retentionDays: number;
  link: string;
  branding: Branding;
  /** What confirming will do; `leave` and `reset` say so in the email. */
  intent?: 'join' | 'leave' | 'reset';
}): RenderedEmail {
  // The code is generated by us; anything but digits here is a bug, and it must never reach a header.
  if (!/^[0-9]{4,10}$/.test(i.code)) throw new TypeError('code must be 4 to 10 digits');
  assertCount('expiresInMinutes', i.expiresInMinutes);
  assertCount('retentionDays', i.retentionDays);
  const ctx = contextFor(i.locale, i.branding);
  const { locale, brand } = ctx;
  const link = safeHttpUrl(i.link);
  const minutes = { minutes: i.expiresInMinutes, organization: brand.organization };
  const days = { days: i.retentionDays };

  const subject = toHeaderText(
    t(locale, 'email.verification.subject', { code: i.code, organization: brand.organization }),
  );
  const codeLabel = t(locale, 'email.verification.codeLabel');
  const intentKey = INTENT_KEYS[i.intent ?? 'join'];
  const org = { organization: brand.organization };

  const body = [
    heading(ctx, 1, codeLabel),
    codeBlock(i.code),
    paragraph(ctx, messageHtml(ctx, 'email.verification.instructions', minutes)),
    ...(intentKey ? [paragraph(ctx, messageHtml(ctx, intentKey, org))] : []),
    link ? button(ctx, link, t(locale, 'email.verification.button')) : '',
    link
      ? paragraph(ctx, escapeHtml(t(locale, 'email.verification.linkNote')), { muted: true, small: true })
      : '',
    link ? linkFallback(ctx, link) : '',
    paragraph(ctx, escapeHtml(t(locale, 'email.verification.ignore'))),
    paragraph(ctx, messageHtml(ctx, 'email.verification.retention', days)),
  ].join('\n');

  const text = textDocument([
    `${codeLabel}\n${i.code}`,
    t(locale, 'email.verification.instructions', minutes),
    ...(intentKey ? [t(locale, intentKey, org)] : []),
    link
      ? [t(locale, 'email.verification.button'), link, t(locale, 'email.verification.linkNote')].join('\n')
      : '',
    t(locale, 'email.verification.ignore'),
    t(locale, 'email.verification.retention', days),
    ...textFooter(ctx),
  ]);

  return {
    subject,
    html: documentHtml(ctx, { subject, preheader: t(locale, 'email.verification.preheader', minutes), body }),
    text,
  };
}

const OUTCOME_KEYS = {
  guest_created: {
    subject: 'email.ready.guestCreated.subject',
    heading: 'common.ready.guestCreated.heading',
    body: 'common.ready.guestCreated.body',
    steps: true,
  },
  existing_guest: {
    subject: 'email.ready.existingGuest.subject',
    heading: 'common.ready.existingGuest.heading',
    body: 'common.ready.existingGuest.body',
    steps: true,
  },
  existing_member: {
    subject: 'email.ready.existingMember.subject',
    heading: 'common.ready.existingMember.heading',
    body: 'common.ready.existingMember.body',
    steps: false,
  },
  not_managed: {
    subject: 'common.outcome.notManaged.heading',
    heading: 'common.outcome.notManaged.heading',
    body: 'common.outcome.notManaged.body',
    steps: false,
  },
} as const satisfies Record<
  AccountOutcome,
  { subject: MessageKey; heading: MessageKey; body: MessageKey; steps: boolean }
>;

/** What a guest does after the account exists; the page shows the same list. */
export const NEXT_STEP_KEYS = [
  'common.next.signIn',
  'common.next.passcode',
  'common.next.reopen',
  'common.next.delay',
] as const satisfies readonly MessageKey[];

export function renderAccountReadyEmail(i: {
  locale: Locale;
  outcome: AccountOutcome;
  signInUrl: string;
  branding: Branding;
  /** The recipient's domain has its own Entra tenant: sign in with the organisation account. */
  homeTenant?: boolean;
}): RenderedEmail {
  const keys = OUTCOME_KEYS[i.outcome];
  if (!keys) throw new TypeError(`unknown outcome ${String(i.outcome)}`);
  const ctx = contextFor(i.locale, i.branding);
  const { locale, brand } = ctx;
  const signInUrl = safeHttpUrl(i.signInUrl);
  const org = { organization: brand.organization, support: brand.support };
  const signInLabel = t(locale, 'common.signIn');
  // Honest expectations for guests: how long access takes, which apps open protected files (issue text).
  const hints: MessageKey[] = keys.steps
    ? [
        ...(i.homeTenant ? (['common.access.homeTenant'] as const) : []),
        'common.access.delay',
        'common.access.apps',
      ]
    : [];

  const subject = toHeaderText(t(locale, keys.subject, org));
  const steps = keys.steps ? NEXT_STEP_KEYS.map((key) => t(locale, key)) : [];

  const body = [
    heading(ctx, 1, t(locale, keys.heading)),
    paragraph(ctx, messageHtml(ctx, keys.body, org)),
    keys.steps ? paragraph(ctx, messageHtml(ctx, 'common.identity.body', org)) : '',
    signInUrl ? button(ctx, signInUrl, signInLabel) : '',
    steps.length > 0 ? heading(ctx, 2, t(locale, 'common.next.heading')) : '',
    steps.length > 0 ? orderedList(ctx, steps.map(escapeHtml)) : '',
    ...hints.map((key) => paragraph(ctx, messageHtml(ctx, key, org), { muted: true })),
    signInUrl ? linkFallback(ctx, signInUrl) : '',
  ].join('\n');

  const text = textDocument([
    t(locale, keys.heading),
    t(locale, keys.body, org),
    keys.steps ? t(locale, 'common.identity.body', org) : '',
    signInUrl ? `${signInLabel}\n${signInUrl}` : '',
    steps.length > 0
      ? [t(locale, 'common.next.heading'), ...steps.map((step, n) => `${n + 1}. ${step}`)].join('\n')
      : '',
    ...hints.map((key) => t(locale, key, org)),
    ...textFooter(ctx),
  ]);

  return { subject, html: documentHtml(ctx, { subject, preheader: t(locale, keys.body, org), body }), text };
}

export function renderSignupFailedEmail(i: { locale: Locale; branding: Branding }): RenderedEmail {
  const ctx = contextFor(i.locale, i.branding);
  const { locale, brand } = ctx;
  const subject = toHeaderText(t(locale, 'email.failed.subject', { organization: brand.organization }));
  const support = { support: brand.support };

  const body = [
    heading(ctx, 1, t(locale, 'common.failed.heading')),
    paragraph(ctx, messageHtml(ctx, 'email.failed.body', support)),
  ].join('\n');

  const text = textDocument([
    t(locale, 'common.failed.heading'),
    t(locale, 'email.failed.body', support),
    ...textFooter(ctx),
  ]);

  return {
    subject,
    html: documentHtml(ctx, { subject, preheader: t(locale, 'email.failed.body', support), body }),
    text,
  };
}
