/**
 * ASP.NET-style route templates as the Functions host uses them for HTTP triggers: literal segments
 * (case-insensitive), `{name}`, `{name?}`, `{name=default}`, `{name:int}` constraints, catch-all
 * `{*rest}`, and segments mixing literals and parameters (`{name}.{ext}`). When several routes match a
 * path the most specific wins: literal > mixed > constrained parameter > parameter > catch-all.
 */

type Constraint = (value: string) => boolean;

interface ParamPart {
  kind: 'param';
  name: string;
  optional: boolean;
  defaultValue: string | undefined;
  catchAll: boolean;
  constraints: Constraint[];
}

interface LiteralSegment {
  kind: 'literal';
  value: string;
}

interface ParamSegment {
  kind: 'param';
  param: ParamPart;
}

interface ComplexSegment {
  kind: 'complex';
  regex: RegExp;
  params: ParamPart[];
}

type Segment = LiteralSegment | ParamSegment | ComplexSegment;

export interface CompiledRoute {
  template: string;
  segments: Segment[];
  /** One rank per segment (lower is more specific), compared left to right. */
  precedence: number[];
}

const GUID =
  /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$|^\{[0-9a-f-]{36}\}$|^\([0-9a-f-]{36}\)$/i;
const isNumber = (v: string) => v.trim() !== '' && Number.isFinite(Number(v));

function constraintFor(spec: string, template: string): Constraint {
  const match = /^([a-z]+)(?:\((.*)\))?$/i.exec(spec);
  if (!match) throw new Error(`Route "${template}": invalid constraint "${spec}"`);
  const name = (match[1] ?? '').toLowerCase();
  const args = match[2] === undefined ? [] : match[2].split(',').map((a) => a.trim());
  const num = (i: number) => Number(args[i]);
  switch (name) {
    case 'int':
    case 'long':
      return (v) => /^-?\d+$/.test(v);
    case 'bool':
      return (v) => /^(true|false)$/i.test(v);
    case 'guid':
      return (v) => GUID.test(v);
    case 'alpha':
      return (v) => /^[a-z]+$/i.test(v);
    case 'double':
    case 'float':
    case 'decimal':
      return isNumber;
    case 'datetime':
      return (v) => !Number.isNaN(Date.parse(v));
    case 'minlength':
      return (v) => v.length >= num(0);
    case 'maxlength':
      return (v) => v.length <= num(0);
    case 'length':
      return args.length === 1 ? (v) => v.length === num(0) : (v) => v.length >= num(0) && v.length <= num(1);
    case 'min':
      return (v) => isNumber(v) && Number(v) >= num(0);
    case 'max':
      return (v) => isNumber(v) && Number(v) <= num(0);
    case 'range':
      return (v) => isNumber(v) && Number(v) >= num(0) && Number(v) <= num(1);
    case 'regex': {
      const regex = new RegExp(args.join(','), 'i');
      return (v) => regex.test(v);
    }
    default:
      throw new Error(`Route "${template}": unknown constraint "${name}"`);
  }
}

/** Splits `name:c1:c2(x)` on colons that are not inside parentheses. */
function splitConstraints(inner: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of inner) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ':' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function parseParam(inner: string, template: string): ParamPart {
  let body = inner.trim();
  const catchAll = body.startsWith('*');
  body = body.replace(/^\*{1,2}/, '');
  let defaultValue: string | undefined;
  const eq = body.indexOf('=');
  if (eq >= 0) {
    defaultValue = body.slice(eq + 1);
    body = body.slice(0, eq);
  }
  let optional = false;
  if (body.endsWith('?')) {
    optional = true;
    body = body.slice(0, -1);
  }
  const [name = '', ...specs] = splitConstraints(body);
  if (!/^[A-Za-z_][\w-]*$/.test(name)) throw new Error(`Route "${template}": invalid parameter "{${inner}}"`);
  return {
    kind: 'param',
    name,
    optional: optional || defaultValue !== undefined || catchAll,
    defaultValue,
    catchAll,
    constraints: specs.map((s) => constraintFor(s, template)),
  };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function parseSegment(raw: string, template: string): Segment {
  const whole = /^\{([^{}]+)\}$/.exec(raw);
  if (whole?.[1] !== undefined) return { kind: 'param', param: parseParam(whole[1], template) };
  if (!raw.includes('{')) return { kind: 'literal', value: raw };

  const params: ParamPart[] = [];
  let pattern = '';
  let rest = raw;
  while (rest.length > 0) {
    const open = rest.indexOf('{');
    if (open < 0) {
      pattern += escapeRegex(rest);
      break;
    }
    pattern += escapeRegex(rest.slice(0, open));
    const close = rest.indexOf('}', open);
    if (close < 0) throw new Error(`Route "${template}": unbalanced "{" in "${raw}"`);
    const param = parseParam(rest.slice(open + 1, close), template);
    if (param.catchAll) throw new Error(`Route "${template}": a catch-all must be a whole segment`);
    params.push(param);
    pattern += param.optional ? '(.*?)' : '(.+?)';
    rest = rest.slice(close + 1);
  }
  return { kind: 'complex', regex: new RegExp(`^${pattern}$`, 'i'), params };
}

function rank(segment: Segment): number {
  if (segment.kind === 'literal') return 1;
  if (segment.kind === 'complex') return 2;
  if (segment.param.catchAll) return 5;
  return segment.param.constraints.length > 0 ? 3 : 4;
}

export function compileRoute(template: string): CompiledRoute {
  const segments = template
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => parseSegment(s, template));
  segments.forEach((segment, i) => {
    if (segment.kind === 'param' && segment.param.catchAll && i !== segments.length - 1) {
      throw new Error(`Route "${template}": a catch-all parameter must be the last segment`);
    }
  });
  return { template, segments, precedence: segments.map(rank) };
}

/** Joins the host's route prefix and a function's route into one template. */
export function fullTemplate(routePrefix: string, route: string): string {
  return [routePrefix, route]
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter((part) => part.length > 0)
    .join('/');
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Route values when `pathname` matches, otherwise undefined. */
export function matchRoute(route: CompiledRoute, pathname: string): Record<string, string> | undefined {
  const rawParts = pathname.split('/').filter((s) => s.length > 0);
  const parts = rawParts.map(decodeSegment);
  const values: Record<string, string> = {};
  let i = 0;
  for (const segment of route.segments) {
    const part = parts[i];
    if (segment.kind === 'literal') {
      if (part === undefined || part.toLowerCase() !== segment.value.toLowerCase()) return undefined;
      i++;
    } else if (segment.kind === 'complex') {
      if (part === undefined) return undefined;
      const m = segment.regex.exec(part);
      if (!m) return undefined;
      for (const [k, param] of segment.params.entries()) {
        const value = m[k + 1] ?? '';
        if (value === '' && !param.optional) return undefined;
        if (value !== '' && !param.constraints.every((c) => c(value))) return undefined;
        values[param.name] = value === '' ? (param.defaultValue ?? '') : value;
      }
      i++;
    } else {
      const { param } = segment;
      if (param.catchAll) {
        const rest = rawParts.slice(i).map(decodeSegment).join('/');
        if (rest !== '' && !param.constraints.every((c) => c(rest))) return undefined;
        if (rest !== '' || param.defaultValue !== undefined)
          values[param.name] = rest || (param.defaultValue ?? '');
        i = parts.length;
      } else if (part === undefined) {
        if (!param.optional) return undefined;
        if (param.defaultValue !== undefined) values[param.name] = param.defaultValue;
      } else {
        if (!param.constraints.every((c) => c(part))) return undefined;
        values[param.name] = part;
        i++;
      }
    }
  }
  return i === parts.length ? values : undefined;
}

/** Negative when `a` is more specific than `b`. */
export function compareRoutes(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i++) {
    // Like ASP.NET's inbound precedence, a route that ends earlier wins: for `/a`, `a` beats `a/{x?}`.
    const ra = a.precedence[i] ?? 0;
    const rb = b.precedence[i] ?? 0;
    if (ra !== rb) return ra - rb;
  }
  return 0;
}
