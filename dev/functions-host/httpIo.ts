/** Plumbing between node:http and the worker's RPC shapes: bodies, headers, cookies, JSON errors, keys. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RpcHttpCookie, RpcHttpData, RpcTypedData } from './functionsCoreStub';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export function keysEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function typedDataToBuffer(data: RpcTypedData | null | undefined): Buffer {
  if (!data) return Buffer.alloc(0);
  const view = data.bytes ?? data.stream;
  // ArrayBuffer.isView works across realms (the app may run outside jest's sandbox).
  if (view && ArrayBuffer.isView(view)) return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  if (typeof data.string === 'string') return Buffer.from(data.string, 'utf8');
  if (typeof data.json === 'string') return Buffer.from(data.json, 'utf8');
  if (typeof data.int === 'number') return Buffer.from(String(data.int));
  if (typeof data.double === 'number') return Buffer.from(String(data.double));
  return Buffer.alloc(0);
}

/** One queue message per value; an array (JSON) means several messages, as with the real binding. */
export function queueMessagesFrom(data: RpcTypedData): Buffer[] {
  if (typeof data.json === 'string') {
    const value: unknown = JSON.parse(data.json);
    if (Array.isArray(value)) {
      return value.map((item: unknown) =>
        Buffer.from(typeof item === 'string' ? item : JSON.stringify(item), 'utf8'),
      );
    }
    return [Buffer.from(data.json, 'utf8')];
  }
  return [typedDataToBuffer(data)];
}

export function formatCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const seconds = cookie.expires?.value?.seconds;
  if (typeof seconds === 'number') parts.push(`Expires=${new Date(seconds * 1000).toUTCString()}`);
  if (typeof cookie.maxAge?.value === 'number') parts.push(`Max-Age=${Math.trunc(cookie.maxAge.value)}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  if (cookie.sameSite === 'lax') parts.push('SameSite=Lax');
  else if (cookie.sameSite === 'strict') parts.push('SameSite=Strict');
  else if (cookie.sameSite === 'explicitNone') parts.push('SameSite=None');
  return parts.join('; ');
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': payload.length,
    ...headers,
  });
  res.end(payload);
}

export const hostError = (code: string, message: string) => ({ error: { code, message } });

export class BodyTooLargeError extends Error {}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function headerRecord(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** The caller as the App Service front end writes it: `1.2.3.4:5678` or `[::1]:5678`. */
export function forwardedHop(req: IncomingMessage): string | undefined {
  const address = req.socket.remoteAddress?.replace(/^::ffff:/, '');
  if (!address) return undefined;
  const port = req.socket.remotePort;
  const host = address.includes(':') ? `[${address}]` : address;
  return port === undefined ? host : `${host}:${port}`;
}

/** Writes the function's HTTP output; returns the status sent. */
export function writeHttpResponse(
  res: ServerResponse,
  data: RpcHttpData | undefined,
  method: string,
): number {
  if (!data) {
    // The handler returned nothing: an empty success.
    res.writeHead(204);
    res.end();
    return 204;
  }
  const status = Number.parseInt(data.statusCode ?? '200', 10) || 200;
  const headers: Record<string, string | string[]> = { ...(data.headers ?? {}) };
  const cookies = (data.cookies ?? []).map(formatCookie);
  if (cookies.length > 0) {
    const existing = headers['set-cookie'];
    headers['set-cookie'] = [
      ...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]),
      ...cookies,
    ];
  }
  const noBody = status === 204 || status === 304 || method === 'HEAD' || (status >= 100 && status < 200);
  const body = noBody ? Buffer.alloc(0) : typedDataToBuffer(data.body);
  delete headers['content-length'];
  delete headers['transfer-encoding'];
  res.writeHead(status, noBody ? headers : { ...headers, 'content-length': String(body.length) });
  res.end(noBody ? undefined : body);
  return status;
}
