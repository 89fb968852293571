/**
 * The dev host's HTTP front: the app's HTTP functions under their routes (404/405/401/413 as the host
 * answers them) and the admin API (`POST /admin/functions/{name}`, `GET /admin/host/status`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegisteredFunction, RpcHttpData } from './functionsCoreStub';
import {
  BodyTooLargeError,
  DEFAULT_BODY_LIMIT,
  forwardedHop,
  headerRecord,
  hostError,
  keysEqual,
  readBody,
  sendJson,
  writeHttpResponse,
} from './httpIo';
import {
  errorMessage,
  outputValue,
  type InvocationInput,
  type InvocationResult,
  type LogSink,
} from './invoker';
import { isType, type FunctionRegistration, type HttpRoute } from './registrations';
import { matchRoute } from './routes';

export interface InvocationSummary {
  invocationId: string;
  outcome: 'Succeeded' | 'Failed';
  durationMs: number;
  error?: string;
}

/** What the front needs from the host that owns it. */
export interface HttpFrontHost {
  readonly url: string;
  readonly functionKey: string;
  readonly maxRequestBodyBytes: number | undefined;
  readonly appendForwardedFor: boolean | undefined;
  readonly routes: readonly HttpRoute[];
  readonly registrations: readonly FunctionRegistration[];
  readonly log: LogSink;
  findFunction(name: string): RegisteredFunction | undefined;
  registration(fn: RegisteredFunction): FunctionRegistration;
  invokeWithOutputs(
    fn: RegisteredFunction,
    input: InvocationInput,
  ): Promise<{ result: InvocationResult; outputError?: unknown }>;
  logInvocation(
    name: string,
    result: InvocationResult,
    ok: boolean,
    extra?: string,
    error?: unknown,
  ): InvocationSummary;
  runNonHttp(fn: RegisteredFunction, input: string | undefined): Promise<InvocationSummary>;
  /** Shifts the app's clock (dev host `clockModule`); undefined when the host has none. */
  setClockOffset(offsetMs: number | undefined): { offsetMs: number; now: string } | undefined;
  track<T>(work: Promise<T>): Promise<T>;
}

export class HttpFront {
  readonly #host: HttpFrontHost;

  constructor(host: HttpFrontHost) {
    this.#host = host;
  }

  private authorized(req: IncomingMessage, url: URL): boolean {
    const header = req.headers['x-functions-key'];
    const given = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('code') ?? undefined;
    return given !== undefined && keysEqual(given, this.#host.functionKey);
  }

  async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const base = this.#host.url;
      let url: URL;
      try {
        url = new URL(req.url ?? '/', base);
      } catch {
        sendJson(res, 400, hostError('invalid_request', 'The request URL is not valid.'));
        return;
      }
      if (/^\/admin(\/|$)/i.test(url.pathname)) {
        await this.handleAdmin(req, res, url);
        return;
      }
      await this.handleFunctionRequest(req, res, url);
    } catch (error) {
      this.#host.log('error', `HTTP ${req.method} ${req.url} failed in the host: ${errorMessage(error)}`);
      if (!res.headersSent)
        sendJson(res, 500, hostError('internal_error', 'The dev host failed to handle the request.'));
      else res.destroy();
    }
  }

  private async handleFunctionRequest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const candidates: { route: HttpRoute; params: Record<string, string> }[] = [];
    for (const route of this.#host.routes) {
      const params = matchRoute(route.route, url.pathname);
      if (params) candidates.push({ route, params });
    }
    if (candidates.length === 0) {
      sendJson(res, 404, hostError('not_found', `No function matches ${url.pathname}`));
      return;
    }
    // Candidates are already ordered most-specific first; the method is part of the match.
    const chosen = candidates.find((c) => c.route.methods === undefined || c.route.methods.includes(method));
    if (!chosen) {
      const allow = [...new Set(candidates.flatMap((c) => c.route.methods ?? []))].sort().join(', ');
      sendJson(res, 405, hostError('method_not_allowed', `${method} is not allowed on ${url.pathname}`), {
        allow,
      });
      req.resume();
      return;
    }
    const { route, params } = chosen;
    if (route.authLevel !== 'anonymous' && !this.authorized(req, url)) {
      sendJson(
        res,
        401,
        hostError('unauthorized', 'A valid function key is required (x-functions-key header or ?code=).'),
      );
      req.resume();
      return;
    }

    let body: Buffer;
    try {
      body = await readBody(req, this.#host.maxRequestBodyBytes ?? DEFAULT_BODY_LIMIT);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, hostError('payload_too_large', 'The request body is too large.'), {
          connection: 'close',
        });
        res.on('finish', () => req.destroy());
        return;
      }
      throw error;
    }

    const headers = headerRecord(req);
    if (this.#host.appendForwardedFor !== false) {
      const hop = forwardedHop(req);
      if (hop)
        headers['x-forwarded-for'] = headers['x-forwarded-for']
          ? `${headers['x-forwarded-for']}, ${hop}`
          : hop;
    }
    const requestData: RpcHttpData = {
      method,
      url: this.publicUrl(req, url),
      headers,
      params,
      ...(body.length > 0 ? { body: { bytes: body } } : {}),
    };
    const { result, outputError } = await this.#host.invokeWithOutputs(route.fn, {
      trigger: { http: requestData },
    });
    const name = route.fn.metadata.name;
    if (!result.ok || outputError !== undefined) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-length': 0 });
        res.end();
      }
      this.#host.logInvocation(name, result, false, ', Status=500', outputError);
      return;
    }

    const httpBinding = Object.entries(route.fn.metadata.bindings).find(
      ([, b]) => b.direction === 'out' && isType(b, 'http'),
    );
    const output = httpBinding ? outputValue(result.response, httpBinding[0]) : undefined;
    let status: number;
    try {
      status = writeHttpResponse(res, output?.http ?? undefined, method);
    } catch (error) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-length': 0 });
        res.end();
      }
      this.#host.logInvocation(name, result, false, ', Status=500', error);
      return;
    }
    this.#host.logInvocation(name, result, true, `, Status=${status}`);
  }

  /** The URL the function sees: the Host header when it is well-formed, else the listening address. */
  private publicUrl(req: IncomingMessage, url: URL): string {
    const host = req.headers.host;
    if (host && /^[A-Za-z0-9.\-[\]:]+$/.test(host)) {
      try {
        return new URL(`${url.pathname}${url.search}`, `http://${host}`).href;
      } catch {
        // fall through
      }
    }
    return url.href;
  }

  /** Dev-only: `GET /admin/clock`, `POST /admin/clock` `{"offsetMs": n}` (the app then sees now + n). */
  private async handleClock(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (method !== 'GET' && method !== 'POST') {
      req.resume();
      return sendJson(res, 405, hostError('method_not_allowed', 'Use GET or POST.'), { allow: 'GET, POST' });
    }
    let offsetMs: number | undefined;
    if (method === 'POST') {
      try {
        const parsed = JSON.parse((await readBody(req, 1024)).toString('utf8')) as { offsetMs?: unknown };
        if (typeof parsed.offsetMs !== 'number' || !Number.isFinite(parsed.offsetMs))
          throw new Error('offsetMs');
        offsetMs = parsed.offsetMs;
      } catch {
        return sendJson(res, 400, hostError('invalid_request', 'Send JSON like {"offsetMs": 86400000}.'));
      }
    } else req.resume();
    const clock = this.#host.setClockOffset(offsetMs);
    if (!clock) return sendJson(res, 404, hostError('not_found', 'This host has no clockModule.'));
    return sendJson(res, 200, clock);
  }

  private async handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    if (!this.authorized(req, url)) {
      req.resume();
      sendJson(
        res,
        401,
        hostError('unauthorized', 'The admin API needs the function key (x-functions-key header or ?code=).'),
      );
      return;
    }
    if (/^\/admin\/host\/status\/?$/i.test(url.pathname)) {
      req.resume();
      if (method !== 'GET')
        return sendJson(res, 405, hostError('method_not_allowed', 'Use GET.'), { allow: 'GET' });
      return sendJson(res, 200, {
        state: 'Running',
        version: 'dev-host',
        functions: this.#host.registrations.map((r) => r.name),
      });
    }
    if (/^\/admin\/clock\/?$/i.test(url.pathname)) return this.handleClock(req, res, method);
    const match = /^\/admin\/functions\/([^/]+)\/?$/i.exec(url.pathname);
    if (!match?.[1]) {
      req.resume();
      return sendJson(res, 404, hostError('not_found', `No admin endpoint ${url.pathname}`));
    }
    if (method !== 'POST') {
      req.resume();
      return sendJson(res, 405, hostError('method_not_allowed', 'Use POST.'), { allow: 'POST' });
    }
    const name = decodeURIComponent(match[1]);
    const fn = this.#host.findFunction(name);
    if (!fn) {
      req.resume();
      return sendJson(res, 404, hostError('not_found', `No function named ${name}`));
    }
    if (this.#host.registration(fn).trigger === 'http') {
      req.resume();
      return sendJson(
        res,
        400,
        hostError('invalid_request', `${name} is an HTTP function; call its route instead.`),
      );
    }
    let input: string | undefined;
    try {
      const raw = await readBody(req, this.#host.maxRequestBodyBytes ?? DEFAULT_BODY_LIMIT);
      if (raw.length > 0) {
        const parsed = JSON.parse(raw.toString('utf8')) as { input?: unknown };
        if (parsed.input !== undefined)
          input = typeof parsed.input === 'string' ? parsed.input : JSON.stringify(parsed.input);
      }
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return sendJson(res, 413, hostError('payload_too_large', 'The request body is too large.'));
      return sendJson(res, 400, hostError('invalid_request', 'Send JSON like {"input": "..."}.'));
    }
    // Like the real host: accepted now, run in the background.
    void this.#host.track(this.#host.runNonHttp(fn, input));
    res.writeHead(202, { 'content-length': 0 });
    res.end();
  }
}
