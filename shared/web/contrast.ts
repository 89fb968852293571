/**
 * WCAG 2.x contrast arithmetic for the configurable accent colour, so a rebrand can never produce an
 * unreadable button or link (WCAG 1.4.3 asks 4.5:1 for text, 1.4.11 asks 3:1 for control boundaries).
 * Pure and dependency-free: used by the server (brand stylesheet) and by tests.
 */

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

const HEX = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i;

export const WHITE = '#ffffff';
export const BLACK = '#000000';
/** The minimum for normal-size text (WCAG 2.2 SC 1.4.3, level AA). */
export const AA_TEXT = 4.5;

export function parseHexColor(hex: string): Rgb | undefined {
  const match = HEX.exec(hex.trim());
  if (!match) return undefined;
  return {
    r: parseInt(match[1] ?? '0', 16),
    g: parseInt(match[2] ?? '0', 16),
    b: parseInt(match[3] ?? '0', 16),
  };
}

export function toHexColor({ r, g, b }: Rgb): string {
  const part = (v: number) =>
    Math.round(Math.min(255, Math.max(0, v)))
      .toString(16)
      .padStart(2, '0');
  return `#${part(r)}${part(g)}${part(b)}`;
}

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** Relative luminance as WCAG defines it (0 = black, 1 = white). */
export function relativeLuminance(hex: string): number {
  const rgb = parseHexColor(hex);
  if (!rgb) throw new RangeError(`Not a #rrggbb colour: ${hex}`);
  return 0.2126 * channel(rgb.r) + 0.7152 * channel(rgb.g) + 0.0722 * channel(rgb.b);
}

/** (L1 + 0.05) / (L2 + 0.05), from 1 (same colour) to 21 (black on white). */
export function contrastRatio(a: string, b: string): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * Black or white, whichever reads better on `background`. One of the two always reaches at least 4.58:1,
 * so text on any accent colour passes AA.
 */
export function readableTextOn(background: string): string {
  return contrastRatio(background, WHITE) >= contrastRatio(background, BLACK) ? WHITE : BLACK;
}

/**
 * `color` itself when it already has `minimum` contrast against `against`, otherwise the same hue mixed
 * towards black (or white, for a dark `against`) in small steps until it does. Used for links, focus rings
 * and borders drawn in the accent colour on the white page.
 */
export function ensureContrast(color: string, against: string = WHITE, minimum: number = AA_TEXT): string {
  const rgb = parseHexColor(color);
  if (!rgb) throw new RangeError(`Not a #rrggbb colour: ${color}`);
  if (contrastRatio(color, against) >= minimum) return toHexColor(rgb);
  const target = relativeLuminance(against) > 0.5 ? 0 : 255;
  for (let step = 1; step <= 20; step++) {
    const f = step / 20;
    const mixed = toHexColor({
      r: rgb.r + (target - rgb.r) * f,
      g: rgb.g + (target - rgb.g) * f,
      b: rgb.b + (target - rgb.b) * f,
    });
    if (contrastRatio(mixed, against) >= minimum) return mixed;
  }
  return target === 0 ? BLACK : WHITE;
}
