/**
 * A tiny element builder. Text always goes in through text nodes (never innerHTML), so nothing the API,
 * the URL or the configuration returns can become markup.
 */
export type Child = Node | string | false | null | undefined;
export type Attributes = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

/** Space-separated ids for aria-describedby, skipping the absent ones. */
export function ids(...values: (string | false | undefined)[]): string | undefined {
  const list = values.filter((v): v is string => typeof v === 'string' && v.length > 0);
  return list.length ? list.join(' ') : undefined;
}
