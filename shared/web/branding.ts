/**
 * Branding for the landing page, read from configuration at serve time so an operator rebrands by
 * changing app settings, never by rebuilding. Node-free: the page bundle uses `supportLink` too.
 */
import { safeHttpUrl, safeMailto } from '../email/escape';
import { AA_TEXT, ensureContrast, parseHexColor, readableTextOn, WHITE } from './contrast';

export interface Branding {
  organizationName: string;
  /** Absolute http(s) URL, or undefined for no logo. */
  logoUrl: string | undefined;
  /** #rrggbb */
  accentColor: string;
  /** An email address or an http(s) URL. */
  supportContact: string;
  privacyUrl: string | undefined;
}

export interface BrandingSettings {
  BRAND_ORGANIZATION_NAME: string;
  BRAND_LOGO_URL?: string | undefined;
  BRAND_ACCENT_COLOR: string;
  SUPPORT_CONTACT: string;
  PRIVACY_URL?: string | undefined;
}

/** The config schema already validates these; the checks here keep a bad value from ever reaching HTML. */
export function brandingFromConfig(config: BrandingSettings): Branding {
  return {
    organizationName: config.BRAND_ORGANIZATION_NAME.trim() || 'Contoso',
    logoUrl: safeHttpUrl(config.BRAND_LOGO_URL),
    accentColor: parseHexColor(config.BRAND_ACCENT_COLOR)
      ? config.BRAND_ACCENT_COLOR.toLowerCase()
      : DEFAULT_ACCENT,
    supportContact: config.SUPPORT_CONTACT.trim(),
    privacyUrl: safeHttpUrl(config.PRIVACY_URL),
  };
}

export const DEFAULT_ACCENT = '#0b5cad';

export interface AccentPalette {
  /** The configured colour, used as the primary button's background. */
  accent: string;
  /** Black or white text on the accent (≥ 4.5:1). */
  onAccent: string;
  /** The accent darkened until it reaches 4.5:1 on white: links, focus ring, button border. */
  accentStrong: string;
}

export function accentPalette(accentColor: string): AccentPalette {
  const accent = parseHexColor(accentColor) ? accentColor.toLowerCase() : DEFAULT_ACCENT;
  return { accent, onAccent: readableTextOn(accent), accentStrong: ensureContrast(accent, WHITE, AA_TEXT) };
}

/**
 * The only per-deployment CSS: custom properties consumed by the hashed stylesheet. Served as a file
 * (CSP `style-src 'self'` forbids inline styles); every value is a validated #rrggbb colour.
 */
export function brandStylesheet(branding: Branding): string {
  const p = accentPalette(branding.accentColor);
  return `:root{--accent:${p.accent};--on-accent:${p.onAccent};--accent-strong:${p.accentStrong}}\n`;
}

export type SupportLink = { text: string; href: string | undefined };

/** An address becomes a `mailto:` link, an http(s) URL a link, anything else stays plain text. */
export function supportLink(contact: string): SupportLink {
  const text = contact.trim();
  const mailto = safeMailto(text);
  if (mailto) return { text, href: mailto };
  const url = safeHttpUrl(text);
  return { text, href: url };
}
