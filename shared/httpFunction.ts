import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';

import { API_HEADERS, corsHeaders, toHttpResponse } from './http';
import { createLogger, type Logger } from './log';
import { tracing } from './telemetry';

export type HttpHandler = (req: HttpRequest, ctx: InvocationContext) => Promise<HttpResponseInit>;
export type AppHttpHandler = (
  req: HttpRequest,
  log: Logger,
  ctx: InvocationContext,
) => Promise<HttpResponseInit>;

/**
 * Wraps an HTTP handler: a structured logger carrying the invocation id as correlation id, CORS for the
 * configured origins, `toHttpResponse` for anything thrown, and a server span per invocation (a child of
 * the host's trace context when the Functions instrumentation set one).
 */
export function httpFunction(handler: AppHttpHandler, cors: () => readonly string[] = () => []): HttpHandler {
  return (req, ctx) =>
    tracing.inSpan(
      `${req.method} ${ctx.functionName}`,
      {
        kind: 'server',
        attributes: { 'http.request.method': req.method, 'faas.invocation_id': ctx.invocationId },
      },
      () => run(req, ctx),
    );

  async function run(req: HttpRequest, ctx: InvocationContext): Promise<HttpResponseInit> {
    const log = createLogger(ctx, { function: ctx.functionName, correlationId: ctx.invocationId });
    let response: HttpResponseInit;
    try {
      // A CORS preflight: answered here, with CORS headers only for a configured origin.
      response =
        req.method === 'OPTIONS'
          ? { status: 204, headers: { ...API_HEADERS } }
          : await handler(req, log, ctx);
    } catch (error) {
      response = toHttpResponse(error, log);
    }
    const extra = safeCors(req, cors);
    return Object.keys(extra).length
      ? { ...response, headers: { ...(response.headers as object), ...extra } }
      : response;
  }
}

function safeCors(req: HttpRequest, cors: () => readonly string[]): Record<string, string> {
  try {
    return corsHeaders(req, cors());
  } catch {
    return {};
  }
}
