/**
 * The guest-lifecycle emails: the redemption reminder (a fresh redeem link), the renewal notice (a link
 * that pre-fills the sign-up page) and the fresh link after a verified "start over". Same building blocks
 * and escaping as templates.ts; subjects hold only catalogue text, the organisation name and a date.
 */
import { t, type Locale, type MessageKey } from '../i18n';
import { safeHttpUrl, toHeaderText } from './escape';
import {
  type Branding,
  button,
  contextFor,
  documentHtml,
  heading,
  linkFallback,
  messageHtml,
  paragraph,
  type RenderedEmail,
  textDocument,
  textFooter,
} from './templates';

function linkEmail(i: {
  locale: Locale;
  branding: Branding;
  subject: MessageKey;
  heading: MessageKey;
  body: MessageKey;
  button: MessageKey;
  url: string;
  params?: Record<string, string>;
  extra?: readonly MessageKey[];
}): RenderedEmail {
  const ctx = contextFor(i.locale, i.branding);
  const { locale, brand } = ctx;
  const params = { organization: brand.organization, support: brand.support, ...i.params };
  const url = safeHttpUrl(i.url);
  if (!url) throw new TypeError('lifecycle email link must be an http(s) URL');
  const label = t(locale, i.button);
  const subject = toHeaderText(t(locale, i.subject, params));
  const extra = i.extra ?? [];
  const body = [
    heading(ctx, 1, t(locale, i.heading, params)),
    paragraph(ctx, messageHtml(ctx, i.body, params)),
    button(ctx, url, label),
    ...extra.map((key) => paragraph(ctx, messageHtml(ctx, key, params), { muted: true })),
    linkFallback(ctx, url),
  ].join('\n');
  const text = textDocument([
    t(locale, i.heading, params),
    t(locale, i.body, params),
    `${label}\n${url}`,
    ...extra.map((key) => t(locale, key, params)),
    ...textFooter(ctx),
  ]);
  return { subject, html: documentHtml(ctx, { subject, preheader: t(locale, i.body, params), body }), text };
}

/** A guest we created has not accepted yet: a fresh redeem link. */
export function renderRedeemReminderEmail(i: {
  locale: Locale;
  redeemUrl: string;
  branding: Branding;
}): RenderedEmail {
  return linkEmail({
    ...i,
    subject: 'email.reminder.subject',
    heading: 'email.reminder.subject',
    body: 'email.reminder.body',
    button: 'common.acceptInvitation',
    url: i.redeemUrl,
    extra: ['common.access.delay'],
  });
}

/** The guest's lifetime ends on `endsOn` (YYYY-MM-DD): a link that pre-fills the sign-up page to renew. */
export function renderRenewalNoticeEmail(i: {
  locale: Locale;
  renewUrl: string;
  endsOn: string;
  branding: Branding;
}): RenderedEmail {
  return linkEmail({
    ...i,
    subject: 'email.renewal.subject',
    heading: 'email.renewal.subject',
    body: 'email.renewal.body',
    button: 'email.renewal.button',
    url: i.renewUrl,
    params: { date: i.endsOn },
  });
}

/** After a verified "start over": the fresh redeem link of the same guest account. */
export function renderRedemptionResetEmail(i: {
  locale: Locale;
  redeemUrl: string;
  homeTenant?: boolean;
  branding: Branding;
}): RenderedEmail {
  return linkEmail({
    ...i,
    subject: 'email.reset.subject',
    heading: 'common.outcome.redemptionReset.heading',
    body: 'common.outcome.redemptionReset.body',
    button: 'common.acceptInvitation',
    url: i.redeemUrl,
    extra: [...(i.homeTenant ? (['common.access.homeTenant'] as const) : []), 'common.access.delay'],
  });
}
