/**
 * Colour: the accent comes from config, so contrast is computed rather than hoped for (WCAG 2.2, 4.5:1).
 */
type Rgb = readonly [number, number, number];

export const DEFAULT_ACCENT = '#0b5cad';
export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

function parseHex(hex: string): Rgb {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** WCAG relative luminance of a #rrggbb colour. */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = parseHex(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as unknown as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio between two #rrggbb colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * Text colour for a button filled with `background`: white when it reaches 4.5:1, else black. One of the
 * two always does (the worst case, luminance ≈ 0.18, still gives black 4.58:1).
 */
export function readableTextColor(background: string): '#ffffff' | '#000000' {
  return contrastRatio('#ffffff', background) >= 4.5 ? '#ffffff' : '#000000';
}

/** The colour itself if it has `minimum` contrast on `background`, else the nearest mix towards black or white that does. */
export function withContrast(color: string, background: string, minimum = 4.5): string {
  if (contrastRatio(color, background) >= minimum) return color;
  const target: Rgb = relativeLuminance(background) > 0.5 ? [0, 0, 0] : [255, 255, 255];
  const from = parseHex(color);
  for (let step = 1; step <= 20; step++) {
    const f = step / 20;
    const mixed = toHex(from.map((c, i) => c + ((target[i] ?? 0) - c) * f) as unknown as Rgb);
    if (contrastRatio(mixed, background) >= minimum) return mixed;
  }
  return toHex(target);
}
