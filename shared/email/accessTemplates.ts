/**
 * The access-model emails: the request a sponsor receives, and the "not eligible" notice a
 * verified person receives (including a sponsor's denial). Same building blocks and escaping as
 * templates.ts; the subject holds only catalogue text and the organisation name, never the address.
 */
import type { NotEligibleReason } from '../domain/accessPolicy';
import { t, type Locale, type MessageKey } from '../i18n';
import { toHeaderText } from './escape';
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

const REASON_KEYS = {
  not_partner: 'common.notEligible.not_partner',
  no_recent_mail: 'common.notEligible.no_recent_mail',
  denied: 'common.notEligible.denied',
  revoked: 'common.notEligible.revoked',
} as const satisfies Record<NotEligibleReason, MessageKey>;

export function renderNotEligibleEmail(i: {
  locale: Locale;
  reason: NotEligibleReason;
  branding: Branding;
}): RenderedEmail {
  const ctx = contextFor(i.locale, i.branding);
  const { locale, brand } = ctx;
  const key = REASON_KEYS[i.reason];
  if (!key) throw new TypeError(`unknown reason ${String(i.reason)}`);
  const params = { organization: brand.organization, support: brand.support };
  const subject = toHeaderText(t(locale, 'email.notEligible.subject', params));
  const body = [
    heading(ctx, 1, t(locale, 'common.notEligible.heading')),
    paragraph(ctx, messageHtml(ctx, key, params)),
  ].join('\n');
  const text = textDocument([
    t(locale, 'common.notEligible.heading'),
    t(locale, key, params),
    ...textFooter(ctx),
  ]);
  return { subject, html: documentHtml(ctx, { subject, preheader: t(locale, key, params), body }), text };
}

export function renderApprovalRequestEmail(i: {
  locale: Locale;
  /** The requester's verified address and its domain (Unicode form for display). */
  email: string;
  domain: string;
  link: string;
  expiresInDays: number;
  branding: Branding;
}): RenderedEmail {
  const ctx = contextFor(i.locale, i.branding);
  const { locale, brand } = ctx;
  const params = { organization: brand.organization, email: i.email, domain: i.domain };
  const subject = toHeaderText(t(locale, 'email.approval.subject', params));
  const label = t(locale, 'email.approval.button');
  const note = { days: i.expiresInDays };
  const body = [
    heading(ctx, 1, t(locale, 'page.approval.heading')),
    paragraph(ctx, messageHtml(ctx, 'email.approval.body', params)),
    button(ctx, i.link, label),
    paragraph(ctx, messageHtml(ctx, 'email.approval.note', note), { muted: true, small: true }),
    linkFallback(ctx, i.link),
  ].join('\n');
  const text = textDocument([
    t(locale, 'page.approval.heading'),
    t(locale, 'email.approval.body', params),
    `${label}\n${i.link}`,
    t(locale, 'email.approval.note', note),
    ...textFooter(ctx),
  ]);
  return {
    subject,
    html: documentHtml(ctx, { subject, preheader: t(locale, 'email.approval.body', params), body }),
    text,
  };
}
