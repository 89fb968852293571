/**
 * Fuzzing (req 33): fast-check over every public endpoint of the compiled app, over real HTTP, against the
 * dev host as a child process (dev/functions-host/hostMain.ts, the same plumbing as the soak and the fault suite).
 * FUZZ_HTTP_RUNS requests per endpoint (default 10,000): random, huge and empty bodies, JSON and not, random
 * content types, header values, path ids and page names (unicode, percent-encoded, raw bytes, malformed
 * escapes) and wrong methods. Asserts: no 5xx, no connection error except where the server refuses the
 * request at the protocol level on purpose, the process stays up, and the heap in use after a full GC does
 * not grow between a warm-up and the end.
 *
 * Requests are drawn with fc.sample from a fixed seed (FUZZ_HTTP_SEED to explore others), so a failure is
 * reproduced by the same seed, endpoint and index; each failure prints its request.
 */
import { rmSync } from 'node:fs';
import http from 'node:http';

import fc from 'fast-check';

import { MEMORY_PREFIX, prepareAppRoot } from '../../dev/functions-host/hostMain';
import { freePort } from '../../dev/stack/processes';
import { appSettings, type HostProcess, REPO_ROOT, spawnHost } from '../../dev/stack/hostProcess';
import { createTablesAndQueues } from '../../dev/stack/storage';
import { scanLines, type ScrubFinding, type ScrubRules } from '../support/logScrubScan';
import { createTableClient } from '../../shared/adapters/storageClients';
import { TableAddressStore, TableSignupStore } from '../../shared/adapters/tableStores';
import { hashCode, keyedHash, newSignupId } from '../../shared/domain/codes';
import { type FlowLimits, newFlow, type SignupFlow, transition } from '../../shared/domain/signupFlow';
import { TABLES } from '../../shared/storageNames';
import { WebAssets, findWebRoot } from '../../shared/web/assets';
import { azuriteConnectionString } from '../support/azurite';

const RUNS = Number(process.env.FUZZ_HTTP_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_HTTP_SEED ?? 20261126);
const WARM_UP = Math.min(1_000, RUNS);
/** Requests in flight: enough to keep both vCPUs busy, few enough that latency stays far below the timeout. */
const CONCURRENCY = 12;
const REQUEST_TIMEOUT_MS = 30_000;
/** The dev host's body limit (dev/functions-host/httpIo.ts DEFAULT_BODY_LIMIT): above it the host answers 413 and closes. */
const HOST_BODY_LIMIT = 1024 * 1024;
/** Node's default --max-http-header-size: a longer request head is refused with 431 and a closed socket. */
const NODE_HEADER_LIMIT = 16 * 1024;
/**
 * Heap in use after a full GC may grow this much between the warm-up and the end. Measured on 2 vCPUs:
 * +4.8 MiB after 8 × 10,000 requests and +4.2 MiB after 8 × 20,000, so the growth is caches filling once
 * (storage SDK pipelines and connections, the rendered page per locale and encoding, optimised code), not
 * a cost per request. A leak of 100 bytes per request would add about 8 MiB over 80,000 requests on top of
 * that and fail; the margin over the measured growth (2×) absorbs GC timing noise.
 */
const HEAP_GROWTH_LIMIT_MIB = 10;
const CORS_ORIGIN = 'https://files.fabrikam.example';
/** The code of every seeded flow that waits for one; the fuzzer sends it now and then. */
const SEEDED_CODE = '424242';

const ENDPOINTS = [
  'start',
  'verify',
  'resend',
  'status',
  'health',
  'landing',
  'assets',
  'cspReports',
] as const;
type Endpoint = (typeof ENDPOINTS)[number];

type BodySpec =
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; base64: string }
  /** `prefix + unit × count + suffix`: huge bodies without huge descriptions. */
  | { kind: 'repeat'; prefix: string; unit: string; count: number; suffix: string };

interface FuzzRequest {
  endpoint: Endpoint;
  index: number;
  method: string;
  /** As sent on the request line; characters U+0080–U+00FF stand for raw bytes. */
  path: string;
  headers: Array<[string, string]>;
  body: BodySpec;
  /** Transfer-Encoding: chunked instead of Content-Length. */
  chunked: boolean;
}

/** `previous`: the request sent before on the same keep-alive connection, which may be the culprit. */
type Outcome = { status: number; body: string } | { error: string; previous: string };

// ---- the host ------------------------------------------------------------------------------------------

let host: HostProcess | undefined;
let appRoot: string | undefined;
let baseUrl: URL;
const hostErrors: string[] = [];
/** Warning-level app events seen in the host log (which paths the fuzzing reached), by name. */
const hostEvents = new Map<string, number>();
const memoryWaiters: Array<(heapUsed: number) => void> = [];
/** Stored sign-ups in every state, so verify, resend and status also reach real flows. */
const knownIds: string[] = [];
let assetNames: string[] = [];
const heap: { warm?: number; end?: number } = {};

const out = (line: string) => process.stdout.write(`[httpFuzz] ${line}\n`);

const scrubFindings: ScrubFinding[] = [];
let scrubRules: ScrubRules = { secrets: [], allowedAddresses: [] };

function onHostLine(line: string): void {
  if (line.startsWith(MEMORY_PREFIX)) {
    const memory = JSON.parse(line.slice(MEMORY_PREFIX.length)) as { heapUsed: number };
    memoryWaiters.shift()?.(memory.heapUsed);
    return;
  }
  const event = /"event":"([a-z_]+)"/.exec(line)?.[1];
  if (event) {
    hostEvents.set(event, (hostEvents.get(event) ?? 0) + 1);
    // The app's own events are scrubbed like the rest of the suite's (test/support/logScrub.ts).
    if (scrubFindings.length < 20) scrubFindings.push(...scanLines([line], 'host', scrubRules));
  }
  // A failed invocation or a host failure is logged at error level; keep a few for the failure message.
  if (/^(error|critical) /.test(line) && hostErrors.length < 50) hostErrors.push(line.slice(0, 400));
}

const hostAlive = () => host !== undefined && host.child.exitCode === null && host.child.signalCode === null;

/** Heap in use right after a full GC (the host runs with --expose-gc), in MiB; the least of three. */
async function heapAfterGcMiB(): Promise<number> {
  const child = host?.child;
  if (!child || !hostAlive()) throw new Error('the host is not running');
  const readings: number[] = [];
  for (let i = 0; i < 3; i++) {
    const reading = new Promise<number>((resolve, reject) => {
      const waiter = (value: number) => {
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        const at = memoryWaiters.indexOf(waiter);
        if (at >= 0) memoryWaiters.splice(at, 1);
        reject(new Error('no memory line from the host within 10 s'));
      }, 10_000);
      memoryWaiters.push(waiter);
    });
    child.kill('SIGUSR2');
    readings.push((await reading) / 2 ** 20);
  }
  return Math.min(...readings);
}

// ---- sending -------------------------------------------------------------------------------------------

function bodyBytes(spec: BodySpec): Buffer | undefined {
  switch (spec.kind) {
    case 'none':
      return undefined;
    case 'text':
      return Buffer.from(spec.text, 'utf8');
    case 'bytes':
      return Buffer.from(spec.base64, 'base64');
    case 'repeat':
      return Buffer.from(spec.prefix + spec.unit.repeat(spec.count) + spec.suffix, 'utf8');
  }
}

function bodyLength(spec: BodySpec): number {
  if (spec.kind === 'repeat')
    return Buffer.byteLength(spec.prefix + spec.suffix) + Buffer.byteLength(spec.unit) * spec.count;
  return bodyBytes(spec)?.length ?? 0;
}

/** Methods Node's HTTP parser knows; any other is refused with 400 and a closed connection. */
const PARSER_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
]);

/**
 * The server may close the connection instead of (or right after) answering: a body over the host's limit
 * (413 + close, the rest of the upload is refused), a request head over Node's limit (431), a method the
 * parser does not know or raw non-ASCII bytes on the request line (400 from Node's parser). Then a reset
 * while we still write is the server's deliberate choice.
 */
function mayBeRefusedByClosing(r: FuzzRequest): boolean {
  const head =
    r.method.length + r.path.length + r.headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
  return (
    bodyLength(r.body) > HOST_BODY_LIMIT ||
    head > NODE_HEADER_LIMIT - 512 ||
    !PARSER_METHODS.has(r.method) ||
    /[^\x21-\x7e]/.test(r.path)
  );
}

/** The last request sent on each connection. */
const lastOnSocket = new WeakMap<object, string>();

function send(agent: http.Agent, r: FuzzRequest): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const body = bodyBytes(r.body);
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of r.headers) {
      const existing = headers[name];
      headers[name] =
        existing === undefined
          ? value
          : [...(Array.isArray(existing) ? existing : [String(existing)]), value];
    }
    // Explicit framing: Node only chunks POST/PUT/PATCH by itself and would send a GET's body unframed.
    if (body && r.chunked) headers['transfer-encoding'] = 'chunked';
    else if (body) headers['content-length'] = body.length;
    let req: http.ClientRequest;
    try {
      req = http.request({
        host: baseUrl.hostname,
        port: baseUrl.port,
        method: r.method,
        path: r.path,
        headers,
        agent,
      });
    } catch (error) {
      // Node refused to send it: a bug in this file's generators, reported like any failure.
      settle({ error: `client refused the request: ${String(error)}`, previous: 'not sent' });
      return;
    }
    req.setTimeout(REQUEST_TIMEOUT_MS, () =>
      req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)),
    );
    let previous = 'none (a new connection)';
    req.on('socket', (socket) => {
      previous = lastOnSocket.get(socket) ?? previous;
      lastOnSocket.set(socket, `${r.endpoint} #${r.index}`);
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      settle({ error: error.code ?? error.message, previous }),
    );
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        // Only a 5xx body is worth printing; keep its start.
        if (res.statusCode !== undefined && res.statusCode >= 500 && kept < 1000) {
          chunks.push(chunk);
          kept += chunk.length;
        }
      });
      res.on('end', () =>
        settle({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 500) }),
      );
      // The server may close right after a 413/431; the status is what counts then.
      res.on('error', () => settle({ status: res.statusCode ?? 0, body: '' }));
      res.on('close', () => settle({ status: res.statusCode ?? 0, body: '' }));
    });
    if (body && r.chunked) {
      // Several chunks, so the host really reads a chunked stream.
      const step = Math.max(1, Math.ceil(body.length / 3));
      for (let at = 0; at < body.length; at += step) req.write(body.subarray(at, at + step));
      req.end();
    } else req.end(body);
  });
}

/** Sends every request, CONCURRENCY at a time over one keep-alive agent. */
async function sendAll(requests: FuzzRequest[]): Promise<Outcome[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const outcomes: Outcome[] = new Array<Outcome>(requests.length);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < requests.length; i = next++) {
          const request = requests[i];
          if (request) outcomes[i] = await send(agent, request);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return outcomes;
}

/** One line per request, short enough to print, exact enough to resend (huge bodies stay a spec). */
function describeRequest(r: FuzzRequest): string {
  const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
  const body =
    r.body.kind === 'text'
      ? { kind: 'text', text: clip(r.body.text, 400) }
      : r.body.kind === 'bytes'
        ? { kind: 'bytes', base64: clip(r.body.base64, 400) }
        : r.body;
  return JSON.stringify({
    seed: SEED,
    endpoint: r.endpoint,
    index: r.index,
    method: r.method,
    // Raw bytes as \xNN, so the line shows what went on the wire.
    path: clip(r.path, 300).replace(
      /[^\x20-\x7e…]/g,
      (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
    ),
    headers: r.headers.map(([k, v]) => [k, clip(v, 200)]),
    chunked: r.chunked,
    body,
  });
}

// ---- arbitraries ---------------------------------------------------------------------------------------

const printableChar = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
const printable = (maxLength: number) => fc.string({ unit: printableChar, maxLength });
const unicode = (maxLength: number) => fc.string({ unit: 'grapheme', maxLength });
/** Any code point, lone surrogates included (they become U+FFFD on the wire). */
const anyCodePoints = (maxLength: number) => fc.string({ unit: 'binary', maxLength });

const percentEncodeBytes = (bytes: Uint8Array) =>
  [...bytes].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
/** Characters a request line can carry unescaped in a segment: printable ASCII but space, / ? #. */
const rawSegmentChar = fc
  .integer({ min: 0x21, max: 0x7e })
  .filter((c) => c !== 0x2f && c !== 0x3f && c !== 0x23)
  .map((c) => String.fromCharCode(c));
/** UTF-8 bytes sent raw on the request line (each byte as a latin1 character, which Node writes as is). */
const rawUtf8 = (maxLength: number) =>
  unicode(maxLength).map((s) =>
    Buffer.from(s, 'utf8')
      .toString('latin1')
      .replace(/[\u0000-\u0020\u007f/?#]/g, ''),
  );

/** A path segment, already in request-line form. */
const segment = (known: readonly string[]) =>
  fc.oneof(
    { weight: 2, arbitrary: unicode(40).map(encodeURIComponent) },
    { weight: 1, arbitrary: anyCodePoints(20).map((s) => percentEncodeBytes(Buffer.from(s, 'utf8'))) },
    // Percent-escapes that are not UTF-8 (decodeURIComponent throws on them).
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 12 }).map(percentEncodeBytes) },
    { weight: 2, arbitrary: fc.string({ unit: rawSegmentChar, maxLength: 40 }) },
    { weight: 1, arbitrary: rawUtf8(20) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        '.',
        '..',
        '%2F',
        '%2e%2e',
        '..%2F..%2Fpackage.json',
        '%00',
        '%',
        '%zz',
        '%C0%AF',
        'null',
        'undefined',
        '__proto__',
        'constructor',
        'toString',
        'verify',
        'resend',
        'health',
        'CON',
        '*',
        '%20',
        '{signupId}',
      ),
    },
    // Long segments; past ~16 KB Node answers 431.
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 100, max: 20_000 }), fc.constantFrom('A', '%41', 'é', '-'))
        .map(([n, unit]) => (unit === 'é' ? encodeURIComponent('é') : unit).repeat(n)),
    },
    ...(known.length > 0 ? [{ weight: 3, arbitrary: fc.constantFrom(...known) }] : []),
  );

const signupIdSegment = (real: readonly string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: segment(real) },
    // Well-formed ids (SIGNUP_ID_PATTERN) that exist nowhere: they reach storage.
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{24}$/) },
  );

const query = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: unicode(20).map((s) => `?lang=${encodeURIComponent(s)}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('?lang=de', '?lang=ar', '?lang=', '?code=x', '?a=1&a=2', '?', '#x'),
  },
  { weight: 1, arbitrary: fc.string({ unit: rawSegmentChar, maxLength: 60 }).map((s) => `?${s}`) },
);

const contentType = fc.oneof(
  // JSON most of the time, so bodies get past the 415 and reach the handlers.
  { weight: 10, arbitrary: fc.constant('application/json') },
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json;charset=UTF-16',
      ' application/json ',
      'application/json, text/plain',
      'text/plain',
      'text/plain;charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/csp-report',
      'application/reports+json',
      'application/octet-stream',
      '*/*',
      '',
      ';',
    ),
  },
  { weight: 1, arbitrary: printable(80) },
);

const ipAddress = fc.oneof(
  fc.ipV4(),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 65535 })).map(([ip, port]) => `[${ip}]:${port}`),
  fc.ipV4().map((ip) => `${ip}:443`),
  fc.ipV6(),
);
const forwardedFor = fc.oneof(
  { weight: 4, arbitrary: ipAddress },
  { weight: 1, arbitrary: fc.array(ipAddress, { minLength: 2, maxLength: 5 }).map((a) => a.join(', ')) },
  { weight: 2, arbitrary: printable(80) },
  { weight: 1, arbitrary: fc.constantFrom('', ',', ', ,', 'unknown', '[::1', '1.2.3.4:99999', '[]:1') },
);
const acceptLanguage = fc.oneof(
  fc.constantFrom('en', 'de-DE,de;q=0.9,en;q=0.8', 'ar', 'he-IL', '*', 'zz-ZZ', 'en;q=abc', 'fr;q=0', ''),
  printable(120),
);
const acceptEncoding = fc.oneof(
  fc.constantFrom('br', 'gzip', 'gzip, deflate, br', 'br;q=0, gzip;q=0.5', '*', '*;q=0', 'identity', 'x;q=2'),
  printable(120),
);
const origin = fc.oneof(
  fc.constantFrom(CORS_ORIGIN, CORS_ORIGIN.toUpperCase(), 'null', 'https://evil.example', ''),
  printable(80),
);
const headerValue = fc.oneof(
  { weight: 20, arbitrary: printable(80) },
  // Long values; all of them together may pass Node's 16 KB head limit (431).
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 9_000 }).map((n) => 'v'.repeat(n)) },
);
const clientPrincipal = fc
  .jsonValue({ maxDepth: 3 })
  .map((v) => Buffer.from(JSON.stringify(v) ?? 'null', 'utf8').toString('base64'));
const extraHeader = fc.oneof(
  fc.tuple(
    fc.constantFrom(
      'cookie',
      'authorization',
      'x-functions-key',
      'referer',
      'user-agent',
      'x-requested-with',
      'forwarded',
      'x-original-url',
      'x-http-method-override',
      'content-encoding',
      'content-language',
      'range',
      'if-match',
      'accept',
      'x-forwarded-proto',
      'x-forwarded-host',
      'x-arr-ssl',
    ),
    headerValue,
  ),
  fc.tuple(fc.constant('x-ms-client-principal'), clientPrincipal),
  fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), headerValue),
);

const headers = (withIfNoneMatch: boolean) =>
  fc
    .record({
      contentType: fc.option(contentType, { nil: undefined, freq: 6 }),
      xff: fc.option(forwardedFor, { nil: undefined, freq: 4 }),
      acceptLanguage: fc.option(acceptLanguage, { nil: undefined, freq: 2 }),
      acceptEncoding: fc.option(acceptEncoding, { nil: undefined, freq: 2 }),
      origin: fc.option(origin, { nil: undefined, freq: 3 }),
      ifNoneMatch: withIfNoneMatch
        ? fc.option(fc.oneof(fc.constantFrom('*', 'W/"x"', '"a", "b"'), printable(60)), {
            nil: undefined,
            freq: 2,
          })
        : fc.constant(undefined),
      // A forged Host: the host only believes a well-formed one.
      host: fc.option(printable(60), { nil: undefined, freq: 20 }),
      extra: fc.array(extraHeader, { maxLength: 4 }),
    })
    .map((h) => {
      const list: Array<[string, string]> = [];
      if (h.contentType !== undefined) list.push(['content-type', h.contentType]);
      if (h.xff !== undefined) list.push(['x-forwarded-for', h.xff]);
      if (h.acceptLanguage !== undefined) list.push(['accept-language', h.acceptLanguage]);
      if (h.acceptEncoding !== undefined) list.push(['accept-encoding', h.acceptEncoding]);
      if (h.origin !== undefined) list.push(['origin', h.origin]);
      if (h.ifNoneMatch !== undefined) list.push(['if-none-match', h.ifNoneMatch]);
      if (h.host !== undefined) list.push(['host', h.host]);
      return [...list, ...h.extra];
    });

const text = (arb: fc.Arbitrary<string>): fc.Arbitrary<BodySpec> =>
  arb.map((t) => ({ kind: 'text', text: t }));
const json = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<BodySpec> =>
  text(arb.map((v) => JSON.stringify(v) ?? ''));

const emailAddress = fc.oneof(
  { weight: 3, arbitrary: fc.emailAddress() },
  // New addresses at an allowed domain: these starts go all the way to storage and the queue.
  { weight: 6, arbitrary: fc.nat().map((n) => `fuzz.${n}@fabrikam.com`) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(unicode(20), fc.array(unicode(12), { minLength: 1, maxLength: 3 }))
      .map(([local, labels]) => `${local}@${labels.join('.')}.com`),
  },
  { weight: 2, arbitrary: unicode(60) },
  { weight: 1, arbitrary: printable(400) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'someone@gmail.com',
      'user@contoso.com',
      'x@localhost',
      '@',
      '"a b"@fabrikam.com',
      'a@[127.0.0.1]',
      'a@xn--80ak6aa92e.com',
      'a@xn--.com',
      'a@ex..com',
      'A@FABRIKAM.COM',
      'a+tag@fabrikam.com',
      'a@fabrikam.com.',
      'a@ｆａｂｒｉｋａｍ.com',
      'а@fabrikam.com',
    ),
  },
);
const locale = fc.oneof(fc.constantFrom('en', 'de', 'ar', 'pt-BR', 'zz', ''), unicode(40));

const endpointJson: Record<Endpoint, fc.Arbitrary<unknown>> = {
  start: fc.oneof(
    { weight: 4, arbitrary: fc.record({ email: emailAddress, locale }, { requiredKeys: ['email'] }) },
    {
      weight: 1,
      arbitrary: fc.record({ email: fc.jsonValue({ maxDepth: 2 }), locale: fc.jsonValue({ maxDepth: 1 }) }),
    },
    { weight: 1, arbitrary: fc.record({ email: emailAddress, extra: fc.jsonValue({ maxDepth: 1 }) }) },
  ),
  verify: fc.oneof(
    // The seeded flows' code: a flow it reaches first gets verified (then 409 for the rest).
    fc.constant({ code: SEEDED_CODE }),
    fc.record({ code: fc.stringMatching(/^\d{6}$/) }),
    fc.record({ code: fc.oneof(printable(40), unicode(10), fc.constant('')) }),
    fc.record({ code: fc.jsonValue({ maxDepth: 1 }) }),
  ),
  resend: fc.oneof(
    fc.constant({}),
    fc.dictionary(printable(10), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  ),
  status: fc.constant({}),
  health: fc.constant({}),
  landing: fc.constant({}),
  assets: fc.constant({}),
  cspReports: fc.oneof(
    fc.record({
      'csp-report': fc.record(
        {
          'document-uri': fc.oneof(
            fc.webUrl({ withQueryParameters: true, withFragments: true }),
            unicode(40),
          ),
          'blocked-uri': fc.oneof(
            fc.webUrl(),
            fc.constantFrom('inline', 'eval', 'data', 'blob:x'),
            unicode(40),
          ),
          'effective-directive': fc.oneof(fc.constantFrom('script-src-elem', 'img-src'), unicode(40)),
          'violated-directive': printable(40),
          'source-file': fc.oneof(fc.webUrl(), fc.jsonValue({ maxDepth: 1 })),
          disposition: fc.oneof(fc.constantFrom('enforce', 'report'), fc.jsonValue({ maxDepth: 1 })),
        },
        { requiredKeys: [] },
      ),
    }),
    fc.array(
      fc.record({
        type: fc.oneof(fc.constant('csp-violation'), printable(15)),
        body: fc.oneof(
          fc.record(
            {
              documentURL: fc.oneof(fc.webUrl({ withQueryParameters: true }), unicode(40)),
              blockedURL: fc.oneof(fc.webUrl(), printable(40)),
              effectiveDirective: unicode(30),
              sourceFile: fc.jsonValue({ maxDepth: 1 }),
              disposition: printable(10),
            },
            { requiredKeys: [] },
          ),
          fc.jsonValue({ maxDepth: 2 }),
        ),
      }),
      { maxLength: 30 },
    ),
  ),
};

/** Bodies for any endpoint; `shaped` is the endpoint's own JSON, the one most likely to get far. */
const body = (shaped: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 300, arbitrary: fc.constant<BodySpec>({ kind: 'none' }) },
    { weight: 900, arbitrary: json(shaped) },
    { weight: 150, arbitrary: json(fc.jsonValue({ maxDepth: 4 })) },
    { weight: 150, arbitrary: text(unicode(300)) },
    { weight: 50, arbitrary: text(anyCodePoints(200)) },
    {
      weight: 100,
      arbitrary: fc
        .uint8Array({ maxLength: 2048 })
        .map((b): BodySpec => ({ kind: 'bytes', base64: Buffer.from(b).toString('base64') })),
    },
    // A byte-order mark, or JSON cut short.
    {
      weight: 50,
      arbitrary: json(shaped).map((b) => (b.kind === 'text' ? { ...b, text: `\uFEFF${b.text}` } : b)),
    },
    {
      weight: 50,
      arbitrary: json(shaped).map((b) => (b.kind === 'text' ? { ...b, text: b.text.slice(0, -1) } : b)),
    },
    // Deep nesting, within and beyond the API's 4 KB limit.
    {
      weight: 30,
      arbitrary: fc
        .integer({ min: 1, max: 20_000 })
        .map((n): BodySpec => ({ kind: 'repeat', prefix: '', unit: '[', count: n, suffix: ']'.repeat(n) })),
    },
    // Large: 4 KB to 100 KB, JSON-shaped or not.
    {
      weight: 60,
      arbitrary: fc
        .tuple(fc.integer({ min: 4_000, max: 100_000 }), fc.constantFrom('x', 'é', '😀', '\\u0000', ' ', '"'))
        .map(([n, unit]): BodySpec => ({
          kind: 'repeat',
          prefix: '{"email":"',
          unit,
          count: n,
          suffix: '@fabrikam.com"}',
        })),
    },
    // Over the host's 1 MiB limit: a few per endpoint.
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: HOST_BODY_LIMIT + 1, max: HOST_BODY_LIMIT + 300_000 })
        .map((n): BodySpec => ({ kind: 'repeat', prefix: '', unit: 'z', count: n, suffix: '' })),
    },
  );

interface EndpointShape {
  methods: readonly string[];
  path: fc.Arbitrary<string>;
  /** GET endpoints get a body only now and then. */
  rarelyBody: boolean;
}

const WRONG_METHODS = [...PARSER_METHODS, 'FUZZ'];

/** The fixed part of a route in a few spellings the host must treat alike or refuse cleanly. */
const spelled = (route: string) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant(route) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(route.toUpperCase(), `${route}/`, `/.${route}`, `${route}/.`, `/${route}`),
    },
  );

function shapes(): Record<Endpoint, EndpointShape> {
  const id = signupIdSegment(knownIds);
  const page = fc.oneof(
    {
      weight: 2,
      arbitrary: fc.constantFrom('', 'index.html', 'INDEX.HTML', 'index.htm', 'favicon.ico', 'robots.txt'),
    },
    { weight: 3, arbitrary: segment([]) },
  );
  const file = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...assetNames) },
    { weight: 1, arbitrary: fc.constantFrom(...assetNames).map((n) => `${n}.br`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('manifest.json', 'index.html', '..%2Fmanifest.json', '.%2e%2Fpackage.json'),
    },
    { weight: 3, arbitrary: segment([]) },
  );
  const post = ['POST'];
  return {
    start: {
      methods: post,
      path: fc.tuple(spelled('/api/signups'), query).map(([p, q]) => p + q),
      rarelyBody: false,
    },
    verify: {
      methods: post,
      path: fc.tuple(id, query).map(([i, q]) => `/api/signups/${i}/verify${q}`),
      rarelyBody: false,
    },
    resend: {
      methods: post,
      path: fc.tuple(id, query).map(([i, q]) => `/api/signups/${i}/resend${q}`),
      rarelyBody: false,
    },
    status: {
      methods: ['GET'],
      path: fc.tuple(id, query).map(([i, q]) => `/api/signups/${i}${q}`),
      rarelyBody: true,
    },
    health: {
      methods: ['GET'],
      path: fc.tuple(spelled('/api/health'), query).map(([p, q]) => p + q),
      rarelyBody: true,
    },
    landing: {
      methods: ['GET', 'HEAD'],
      path: fc.tuple(page, query).map(([p, q]) => `/${p}${q}`),
      rarelyBody: true,
    },
    assets: {
      methods: ['GET', 'HEAD'],
      path: fc.tuple(file, query).map(([f, q]) => `/assets/${f}${q}`),
      rarelyBody: true,
    },
    cspReports: {
      methods: post,
      path: fc.tuple(spelled('/api/csp-reports'), query).map(([p, q]) => p + q),
      rarelyBody: false,
    },
  };
}

function requestArbitrary(
  endpoint: Endpoint,
  shape: EndpointShape,
): fc.Arbitrary<Omit<FuzzRequest, 'index'>> {
  const someBody = body(endpointJson[endpoint]);
  const maybeBody = !shape.rarelyBody
    ? someBody
    : fc.oneof(
        { weight: 4, arbitrary: fc.constant<BodySpec>({ kind: 'none' }) },
        { weight: 1, arbitrary: someBody },
      );
  return fc.record({
    endpoint: fc.constant(endpoint),
    method: fc.oneof(
      { weight: 17, arbitrary: fc.constantFrom(...shape.methods) },
      { weight: 3, arbitrary: fc.constantFrom(...WRONG_METHODS) },
    ),
    path: shape.path,
    headers: headers(endpoint === 'assets'),
    body: maybeBody,
    chunked: fc.boolean(),
  });
}

function sample(endpoint: Endpoint, numRuns: number, seed: number): FuzzRequest[] {
  const shape = shapes()[endpoint];
  return fc.sample(requestArbitrary(endpoint, shape), { numRuns, seed }).map((r, index) => ({ ...r, index }));
}

// ---- tallies -------------------------------------------------------------------------------------------

interface Tally {
  statuses: Map<string, number>;
  /** 5xx and unexpected connection errors, each with its request. */
  problems: string[];
}

function tally(requests: FuzzRequest[], outcomes: Outcome[]): Tally {
  const t: Tally = { statuses: new Map(), problems: [] };
  requests.forEach((r, i) => {
    const outcome = outcomes[i];
    if (!outcome) {
      t.problems.push(`no outcome: ${describeRequest(r)}`);
      return;
    }
    if ('error' in outcome) {
      if (mayBeRefusedByClosing(r) && /^(ECONNRESET|EPIPE)$/.test(outcome.error)) {
        t.statuses.set('closed', (t.statuses.get('closed') ?? 0) + 1);
        return;
      }
      t.statuses.set(`error ${outcome.error}`, (t.statuses.get(`error ${outcome.error}`) ?? 0) + 1);
      t.problems.push(
        `connection error ${outcome.error} (previous request on the connection: ${outcome.previous}): ${describeRequest(r)}`,
      );
      return;
    }
    const key = String(outcome.status);
    t.statuses.set(key, (t.statuses.get(key) ?? 0) + 1);
    if (outcome.status >= 500 || outcome.status < 100)
      t.problems.push(`status ${outcome.status} ${JSON.stringify(outcome.body)}: ${describeRequest(r)}`);
  });
  return t;
}

const formatStatuses = (statuses: Map<string, number>) =>
  [...statuses.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');

// ---- seeded flows --------------------------------------------------------------------------------------

type SeededState = 'pending' | 'verified' | 'provisioning' | 'ready' | 'failed' | 'expired';

/**
 * Flows in every state, written with the app's own stores as the email and provisioning functions would
 * (those do not run here): pending with SEEDED_CODE emailed, verified five minutes ago (status reads
 * re-queue their provisioning, racing each other on the ETag), provisioning, ready, failed and expired.
 */
async function seedFlows(connectionString: string, settings: Record<string, string>): Promise<string[]> {
  const secret = settings.CODE_HMAC_SECRET ?? '';
  const limits: FlowLimits = {
    codeTtlMinutes: Number(settings.CODE_TTL_MINUTES ?? 10),
    codeMaxSubmissions: Number(settings.CODE_MAX_SUBMISSIONS ?? 5),
    flowMaxFailures: Number(settings.FLOW_MAX_FAILURES ?? 10),
    resendCooldownSeconds: Number(settings.RESEND_COOLDOWN_SECONDS ?? 60),
  };
  const signups = new TableSignupStore(createTableClient({ connectionString }, TABLES.signups));
  const addresses = new TableAddressStore(createTableClient({ connectionString }, TABLES.addresses));
  const plan: Array<[SeededState, number]> = [
    ['pending', 40],
    ['verified', 8],
    ['provisioning', 4],
    ['ready', 4],
    ['failed', 4],
    ['expired', 4],
  ];
  const run = Date.now().toString(36);
  const ids: string[] = [];
  for (const [state, count] of plan) {
    for (let i = 0; i < count; i++) {
      const now = Date.now();
      const at = new Date(
        state === 'pending' ? now : state === 'expired' ? now - 25 * 3_600_000 : now - 300_000,
      );
      const email = `fuzz.seeded.${run}.${state}.${i}@fabrikam.com`;
      let flow: SignupFlow = newFlow({
        signupId: newSignupId(),
        email,
        canonicalEmail: email,
        addressKey: keyedHash(secret, 'address', email),
        domain: 'fabrikam.com',
        locale: 'en',
        correlationId: newSignupId(),
        now: at,
        flowTtlHours: 24,
      });
      const apply = (event: Parameters<typeof transition>[1]) => (flow = transition(flow, event, at, limits));
      apply({ type: 'code_issued', codeHash: hashCode(secret, flow.signupId, SEEDED_CODE) });
      apply({ type: 'code_emailed', request: flow.codeRequests });
      if (state !== 'pending' && state !== 'expired') {
        apply({ type: 'code_submitted', matches: true, isCurrentFlow: true });
        if (state !== 'verified') apply({ type: 'provisioning_started' });
        if (state === 'ready')
          apply({
            type: 'provisioned',
            outcome: 'guest_created',
            signInUrl: 'https://myapplications.microsoft.com',
          });
        if (state === 'failed') apply({ type: 'provisioning_failed', reason: 'seeded by the fuzz test' });
      }
      await signups.create(flow);
      await addresses.setCurrentSignup(flow.addressKey, flow.signupId);
      ids.push(flow.signupId);
    }
  }
  return ids;
}

// ---- the tests -----------------------------------------------------------------------------------------

/** 700–3,000 requests/s were measured on 2 vCPUs when idle, 60–170/s with the machine fully loaded by other
 * work: 30 ms per request keeps a busy machine from failing a test that found nothing. */
const perEndpointTimeoutMs = Math.max(60_000, RUNS * 30);

beforeAll(async () => {
  const connectionString = azuriteConnectionString();
  await createTablesAndQueues(connectionString);
  const webRoot = findWebRoot(REPO_ROOT);
  if (!webRoot) throw new Error('dist/web is missing: run `npm run build`');
  assetNames = WebAssets.load(webRoot)
    .list()
    .map((a) => a.name);
  // Only the HTTP functions, as the bench does: the queue functions would need SMTP and Graph, and the
  // public surface is all HTTP. The code-email messages the starts queue stay in the queue.
  appRoot = prepareAppRoot(REPO_ROOT, {
    functions: ['signupStart', 'signupVerify', 'signupResend', 'signupStatus', 'health', 'landingPage'],
  });
  const settings = appSettings({
    AzureWebJobsStorage: connectionString,
    // The client address comes from X-Forwarded-For (the host appends its own hop), so fuzzed values
    // reach the per-IP limiter keys; the limits are raised so the limiter works but rarely refuses.
    TRUSTED_PROXY_HOPS: '2',
    IP_STARTS_PER_MINUTE: '100000',
    IP_STARTS_PER_HOUR: '1000000',
    IP_VERIFIES_PER_MINUTE: '100000',
    START_BUDGET_PER_MINUTE: '100000',
    START_BUDGET_PER_HOUR: '1000000',
    // Off so fuzzed start/resend bodies reach parsing and policy; the challenge check itself is fuzzed
    // through GET /api/challenge payloads in test/unit/challenge.test.ts and publicDoor tests.
    CHALLENGE_MODE: 'off',
    CORS_ALLOWED_ORIGINS: CORS_ORIGIN,
  });
  scrubRules = {
    secrets: [settings.CODE_HMAC_SECRET ?? ''],
    allowedAddresses: Object.values(settings).filter((v) => /^[^@\s]+@[^@\s]+$/.test(v)),
  };
  host = await spawnHost({
    port: await freePort(),
    appRoot,
    nodeArgs: ['--expose-gc'],
    logLevel: 'information',
    onLine: onHostLine,
    settings,
  });
  baseUrl = new URL(host.url);

  knownIds.push(...(await seedFlows(connectionString, settings)));
  // And a few started through the API (pending, no code yet).
  for (let i = 0; i < 8; i++) {
    const res = await fetch(`${host.url}/api/signups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.99.0.${i}` },
      body: JSON.stringify({ email: `fuzz.seed.${Date.now().toString(36)}.${i}@fabrikam.com` }),
    });
    const started = (await res.json()) as { signupId?: string };
    if (res.status !== 202 || !started.signupId) throw new Error(`seeding a sign-up answered ${res.status}`);
    knownIds.push(started.signupId);
  }

  // Warm-up: every code path compiled and every cache filled before the first heap reading.
  const warmUp = ENDPOINTS.flatMap((e) => sample(e, Math.ceil(WARM_UP / ENDPOINTS.length), SEED - 1));
  const warmTally = tally(warmUp, await sendAll(warmUp));
  heap.warm = await heapAfterGcMiB();
  out(
    `warm-up: ${warmUp.length} requests (${formatStatuses(warmTally.statuses)}); heap in use after a full GC ${heap.warm.toFixed(1)} MiB`,
  );
}, 120_000);

afterAll(async () => {
  await host?.stop();
  if (appRoot) rmSync(appRoot, { recursive: true, force: true });
});

describe('fuzzing every public endpoint over HTTP against the dev host process', () => {
  test.each(ENDPOINTS.map((e, i) => [e, i] as const))(
    `%s: ${RUNS} random requests (bodies, headers, content types, ids, methods) never get a 5xx or a dropped connection`,
    async (endpoint, i) => {
      const requests = sample(endpoint, RUNS, SEED + i);
      const began = performance.now();
      const outcomes = await sendAll(requests);
      const seconds = (performance.now() - began) / 1000;
      const t = tally(requests, outcomes);
      out(
        `${endpoint}: ${requests.length} requests in ${seconds.toFixed(1)} s (${(requests.length / seconds).toFixed(0)}/s); ${formatStatuses(t.statuses)}; heap after GC ${hostAlive() ? `${(await heapAfterGcMiB()).toFixed(1)} MiB` : 'n/a (host gone)'}`,
      );
      if (t.problems.length > 0) {
        out(
          `${endpoint}: ${t.problems.length} problem(s); host error lines: ${hostErrors.slice(-5).join(' | ') || 'none'}`,
        );
      }
      expect(t.problems.slice(0, 10)).toEqual([]);
    },
    perEndpointTimeoutMs,
  );

  test('the host process is still up afterwards and its health check answers 200', async () => {
    out(`warning-level events in the host log: ${formatStatuses(hostEvents) || 'none'}`);
    expect(host?.child.exitCode).toBeNull();
    expect(host?.child.signalCode).toBeNull();
    const res = await fetch(`${host?.url}/api/health`);
    expect(res.status).toBe(200);
    expect(hostErrors).toEqual([]);
  });

  test('the host logged no code, full address or secret, whatever it was sent (req 44)', () => {
    out(`log scrub of the host's events: ${[...hostEvents.values()].reduce((a, b) => a + b, 0)} events`);
    expect(scrubFindings).toEqual([]);
  });

  test(`the heap in use after a full GC grows by less than ${HEAP_GROWTH_LIMIT_MIB} MiB from the warm-up to the end`, async () => {
    heap.end = await heapAfterGcMiB();
    const warm = heap.warm ?? Number.NaN;
    out(
      `heap in use after a full GC: ${warm.toFixed(1)} MiB after the warm-up → ${heap.end.toFixed(1)} MiB at the end (${(heap.end - warm).toFixed(1)} MiB, limit ${HEAP_GROWTH_LIMIT_MIB})`,
    );
    expect(heap.end - warm).toBeLessThan(HEAP_GROWTH_LIMIT_MIB);
  });
});
