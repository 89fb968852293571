/**
 * A local stand-in for the Azure Communication Services Email data plane, shaped like the REST API that
 * `@azure/communication-email` calls (`POST /emails:send` → 202 + `Operation-Location`,
 * `GET /emails/operations/{id}` → status). Real SDK requests hit it, so tests exercise the SDK's
 * serialisation, auth signing, retry policy and long-running-operation handling, not a mock of them.
 *
 * Like the service, it treats the `Operation-Id` request header as an idempotency key: a repeated id is
 * answered 202 again but does not count as a second delivered email. Faults (429 with Retry-After,
 * 5xx, hangs before or after accepting) can be queued for the next requests.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface RecordedAcsRequest {
  method: string;
  /** Path without the query string, e.g. `/emails:send`. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names, as node parses them. */
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON body, when there was one. */
  body: unknown;
  /** What the fake did with it. */
  outcome: 'accepted' | 'duplicate' | 'status' | 'fault' | 'rejected';
}

/** The ACS `EmailMessage` body as it travels on the wire. */
export interface AcsWireMessage {
  senderAddress: string;
  content: { subject: string; plainText?: string; html?: string };
  recipients: { to: Array<{ address: string; displayName?: string }>; cc?: unknown[]; bcc?: unknown[] };
  headers?: Record<string, string>;
  replyTo?: unknown[];
  attachments?: unknown[];
  userEngagementTrackingDisabled?: boolean;
  [key: string]: unknown;
}

export interface DeliveredAcsEmail {
  operationId: string;
  message: AcsWireMessage;
}

export type AcsOperationStatus = 'NotStarted' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled';

type Fault =
  | { type: 'status'; status: number; headers?: Record<string, string>; body?: unknown }
  /** Never answers; `accept` decides whether the send was processed first (a lost 202). */
  | { type: 'hang'; accept: boolean };

type Target = 'send' | 'status';

interface QueuedFault {
  target: Target;
  remaining: number;
  fault: Fault;
}

export interface FakeAcsServerOptions {
  /** Serve HTTPS with this key pair (for the bearer-token path, which the SDK refuses over http). */
  tls?: { key: string; cert: string };
  /** Status the first status check reports; default `Running` (what the real service says right after a send). */
  operationStatus?: AcsOperationStatus;
}

export class FakeAcsServer {
  readonly requests: RecordedAcsRequest[] = [];
  /** Accepted sends, one per distinct operation id. */
  readonly delivered: DeliveredAcsEmail[] = [];
  /** Base64 access key the fake checks HMAC signatures against (the one in `connectionString`). */
  readonly accessKey = randomBytes(32).toString('base64');
  operationStatus: AcsOperationStatus;

  private readonly operations = new Map<string, AcsWireMessage>();
  private readonly faults: QueuedFault[] = [];
  private readonly server: http.Server;
  private readonly scheme: 'http' | 'https';
  private port = 0;

  private constructor(options: FakeAcsServerOptions) {
    this.operationStatus = options.operationStatus ?? 'Running';
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(JSON.stringify({ error: { code: 'FakeServerBug', message: String(error) } }));
      });
    };
    this.scheme = options.tls ? 'https' : 'http';
    this.server = options.tls
      ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler)
      : http.createServer(handler);
  }

  static async start(options: FakeAcsServerOptions = {}): Promise<FakeAcsServer> {
    const fake = new FakeAcsServer(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', () => resolve());
    });
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get endpoint(): string {
    return `${this.scheme}://127.0.0.1:${this.port}/`;
  }

  /** ACS connection-string format; the SDK then signs every request with HMAC-SHA256 over `accessKey`. */
  get connectionString(): string {
    return `endpoint=${this.endpoint};accesskey=${this.accessKey}`;
  }

  /** Requests that tried to send (POST /emails:send), including faulted and duplicate ones. */
  get sendRequests(): RecordedAcsRequest[] {
    return this.requests.filter((r) => r.method === 'POST');
  }

  get statusRequests(): RecordedAcsRequest[] {
    return this.requests.filter((r) => r.method === 'GET');
  }

  /** The next `count` send requests get 429 with this Retry-After value (seconds or an HTTP date). */
  throttleNext(count: number, retryAfter: string | number | undefined, target: Target = 'send'): void {
    const headers = retryAfter === undefined ? undefined : { 'retry-after': String(retryAfter) };
    this.queueFault(count, target, {
      type: 'status',
      status: 429,
      headers,
      body: { error: { code: 'TooManyRequests', message: 'Rate limit exceeded.' } },
    });
  }

  /** The next `count` requests get this HTTP status with an ACS-style error body. */
  failNext(
    count: number,
    status: number,
    options: { target?: Target; code?: string; message?: string; headers?: Record<string, string> } = {},
  ): void {
    this.queueFault(count, options.target ?? 'send', {
      type: 'status',
      status,
      headers: options.headers,
      body: {
        error: { code: options.code ?? `Http${status}`, message: options.message ?? 'Injected failure.' },
      },
    });
  }

  /**
   * The next `count` requests are never answered. With `afterAccepting`, a send is processed (and
   * delivered) first, which simulates a 202 that the network lost.
   */
  hangNext(count: number, options: { target?: Target; afterAccepting?: boolean } = {}): void {
    this.queueFault(count, options.target ?? 'send', {
      type: 'hang',
      accept: options.afterAccepting ?? false,
    });
  }

  /** Drops every queued fault (an outage ends). */
  clearFaults(): void {
    this.faults.length = 0;
  }

  async stop(): Promise<void> {
    // Hung requests and SDK keep-alive sockets would otherwise hold close() open.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private queueFault(count: number, target: Target, fault: Fault): void {
    if (count > 0) this.faults.push({ target, remaining: count, fault });
  }

  private takeFault(target: Target): Fault | undefined {
    const queued = this.faults.find((f) => f.target === target);
    if (!queued) return undefined;
    queued.remaining -= 1;
    if (queued.remaining <= 0) this.faults.splice(this.faults.indexOf(queued), 1);
    return queued.fault;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? '/', this.endpoint);
    const record: RecordedAcsRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      rawBody,
      body: parseJson(rawBody),
      outcome: 'rejected',
    };
    this.requests.push(record);

    const authProblem = this.checkAuth(req, url, rawBody);
    if (authProblem) return sendJson(res, 401, { error: { code: 'Unauthorized', message: authProblem } });
    if (!url.searchParams.get('api-version')) {
      return sendJson(res, 400, {
        error: { code: 'MissingApiVersionParameter', message: 'api-version is required.' },
      });
    }

    if (req.method === 'POST' && url.pathname === '/emails:send') return this.handleSend(req, res, record);
    const statusMatch = /^\/emails\/operations\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && statusMatch?.[1])
      return this.handleStatus(res, record, decodeURIComponent(statusMatch[1]));
    return sendJson(res, 404, {
      error: { code: 'NotFound', message: `No route for ${req.method} ${url.pathname}` },
    });
  }

  private handleSend(req: http.IncomingMessage, res: http.ServerResponse, record: RecordedAcsRequest): void {
    const message = record.body as AcsWireMessage | undefined;
    if (!message || typeof message.senderAddress !== 'string' || !message.recipients || !message.content) {
      return sendJson(res, 400, {
        error: { code: 'InvalidRequest', message: 'Body is not an EmailMessage.' },
      });
    }
    const fault = this.takeFault('send');
    if (fault?.type === 'status') {
      record.outcome = 'fault';
      return sendJson(res, fault.status, fault.body, fault.headers);
    }
    const headerId = req.headers['operation-id'];
    const operationId = typeof headerId === 'string' && headerId !== '' ? headerId : randomUUID();
    if (fault?.type === 'hang' && !fault.accept) {
      record.outcome = 'fault';
      return; // never answered
    }
    if (this.operations.has(operationId)) {
      record.outcome = 'duplicate';
    } else {
      record.outcome = 'accepted';
      this.operations.set(operationId, message);
      this.delivered.push({ operationId, message });
    }
    if (fault?.type === 'hang') return; // processed, but the 202 is "lost"
    const location = `${this.endpoint}emails/operations/${operationId}?api-version=${record.query['api-version'] ?? ''}`;
    sendJson(
      res,
      202,
      { id: operationId, status: 'Running' },
      {
        'operation-location': location,
        'operation-id': operationId,
        // The service sends a polling hint; a client that honoured it here would block the send.
        'retry-after': '30',
      },
    );
  }

  private handleStatus(res: http.ServerResponse, record: RecordedAcsRequest, operationId: string): void {
    const fault = this.takeFault('status');
    if (fault?.type === 'status') {
      record.outcome = 'fault';
      return sendJson(res, fault.status, fault.body, fault.headers);
    }
    if (fault?.type === 'hang') {
      record.outcome = 'fault';
      return;
    }
    record.outcome = 'status';
    if (!this.operations.has(operationId)) {
      return sendJson(res, 404, { error: { code: 'NotFound', message: 'Unknown operation.' } });
    }
    const status = this.operationStatus;
    const body: Record<string, unknown> = { id: operationId, status };
    if (status === 'Failed')
      body['error'] = {
        code: 'EmailDroppedAllRecipientsSuppressed',
        message: 'Injected failure for the recipient.',
      };
    sendJson(
      res,
      200,
      body,
      status === 'Running' || status === 'NotStarted' ? { 'retry-after': '30' } : undefined,
    );
  }

  /** HMAC-SHA256 as the SDK computes it from the connection string's access key, or any bearer token. */
  private checkAuth(req: http.IncomingMessage, url: URL, rawBody: string): string | undefined {
    const authorization = req.headers.authorization;
    if (!authorization) return 'No Authorization header.';
    if (authorization.startsWith('Bearer '))
      return authorization.length > 'Bearer '.length ? undefined : 'Empty bearer token.';
    const match = /^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=(.+)$/.exec(
      authorization,
    );
    if (!match) return 'Unsupported Authorization scheme.';
    const date = req.headers['x-ms-date'];
    const contentHash = req.headers['x-ms-content-sha256'];
    if (typeof date !== 'string' || typeof contentHash !== 'string') return 'Signed headers missing.';
    if (createHash('sha256').update(rawBody).digest('base64') !== contentHash)
      return 'Content hash mismatch.';
    const query = url.searchParams.toString();
    const stringToSign = `${req.method ?? ''}\n${url.pathname}${query ? `?${query}` : ''}\n${date};${req.headers.host ?? ''};${contentHash}`;
    const expected = createHmac('sha256', Buffer.from(this.accessKey, 'base64'))
      .update(stringToSign)
      .digest('base64');
    return expected === match[1] ? undefined : 'Signature mismatch.';
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(payload);
}

/**
 * A throw-away self-signed certificate for 127.0.0.1/localhost (made with the openssl CLI), so tests can
 * run TLS servers and clients can trust exactly this certificate instead of turning verification off.
 */
export function createTestCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'rms-test-cert-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
