/**
 * A counting HTTP proxy in front of one Azurite service (Table or Queue): the app is given a connection
 * string whose endpoint is the proxy, so every storage request it makes — the services' reads and writes,
 * the host's queue polling, retries by the SDK — is seen and classified without touching app code.
 * Queue receives are told apart by their answer: one that returned messages, or an empty poll.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type StorageService = 'table' | 'queue';

export interface StorageCall {
  service: StorageService;
  /** e.g. `get`, `insert`, `replace-if-match`, `upsert-merge`, `query`, `send`, `receive`, `receive-empty`, `delete`. */
  op: string;
  /** Table or queue name. */
  resource: string;
  status: number;
  /** Date.now() when the request arrived. */
  at: number;
}

const ACCOUNT_PATH = /^\/[^/]+\/([^/?(]+)(\([^)]*\))?(\/[^?]*)?/;

/** What a Table request is, from its method, path and headers. */
export function classifyTable(
  method: string,
  path: string,
  headers: http.IncomingHttpHeaders,
): { op: string; resource: string } {
  const match = ACCOUNT_PATH.exec(path);
  const resource = match?.[1] ?? '?';
  const keyed = match?.[2] !== undefined;
  const ifMatch = headers['if-match'];
  // An ETag: a conditional write; `*`: must exist; none: an upsert.
  const cond = ifMatch === undefined ? 'upsert-' : '';
  const suffix = ifMatch !== undefined && ifMatch !== '*' ? '-if-match' : '';
  if (resource === 'Tables') return { op: method === 'POST' ? 'create-table' : 'list-tables', resource };
  if (resource === '$batch') return { op: 'batch', resource };
  const verb = (headers['x-http-method'] as string | undefined)?.toUpperCase() ?? method;
  if (!keyed)
    return { op: verb === 'POST' ? 'insert' : verb === 'GET' ? 'query' : verb.toLowerCase(), resource };
  switch (verb) {
    case 'GET':
      return { op: 'get', resource };
    case 'PUT':
      return { op: `${cond}replace${suffix}`, resource };
    case 'PATCH':
    case 'MERGE':
      return { op: `${cond}merge${suffix}`, resource };
    case 'DELETE':
      return { op: 'delete', resource };
    default:
      return { op: verb.toLowerCase(), resource };
  }
}

/** What a Queue request is (receives are refined to `receive-empty` once the answer is seen). */
export function classifyQueue(
  method: string,
  path: string,
  query: URLSearchParams,
): { op: string; resource: string } {
  const match = ACCOUNT_PATH.exec(path);
  const resource = match?.[1] ?? '?';
  const rest = match?.[3] ?? '';
  if (rest === '' || rest === '/') {
    if (query.get('comp') === 'metadata')
      return { op: method === 'GET' ? 'properties' : 'set-metadata', resource };
    if (query.get('comp') === 'list') return { op: 'list-queues', resource };
    return {
      op: method === 'PUT' ? 'create-queue' : method === 'DELETE' ? 'delete-queue' : method.toLowerCase(),
      resource,
    };
  }
  if (/^\/messages\/?$/.test(rest)) {
    if (method === 'GET') return { op: query.get('peekonly') === 'true' ? 'peek' : 'receive', resource };
    if (method === 'POST') return { op: 'send', resource };
    if (method === 'DELETE') return { op: 'clear', resource };
  }
  if (/^\/messages\/[^/]+$/.test(rest)) {
    if (method === 'DELETE') return { op: 'delete', resource };
    if (method === 'PUT') return { op: 'update', resource };
  }
  return { op: method.toLowerCase(), resource };
}

export class CountingProxy {
  readonly calls: StorageCall[] = [];
  port = 0;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  private readonly server: http.Server;

  private constructor(
    readonly service: StorageService,
    private readonly targetPort: number,
  ) {
    this.server = http.createServer((req, res) => this.forward(req, res));
    this.server.keepAliveTimeout = 5000;
  }

  /** Listens on a free loopback port and forwards to 127.0.0.1:targetPort. */
  static async start(service: StorageService, targetPort: number, port = 0): Promise<CountingProxy> {
    const proxy = new CountingProxy(service, targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(port, '127.0.0.1', () => resolve());
    });
    proxy.port = (proxy.server.address() as AddressInfo).port;
    return proxy;
  }

  /** Forgets what was counted so far. */
  reset(): void {
    this.calls.length = 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.agent.destroy();
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const method = (req.method ?? 'GET').toUpperCase();
    const { op, resource } =
      this.service === 'table'
        ? classifyTable(method, url.pathname, req.headers)
        : classifyQueue(method, url.pathname, url.searchParams);
    const call: StorageCall = { service: this.service, op, resource, status: 0, at: Date.now() };
    this.calls.push(call);
    const isReceive = op === 'receive';

    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: this.targetPort,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: this.agent,
      },
      (answer) => {
        call.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (!isReceive) {
          answer.pipe(res);
          return;
        }
        // A receive's body says whether the poll found work: keep it to look, then pass it on.
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          res.write(chunk);
        });
        answer.on('end', () => {
          if (!Buffer.concat(chunks).toString('utf8').includes('<QueueMessage>')) call.op = 'receive-empty';
          res.end();
        });
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('error', () => {
      call.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-length': 0 });
      res.end();
    });
    req.pipe(upstream);
  }
}

/** Counts calls by `service op resource` (or a coarser key), sorted by count. */
export function tally(
  calls: readonly StorageCall[],
  key: (c: StorageCall) => string = (c) => `${c.service} ${c.op} ${c.resource}`,
): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(key(call), (counts.get(key(call)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
