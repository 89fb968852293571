/**
 * Charts drawn as inline SVG (no chart library, nothing inline for the CSP to refuse: presentation
 * attributes only, colours from classes in console.css). Each chart carries its numbers as text for
 * screen readers (`role="img"` with a label) and shows them beside the bars.
 */
const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

export interface Bar {
  label: string;
  value: number;
  /** A class from console.css (`bar-ready`, `bar-failed`, …). */
  tone: string;
}

/** Horizontal bars, one row each, scaled to the largest value. */
export function barChart(title: string, bars: readonly Bar[]): SVGSVGElement {
  const row = 28;
  const labelWidth = 150;
  const width = 420;
  const barSpace = width - labelWidth - 50;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${bars.length * row + 4}`,
    role: 'img',
    'aria-label': `${title}: ${bars.map((b) => `${b.label} ${b.value}`).join(', ')}`,
    class: 'chart',
  });
  bars.forEach((bar, i) => {
    const y = i * row + 4;
    chart.append(
      svg('text', { x: 0, y: y + 15, class: 'chart-label' }, bar.label),
      svg('rect', {
        x: labelWidth,
        y,
        width: Math.max(bar.value > 0 ? 2 : 0, (bar.value / max) * barSpace),
        height: 20,
        rx: 3,
        class: `bar ${bar.tone}`,
      }),
      svg(
        'text',
        { x: labelWidth + (bar.value / max) * barSpace + 6, y: y + 15, class: 'chart-value' },
        String(bar.value),
      ),
    );
  });
  return chart;
}

/** A meter bar for "used of limit" (budgets). */
export function meter(label: string, used: number, limit: number): SVGSVGElement {
  const width = 300;
  const share = limit > 0 ? Math.min(1, used / limit) : 0;
  const chart = svg('svg', {
    viewBox: `0 0 ${width} 14`,
    role: 'img',
    'aria-label': `${label}: ${used} / ${limit}`,
    class: 'meter',
  });
  chart.append(
    svg('rect', { x: 0, y: 0, width, height: 14, rx: 7, class: 'meter-track' }),
    svg('rect', {
      x: 0,
      y: 0,
      width: share * width,
      height: 14,
      rx: 7,
      class: share >= 0.8 ? 'meter-fill meter-high' : 'meter-fill',
    }),
  );
  return chart;
}
