/**
 * The request pipeline and routing table. Graph routes (under /v1.0) are logged, need a bearer token, may
 * meet an injected fault and spend the write budget, in that order; open routes (the redeem page, the
 * /_emulator controls) skip all of that. A resource module adds its routes with `graph(...)`, so a new
 * Graph area is one new module.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { defaultErrorCode, HttpProblem, sendError, type Exchange, type Handler, type Params } from './http';
import type { GraphEmulatorState, RequestLogEntry } from './state';

interface Route {
  /** Path segments; `{name}` matches any one segment. */
  segments: string[];
  methods: Map<string, Handler>;
}

const LOGGED_HEADERS = [
  'x-ms-throttle-priority',
  'consistencylevel',
  'client-request-id',
  'retry-attempt',
  'content-type',
];

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function isParam(segment: string): boolean {
  return segment.startsWith('{') && segment.endsWith('}');
}

function match(route: Route, segments: string[]): Params | undefined {
  if (route.segments.length !== segments.length) return undefined;
  const params: Params = {};
  for (const [i, pattern] of route.segments.entries()) {
    const actual = segments[i] ?? '';
    if (isParam(pattern)) params[pattern.slice(1, -1)] = actual;
    else if (pattern !== actual) return undefined;
  }
  return params;
}

/** Negative when `a` is more specific: a literal segment beats a parameter at the first place they differ. */
function bySpecificity(a: Route, b: Route): number {
  for (const [i, segment] of a.segments.entries()) {
    const diff = Number(isParam(segment)) - Number(isParam(b.segments[i] ?? ''));
    if (diff !== 0) return diff;
  }
  return 0;
}

function pickHeaders(req: IncomingMessage): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of LOGGED_HEADERS) {
    const value = req.headers[name];
    if (value !== undefined) picked[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return picked;
}

function decodedQuery(url: URL): string {
  try {
    return decodeURIComponent(url.search.slice(1).replace(/\+/g, ' '));
  } catch {
    return url.search.slice(1);
  }
}

export class Router {
  private readonly routes: Route[] = [];
  private readonly openRoutes = new Map<string, Handler>();
  private readonly openPrefixes: Array<{ prefix: string; handler: Handler }> = [];

  constructor(
    private readonly state: GraphEmulatorState,
    private readonly delay: (ms: number) => Promise<void>,
    private readonly baseUrl: () => string,
  ) {}

  /** A Graph API route, e.g. `graph('GET', '/v1.0/users/{id}', handler)`. */
  graph(method: string, pattern: string, handler: Handler): this {
    const segments = splitPath(pattern);
    let route = this.routes.find((r) => r.segments.join('/') === segments.join('/'));
    if (!route) {
      route = { segments, methods: new Map() };
      this.routes.push(route);
      this.routes.sort(bySpecificity);
    }
    route.methods.set(method.toUpperCase(), handler);
    return this;
  }

  /** An exact path served without auth, logging, faults or budget; other methods go to the Graph table. */
  open(method: string, path: string, handler: Handler): this {
    this.openRoutes.set(`${method.toUpperCase()} ${path}`, handler);
    return this;
  }

  /** Every path under `prefix` (all methods), served without auth, logging, faults or budget. */
  openPrefix(prefix: string, handler: Handler): this {
    this.openPrefixes.push({ prefix, handler });
    return this;
  }

  listener(): RequestListener {
    return (req, res) => {
      const ex = this.exchangeFor(req, res);
      this.handle(ex).catch((error: unknown) => {
        const problem =
          error instanceof HttpProblem
            ? error
            : new HttpProblem(
                500,
                'InternalServerError',
                `Emulator error: ${error instanceof Error ? error.message : String(error)}`,
              );
        sendError(ex, problem);
      });
    };
  }

  private exchangeFor(req: IncomingMessage, res: ServerResponse): Exchange {
    const url = new URL(req.url ?? '/', this.baseUrl());
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      path = url.pathname;
    }
    const requestId = randomUUID();
    const clientRequestId = (req.headers['client-request-id'] ?? requestId).toString();
    return { req, res, method: (req.method ?? 'GET').toUpperCase(), url, path, requestId, clientRequestId };
  }

  private async handle(ex: Exchange): Promise<void> {
    const { req, res, method, path } = ex;
    const prefixed = this.openPrefixes.find((p) => path.startsWith(p.prefix));
    if (prefixed) return prefixed.handler(ex, {});
    const open = this.openRoutes.get(`${method} ${path}`);
    if (open) return open(ex, {});

    const entry: RequestLogEntry = {
      method,
      path,
      query: decodedQuery(ex.url),
      status: 0,
      time: new Date().toISOString(),
      headers: pickHeaders(req),
    };
    this.state.log(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });

    // Not a security boundary: any non-empty bearer token passes.
    if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? '')) {
      throw new HttpProblem(401, 'InvalidAuthenticationToken', 'Access token is empty.', undefined, {
        'WWW-Authenticate': 'Bearer',
      });
    }
    if (await this.applyFault(ex)) return;
    if (method !== 'GET' && method !== 'HEAD') this.spendWriteBudget(res);
    await this.dispatch(ex);
  }

  /** True when the fault dropped the connection (nothing more to do). */
  private async applyFault(ex: Exchange): Promise<boolean> {
    const fault = this.state.takeFault(ex.method, ex.path);
    if (!fault) return false;
    if (fault.delayMs) await this.delay(fault.delayMs);
    if (fault.dropConnection) {
      ex.req.socket.destroy();
      return true;
    }
    if (fault.status !== undefined) {
      throw new HttpProblem(
        fault.status,
        fault.code ?? defaultErrorCode(fault.status),
        fault.message ?? `Injected fault (${fault.status}).`,
        undefined,
        fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {},
      );
    }
    return false;
  }

  private spendWriteBudget(res: ServerResponse): void {
    const budget = this.state.takeWrite(Date.now());
    if (!budget.ok) {
      throw new HttpProblem(
        429,
        'TooManyRequests',
        'Too many requests. Please retry after the number of seconds in the Retry-After header.',
        undefined,
        {
          'Retry-After': String(budget.retryAfterSeconds),
          'x-ms-throttle-scope': `Tenant_Application/Write/emulator/${this.state.tenantId}`,
          'x-ms-throttle-information': 'WriteLimitExceeded',
        },
      );
    }
    // Graph sends this header once usage passes 80% of a limit (an early warning the service can alert on).
    if (budget.usedFraction !== undefined && budget.usedFraction >= 0.8) {
      res.setHeader('x-ms-throttle-limit-percentage', budget.usedFraction.toFixed(2));
    }
  }

  private async dispatch(ex: Exchange): Promise<void> {
    const segments = splitPath(ex.path);
    if (segments[0] !== 'v1.0' && segments[0] !== 'beta')
      throw new HttpProblem(400, 'BadRequest', `Invalid version: ${segments[0] ?? ''}`);
    for (const route of this.routes) {
      const params = match(route, segments);
      if (!params) continue;
      const handler = route.methods.get(ex.method);
      if (!handler) {
        throw new HttpProblem(
          405,
          'Request_BadRequest',
          'Specified HTTP method is not allowed for the request target.',
        );
      }
      return handler(ex, params);
    }
    throw new HttpProblem(
      400,
      'BadRequest',
      `Resource not found for the segment '${segments[segments.length - 1] ?? ''}'.`,
    );
  }
}

/** What a resource module gets besides the router. */
export interface EmulatorContext {
  state: GraphEmulatorState;
  /** The emulator's own origin, known once it listens. */
  baseUrl(): string;
}

/** A Graph resource area: registers its routes, nothing else. */
export type RouteModule = (router: Router, context: EmulatorContext) => void;
