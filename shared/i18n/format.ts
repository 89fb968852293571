/**
 * A tiny ICU MessageFormat subset, enough for our catalogue and small enough for the page bundle:
 *
 *   `{name}`                                     a parameter
 *   `{name, plural, =0 {…} one {…} other {…}}`   plural branches chosen with Intl.PluralRules; `#` is the number
 *
 * There is no apostrophe quoting (French and Dutch text is full of apostrophes) and no literal braces.
 * Messages are parsed once and cached; a malformed message throws, and a test parses every message.
 */

export type MessageParams = Readonly<Record<string, string | number>>;

/** One piece of a formatted message: literal text, or a parameter value the renderer may decorate. */
export type MessagePart = { type: 'text'; value: string } | { type: 'param'; name: string; value: string };

type Node =
  | { kind: 'text'; value: string }
  | { kind: 'arg'; name: string }
  | { kind: 'pound' }
  | { kind: 'plural'; name: string; branches: ReadonlyMap<string, Node[]> };

export class MessageSyntaxError extends Error {
  override name = 'MessageSyntaxError' as const;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SELECTOR = /^(=\d+|zero|one|two|few|many|other)$/;

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parseAll(): Node[] {
    const nodes = this.parseNodes(false);
    if (this.pos < this.src.length) this.fail('unexpected "}"');
    return nodes;
  }

  /** Reads until an unmatched `}` (left unconsumed) or the end. `#` is special only inside a plural branch. */
  private parseNodes(inPlural: boolean): Node[] {
    const nodes: Node[] = [];
    let text = '';
    const flush = () => {
      if (text) nodes.push({ kind: 'text', value: text });
      text = '';
    };
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos];
      if (ch === '}') break;
      if (ch === '{') {
        flush();
        nodes.push(this.parseArgument());
      } else if (ch === '#' && inPlural) {
        flush();
        nodes.push({ kind: 'pound' });
        this.pos++;
      } else {
        text += ch;
        this.pos++;
      }
    }
    flush();
    return nodes;
  }

  private parseArgument(): Node {
    this.expect('{');
    const name = this.readUntil(/[,}]/).trim();
    if (!NAME.test(name)) this.fail(`bad parameter name "${name}"`);
    if (this.src[this.pos] === '}') {
      this.pos++;
      return { kind: 'arg', name };
    }
    this.expect(',');
    const type = this.readUntil(/[,}]/).trim();
    if (type !== 'plural') this.fail(`unsupported argument type "${type}"`);
    this.expect(',');
    const branches = new Map<string, Node[]>();
    for (;;) {
      this.skipSpace();
      if (this.src[this.pos] === '}') break;
      const selector = this.readUntil(/[\s{}]/);
      if (!SELECTOR.test(selector)) this.fail(`bad plural selector "${selector}"`);
      if (branches.has(selector)) this.fail(`duplicate plural selector "${selector}"`);
      this.skipSpace();
      this.expect('{');
      branches.set(selector, this.parseNodes(true));
      this.expect('}');
    }
    this.expect('}');
    if (!branches.has('other')) this.fail(`plural "${name}" has no "other" branch`);
    return { kind: 'plural', name, branches };
  }

  private readUntil(stop: RegExp): string {
    const start = this.pos;
    while (this.pos < this.src.length && !stop.test(this.src[this.pos] ?? '')) this.pos++;
    return this.src.slice(start, this.pos);
  }

  private skipSpace(): void {
    while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
  }

  private expect(ch: string): void {
    if (this.src[this.pos] !== ch) this.fail(`expected "${ch}"`);
    this.pos++;
  }

  private fail(problem: string): never {
    throw new MessageSyntaxError(`${problem} at ${this.pos} in message: ${this.src}`);
  }
}

const parsed = new Map<string, Node[]>();

function parse(message: string): Node[] {
  let nodes = parsed.get(message);
  if (!nodes) {
    nodes = new Parser(message).parseAll();
    parsed.set(message, nodes);
  }
  return nodes;
}

/** Throws MessageSyntaxError when the message is not valid in our subset. */
export function validateMessage(message: string): void {
  parse(message);
}

/** Names of every parameter the message uses, including plural ones, sorted. */
export function messageParameters(message: string): string[] {
  const names = new Set<string>();
  const walk = (nodes: Node[]) => {
    for (const node of nodes) {
      if (node.kind === 'arg') names.add(node.name);
      if (node.kind === 'plural') {
        names.add(node.name);
        for (const branch of node.branches.values()) walk(branch);
      }
    }
  };
  walk(parse(message));
  return [...names].sort();
}

/** For each plural parameter, the selectors the message provides (e.g. `{ minutes: ['one', 'other'] }`). */
export function pluralSelectors(message: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const walk = (nodes: Node[]) => {
    for (const node of nodes) {
      if (node.kind !== 'plural') continue;
      out[node.name] = [...node.branches.keys()];
      for (const branch of node.branches.values()) walk(branch);
    }
  };
  walk(parse(message));
  return out;
}

// Intl objects are costly to build; there are only a handful of locales.
const pluralRules = new Map<string, Intl.PluralRules>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function pluralRulesFor(locale: string): Intl.PluralRules {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  return rules;
}

/**
 * Western digits in every locale: the code in the same email is Western digits, and the server and the
 * browser must print the same text whatever their ICU data says the Arabic default is.
 */
function formatNumber(locale: string, value: number): string {
  let format = numberFormats.get(locale);
  if (!format)
    numberFormats.set(locale, (format = new Intl.NumberFormat(locale, { numberingSystem: 'latn' })));
  return format.format(value);
}

function stringify(locale: string, value: string | number): string {
  return typeof value === 'number' ? formatNumber(locale, value) : value;
}

/**
 * Formats a message into parts so a renderer can treat parameter values specially (escape them, isolate
 * their direction, turn an address into a link). A missing parameter stays visible as `{name}`, so a
 * mistake shows up in tests instead of silently vanishing.
 */
export function formatMessageToParts(
  locale: string,
  message: string,
  params: MessageParams = {},
): MessagePart[] {
  const parts: MessagePart[] = [];
  const text = (value: string) => {
    const last = parts[parts.length - 1];
    if (last?.type === 'text') last.value += value;
    else if (value) parts.push({ type: 'text', value });
  };
  const emit = (nodes: Node[], pluralValue: number | undefined) => {
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          text(node.value);
          break;
        case 'pound':
          text(pluralValue === undefined ? '#' : formatNumber(locale, pluralValue));
          break;
        case 'arg': {
          const value = params[node.name];
          if (value === undefined) text(`{${node.name}}`);
          else parts.push({ type: 'param', name: node.name, value: stringify(locale, value) });
          break;
        }
        case 'plural': {
          const raw = params[node.name];
          const n = typeof raw === 'number' ? raw : Number(raw);
          if (raw === undefined || !Number.isFinite(n)) {
            text(`{${node.name}}`);
            break;
          }
          const branch =
            node.branches.get(`=${n}`) ??
            node.branches.get(pluralRulesFor(locale).select(n)) ??
            node.branches.get('other');
          emit(branch ?? [], n);
          break;
        }
      }
    }
  };
  emit(parse(message), undefined);
  return parts;
}

/** Formats a message to plain text (not HTML-safe: escaping is the renderer's job). */
export function formatMessage(locale: string, message: string, params?: MessageParams): string {
  return formatMessageToParts(locale, message, params)
    .map((part) => part.value)
    .join('');
}
