/** What every console view shares: its context and the small builders for headings, tables and dates. */
import { type Child, h } from '../dom';
import type { AdminApi } from './api';
import type { Translate } from './strings';

export interface ViewContext {
  api: AdminApi;
  t: Translate;
  locale: string;
  canWrite: boolean;
  /** Announces a message in the live region. */
  announce(message: string): void;
  /** Shows an API error (401 signs out). */
  fail(error: unknown): void;
}

export const heading = (text: string) => h('h1', { tabindex: -1 }, text);

export function table(caption: string, head: string[], rows: Child[][]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: 0 },
    h(
      'table',
      {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
    ),
  );
}

export function when(ctx: ViewContext, iso: string | undefined): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat(ctx.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(
    new Date(iso),
  );
}
