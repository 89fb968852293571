/** HTTP helpers every route module uses: Graph's error shape, JSON replies and request bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Thrown anywhere in a handler; the router answers it in Graph's error format. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Array<{ code: string; message: string; target?: string }>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** One request in flight. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: URL;
  /** Decoded path without the query string. */
  path: string;
  requestId: string;
  clientRequestId: string;
}

export type Params = Record<string, string>;
export type Handler = (ex: Exchange, params: Params) => void | Promise<void>;

const JSON_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
const MAX_BODY_BYTES = 1_000_000;

function graphDate(): string {
  return new Date().toISOString().slice(0, 19);
}

/** `body` undefined sends an empty reply (204s). */
export function sendJson(
  ex: Exchange,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (ex.res.headersSent || ex.res.destroyed) return;
  const payload = body === undefined ? '' : JSON.stringify(body);
  ex.res.writeHead(status, {
    ...(body === undefined ? {} : { 'Content-Type': JSON_TYPE }),
    'request-id': ex.requestId,
    'client-request-id': ex.clientRequestId,
    ...headers,
  });
  ex.res.end(payload);
}

export function sendText(ex: Exchange, status: number, text: string): void {
  if (ex.res.headersSent) return;
  ex.res.writeHead(status, {
    'Content-Type': 'text/plain;charset=utf-8',
    'request-id': ex.requestId,
    'client-request-id': ex.clientRequestId,
  });
  ex.res.end(text);
}

export function sendError(ex: Exchange, problem: HttpProblem): void {
  sendJson(
    ex,
    problem.status,
    {
      error: {
        code: problem.code,
        message: problem.message,
        ...(problem.details ? { details: problem.details } : {}),
        innerError: {
          date: graphDate(),
          'request-id': ex.requestId,
          'client-request-id': ex.clientRequestId,
        },
      },
    },
    problem.headers,
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpProblem(413, 'RequestEntityTooLarge', 'The request body is too large.');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpProblem(
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpProblem(400, 'BadRequest', 'The request payload must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** The code Graph uses for a status when an injected fault names none. */
export function defaultErrorCode(status: number): string {
  const codes: Record<number, string> = {
    400: 'BadRequest',
    401: 'InvalidAuthenticationToken',
    403: 'Authorization_RequestDenied',
    404: 'Request_ResourceNotFound',
    409: 'Conflict',
    429: 'TooManyRequests',
    500: 'InternalServerError',
    502: 'BadGateway',
    503: 'ServiceNotAvailable',
    504: 'GatewayTimeout',
  };
  return codes[status] ?? 'UnknownError';
}

export function notFound(id: string): HttpProblem {
  return new HttpProblem(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

export function badRequest(message: string): HttpProblem {
  return new HttpProblem(400, 'BadRequest', message);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
