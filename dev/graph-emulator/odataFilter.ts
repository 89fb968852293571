/**
 * The OData query options the emulator understands, pure (no HTTP, no state): a `$filter` parser that
 * compiles to a predicate over one resource's items, `$select` and `$top`.
 *
 * `$filter` grammar (case-insensitive keywords, `''` doubles a quote inside a literal):
 *   expr    := and ('or' and)*        and := unary ('and' unary)*       unary := 'not' unary | primary
 *   primary := '(' expr ')' | startswith(p, 's') | endswith(p, 's') | coll/any(x: x eq 's')
 *            | p (eq|ne) literal | datep (eq|ne|ge|le|gt|lt) 2024-01-01T00:00:00Z
 * `ne`, `not` and `endsWith` are reported in `advancedOperators`: Graph allows them on directory objects
 * only with advanced query parameters, which the caller checks. A bad clause throws Graph's 400.
 */
import { sameText } from './addressRules';
import { HttpProblem } from './http';

export type Predicate<T> = (item: T) => boolean;

/** How a resource's properties may be filtered; keys are lower-case property names. */
export interface FilterSchema<T> {
  /** The resource name Graph puts in its errors, e.g. 'User'. */
  resource: string;
  strings: Record<string, (item: T) => string | null>;
  booleans?: Record<string, { name: string; get: (item: T) => boolean }>;
  /** String collections that take `any(x: x eq '…')`. */
  collections?: Record<string, { name: string; get: (item: T) => readonly string[] }>;
  /** ISO 8601 timestamps that also take ge/le/gt/lt. */
  dates?: Record<string, (item: T) => string | null>;
}

export interface ParsedFilter<T> {
  predicate: Predicate<T>;
  /** Operators that only work with advanced query parameters, e.g. `endsWith`. */
  advancedOperators: string[];
}

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'date'; value: string }
  | { kind: 'word'; value: string }
  | { kind: 'punct'; value: '(' | ')' | ',' | ':' };

type Literal = string | boolean | null;

const DATE_LITERAL = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2}))?/;
const COMPARISONS = ['eq', 'ne', 'ge', 'le', 'gt', 'lt'];

function invalidFilter(detail: string): HttpProblem {
  return new HttpProblem(400, 'BadRequest', `Invalid filter clause: ${detail}`);
}

function unsupportedProperty(name: string, resource: string): HttpProblem {
  return new HttpProblem(
    400,
    'Request_UnsupportedQuery',
    `Unsupported or invalid query filter clause specified for property '${name}' of resource '${resource}'.`,
  );
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === "'") {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) throw invalidFilter('unterminated string literal.');
        const c = text[i] ?? '';
        if (c === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += c;
        i += 1;
      }
      tokens.push({ kind: 'string', value });
    } else if (ch === '(' || ch === ')' || ch === ',' || ch === ':') {
      tokens.push({ kind: 'punct', value: ch });
      i += 1;
    } else {
      // A timestamp has colons, so it is read whole before the word rule would split it.
      const date = DATE_LITERAL.exec(text.slice(i));
      const match = date ?? /^[A-Za-z0-9_$./@-]+/.exec(text.slice(i));
      if (!match) throw invalidFilter(`unexpected character '${ch}'.`);
      tokens.push({ kind: date ? 'date' : 'word', value: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

class FilterParser<T> {
  private pos = 0;
  readonly advancedOperators: string[] = [];
  constructor(
    private readonly tokens: Token[],
    private readonly schema: FilterSchema<T>,
  ) {}

  parse(): Predicate<T> {
    const predicate = this.orExpression();
    if (this.pos < this.tokens.length) throw invalidFilter('unexpected text after the expression.');
    return predicate;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const token = this.tokens[this.pos];
    if (!token) throw invalidFilter('the expression ends too early.');
    this.pos += 1;
    return token;
  }

  private isWord(value: string): boolean {
    const token = this.peek();
    return token?.kind === 'word' && token.value.toLowerCase() === value;
  }

  private expectPunct(value: string): void {
    const token = this.next();
    if (token.kind !== 'punct' || token.value !== value) throw invalidFilter(`expected '${value}'.`);
  }

  private orExpression(): Predicate<T> {
    const parts = [this.andExpression()];
    while (this.isWord('or')) {
      this.pos += 1;
      parts.push(this.andExpression());
    }
    return parts.length === 1 ? (parts[0] as Predicate<T>) : (u) => parts.some((p) => p(u));
  }

  private andExpression(): Predicate<T> {
    const parts = [this.unary()];
    while (this.isWord('and')) {
      this.pos += 1;
      parts.push(this.unary());
    }
    return parts.length === 1 ? (parts[0] as Predicate<T>) : (u) => parts.every((p) => p(u));
  }

  private unary(): Predicate<T> {
    if (this.isWord('not')) {
      this.pos += 1;
      this.advancedOperators.push('not');
      const inner = this.unary();
      return (u) => !inner(u);
    }
    return this.primary();
  }

  private literal(): Literal {
    const token = this.next();
    if (token.kind === 'string') return token.value;
    if (token.kind === 'word') {
      const word = token.value.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
    }
    throw invalidFilter('expected a literal value.');
  }

  private primary(): Predicate<T> {
    const token = this.next();
    if (token.kind === 'punct' && token.value === '(') {
      const inner = this.orExpression();
      this.expectPunct(')');
      return inner;
    }
    if (token.kind !== 'word') throw invalidFilter('expected a property name.');
    const word = token.value;
    const lower = word.toLowerCase();

    if (lower === 'startswith' || lower === 'endswith') return this.stringFunction(lower);

    const slash = lower.indexOf('/');
    if (slash !== -1) {
      const [collectionName, lambda] = [word.slice(0, slash), lower.slice(slash + 1)];
      const collection = this.schema.collections?.[collectionName.toLowerCase()];
      if (!collection) throw unsupportedProperty(collectionName, this.schema.resource);
      if (lambda !== 'any') throw invalidFilter(`'${lambda}' is not a supported lambda operator.`);
      return this.anyLambda(collection.name, collection.get);
    }

    const operatorToken = this.next();
    const operator = operatorToken.kind === 'word' ? operatorToken.value.toLowerCase() : '';
    const date = this.schema.dates?.[lower];
    if (!COMPARISONS.slice(0, date ? 6 : 2).includes(operator))
      throw invalidFilter(`unsupported operator after '${word}'.`);
    if (operator === 'ne') this.advancedOperators.push('ne');
    if (date) return this.dateComparison(word, operator, date);
    const negate = operator === 'ne';
    const value = this.literal();
    let test: Predicate<T>;
    const boolean = this.schema.booleans?.[lower];
    if (boolean) {
      if (typeof value !== 'boolean') throw invalidFilter(`'${boolean.name}' compares with true or false.`);
      test = (u) => boolean.get(u) === value;
    } else {
      const get = this.schema.strings[lower];
      if (!get) throw unsupportedProperty(word, this.schema.resource);
      if (typeof value === 'boolean') throw invalidFilter(`'${word}' compares with a string.`);
      test = (u) => {
        const actual = get(u);
        return value === null ? actual === null : sameText(actual, value);
      };
    }
    return negate ? (u) => !test(u) : test;
  }

  private dateComparison(word: string, operator: string, get: (item: T) => string | null): Predicate<T> {
    const token = this.next();
    const value = token.kind === 'date' ? Date.parse(token.value) : NaN;
    if (Number.isNaN(value)) throw invalidFilter(`'${word}' compares with a date and time.`);
    const compare: Record<string, (a: number) => boolean> = {
      eq: (a) => a === value,
      ne: (a) => a !== value,
      ge: (a) => a >= value,
      le: (a) => a <= value,
      gt: (a) => a > value,
      lt: (a) => a < value,
    };
    const test = compare[operator] ?? (() => false);
    return (u) => {
      const actual = get(u);
      return actual !== null && test(Date.parse(actual));
    };
  }

  private stringFunction(name: 'startswith' | 'endswith'): Predicate<T> {
    this.expectPunct('(');
    const propertyToken = this.next();
    if (propertyToken.kind !== 'word') throw invalidFilter('expected a property name.');
    const get = this.schema.strings[propertyToken.value.toLowerCase()];
    if (!get) throw unsupportedProperty(propertyToken.value, this.schema.resource);
    this.expectPunct(',');
    const value = this.literal();
    if (typeof value !== 'string') throw invalidFilter(`${name} compares with a string.`);
    this.expectPunct(')');
    if (name === 'endswith') this.advancedOperators.push('endsWith');
    const needle = value.toLowerCase();
    return (u) => {
      const actual = get(u)?.toLowerCase();
      if (actual === undefined) return false;
      return name === 'startswith' ? actual.startsWith(needle) : actual.endsWith(needle);
    };
  }

  private anyLambda(name: string, get: (item: T) => readonly string[]): Predicate<T> {
    this.expectPunct('(');
    const variable = this.next();
    if (variable.kind !== 'word') throw invalidFilter('expected a lambda variable.');
    this.expectPunct(':');
    const again = this.next();
    if (again.kind !== 'word' || again.value !== variable.value)
      throw invalidFilter(`expected '${variable.value}'.`);
    const operator = this.next();
    if (operator.kind !== 'word' || operator.value.toLowerCase() !== 'eq') {
      throw invalidFilter(`only 'eq' is supported inside ${name}/any in this emulator.`);
    }
    const value = this.literal();
    if (typeof value !== 'string') throw invalidFilter(`${name} compares with a string.`);
    this.expectPunct(')');
    return (u) => get(u).some((item) => sameText(item, value));
  }
}

export function parseFilter<T>(text: string, schema: FilterSchema<T>): ParsedFilter<T> {
  const parser = new FilterParser(tokenize(text), schema);
  const predicate = parser.parse();
  return { predicate, advancedOperators: parser.advancedOperators };
}

/**
 * `$select`: the named properties in the case the resource spells them, or `defaults` when absent.
 * An unknown name is Graph's 400 naming it and the type.
 */
export function parseSelect<P extends string>(
  raw: string | null,
  known: readonly P[],
  defaults: P[],
  typeName: string,
): P[] {
  if (raw === null || raw.trim() === '') return defaults;
  return raw.split(',').map((name) => {
    const wanted = name.trim().toLowerCase();
    const found = known.find((p) => p.toLowerCase() === wanted);
    if (!found)
      throw new HttpProblem(
        400,
        'BadRequest',
        `Could not find a property named '${name.trim()}' on type '${typeName}'.`,
      );
    return found;
  });
}

/** `$top`: 1–999, `fallback` when absent. */
export function parseTop(raw: string | null, fallback = 100): number {
  if (raw === null) return fallback;
  const top = Number(raw);
  if (!Number.isInteger(top) || top < 1 || top > 999) {
    throw new HttpProblem(
      400,
      'Request_BadRequest',
      `Invalid page size specified: '${raw}'. Must be between 1 and 999 inclusive.`,
    );
  }
  return top;
}
