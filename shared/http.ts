/**
 * HTTP plumbing shared by every HTTP function: security headers, JSON bodies with limits, CORS, the client
 * IP, and the single mapping from errors to responses.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';

import type { ErrorBody } from './contracts/errors';
import { rateLimitSubject, UNKNOWN_CLIENT } from './domain/clientAddress';
import { AppError, ERRORS, isAppError } from './errors';
import type { Logger } from './log';

export const MAX_BODY_BYTES = 4096;

/** Sent on every API response (req 35, 37). */
export const API_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'Referrer-Policy': 'no-referrer',
};

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return {
    status,
    headers: { ...API_HEADERS, 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

export function errorResponse(error: AppError): HttpResponseInit {
  const headers: Record<string, string> = { ...error.options.headers };
  if (error.options.retryAfterSeconds !== undefined) {
    headers['Retry-After'] = String(Math.max(1, Math.ceil(error.options.retryAfterSeconds)));
  }
  const body: ErrorBody = { error: { code: error.code, message: error.message, ...error.options.details } };
  return json(error.status, body, headers);
}

/** Known errors keep their code and status; anything else is logged and answered with a bare 500. */
export function toHttpResponse(error: unknown, log: Logger): HttpResponseInit {
  if (isAppError(error)) return errorResponse(error);
  const err = error instanceof Error ? error : new Error(String(error));
  log.event('unhandled_error', { error: err.name, message: err.message }, 'error');
  return { status: 500, headers: { ...API_HEADERS } };
}

function isJsonContentType(value: string | null): boolean {
  if (!value) return false;
  const [type] = value.split(';');
  return type?.trim().toLowerCase() === 'application/json';
}

/**
 * Reads a JSON body: 413 above the limit, 415 unless `Content-Type: application/json` (which also forces
 * a CORS preflight for cross-site callers, req 39), 400 for malformed JSON or a schema mismatch.
 */
export async function readJsonBody<T>(
  req: HttpRequest,
  schema: z.ZodType<T>,
  options: { allowEmpty?: boolean; maxBytes?: number } = {},
): Promise<T> {
  const text = await readBodyText(req, options.maxBytes ?? MAX_BODY_BYTES);
  if (text.length === 0 && options.allowEmpty) return parseWith(schema, {});
  if (!isJsonContentType(req.headers.get('content-type'))) throw new AppError('unsupported_media_type');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError('invalid_request', 'The body is not valid JSON.');
  }
  return parseWith(schema, parsed);
}

/**
 * The body as UTF-8 text, read as a stream and abandoned as soon as it passes `maxBytes` (413), so an
 * oversized or endless chunked body is never held in memory whole (review L6). A declared Content-Length
 * over the limit is refused before reading anything.
 */
export async function readBodyText(req: HttpRequest, maxBytes: number): Promise<string> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw new AppError('payload_too_large');
  if (!req.body) return '';
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array | string };
    if (done || value === undefined) break;
    const chunk = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    size += chunk.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new AppError('payload_too_large');
    }
    chunks.push(chunk);
  }
  return new TextDecoder('utf-8').decode(Buffer.concat(chunks));
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
  throw new AppError('invalid_request', `The request is not valid: ${details}.`);
}

/**
 * The client for rate limits. Only the entry that our own trusted proxies appended counts: with
 * `trustedHops` proxies, the address `trustedHops` places from the right of X-Forwarded-For. Whatever a
 * client writes to the left of it changes nothing (req 18). The address is canonicalised, IPv6 to its /64
 * (shared/domain/clientAddress.ts); a missing or unparsable entry is the one limited subject `unknown`.
 */
export function clientIp(req: HttpRequest, trustedHops: number): string {
  if (trustedHops <= 0) return 'direct';
  const hops = (req.headers.get('x-forwarded-for') ?? '')
    .slice(0, 4096)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const entry = hops[hops.length - trustedHops];
  return entry ? rateLimitSubject(entry) : UNKNOWN_CLIENT;
}

/**
 * CORS for a configured list of exact origins only: never `*`, never `null`, never a reflection of an
 * arbitrary origin (req 38). Without configuration, no CORS headers at all.
 */
export function corsHeaders(req: HttpRequest, allowedOrigins: readonly string[]): Record<string, string> {
  const origin = req.headers.get('origin');
  if (!origin || origin === 'null' || !allowedOrigins.includes(origin.toLowerCase())) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': 'GET, POST',
    'Access-Control-Allow-Headers': 'Content-Type',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  };
}

/** The HTTP error catalogue entry for a status, for handlers that only know the status (404/405). */
export function plainError(code: keyof typeof ERRORS, message?: string): HttpResponseInit {
  return errorResponse(new AppError(code, message));
}
