/**
 * The dev Functions host (dev/functions-host/host.ts) against a small plain-JS v4 app (test/fixtures/hostApp) and the
 * jest-global Azurite. Queue names are unique per test; app settings resolve the fixture's `%NAME%`
 * binding expressions.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { QueueClient } from '@azure/storage-queue';
import { createLocalHost, type LocalHost } from '../../dev/functions-host/host';
import { freePort } from '../../dev/stack/processes';
import type { QueueOptions } from '../../dev/functions-host/hostConfig';
import { QueueListener, type QueueMessage } from '../../dev/functions-host/queueListener';
import { loadLocalSettings } from '../../dev/functions-host/settings';
import { findTakenPorts, resolveStackPorts } from '../../dev/stack/stackPorts';
import { stackSettings } from '../../dev/stack/launcher';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'hostApp');
const KEY = 'test-key-0123456789';
const YEARLY = '0 0 0 1 1 *';

function connectionString(): string {
  const value = process.env.TEST_STORAGE_CONNECTION_STRING;
  if (!value) throw new Error('TEST_STORAGE_CONNECTION_STRING is not set (jest globalSetup starts Azurite)');
  return value;
}

const uniqueQueue = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

interface Started {
  host: LocalHost;
  logs: string[];
  queues: Record<string, string>;
}

const started: LocalHost[] = [];

async function startHost(settings: Record<string, string> = {}, appRoot = FIXTURE): Promise<Started> {
  const queues = {
    FAIL_QUEUE: uniqueQueue('fail'),
    WORK_QUEUE: uniqueQueue('work'),
    FORWARD_QUEUE: uniqueQueue('fwd'),
    OUT_QUEUE: uniqueQueue('out'),
  };
  const logs: string[] = [];
  const host = createLocalHost({
    appRoot,
    port: 0,
    functionKey: KEY,
    storageConnectionString: connectionString(),
    env: { TICK_SCHEDULE: YEARLY, ...queues, ...settings },
    log: (level, message) => logs.push(`${level} ${message}`),
    shutdownTimeoutMs: 3000,
  });
  started.push(host);
  await host.start();
  return { host, logs, queues: { ...queues, ...settings } };
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((h) => h.stop()));
});

async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const queueClient = (name: string) => new QueueClient(connectionString(), name);

async function receiveAll(name: string): Promise<string[]> {
  const client = queueClient(name);
  await client.createIfNotExists();
  const { receivedMessageItems } = await client.receiveMessages({
    numberOfMessages: 32,
    visibilityTimeout: 30,
  });
  return receivedMessageItems.map((m) => m.messageText);
}

const executed = (logs: string[], fn: string) => logs.filter((l) => l.includes(`Executed 'Functions.${fn}'`));

describe('dev host: loading', () => {
  test('captures the metadata of every function the app registers through package.json main', async () => {
    const { host, queues } = await startHost();
    const byName = Object.fromEntries(host.registrations.map((r) => [r.name, r]));
    expect(Object.keys(byName).sort()).toEqual(
      [
        'adminOnly',
        'alwaysFails',
        'boom',
        'bytes',
        'echo',
        'enqueue',
        'files',
        'hello',
        'itemById',
        'itemLatest',
        'itemUpdate',
        'recorder',
        'secret',
        'setting',
        'startup',
        'text',
        'tick',
      ].sort(),
    );
    expect(byName.hello?.http).toEqual({ methods: ['GET'], route: 'hello/{name?}', authLevel: 'anonymous' });
    expect(byName.secret?.http?.authLevel).toBe('function');
    expect(byName.alwaysFails?.queue).toEqual({
      queueName: queues.FAIL_QUEUE,
      connection: 'AzureWebJobsStorage',
    });
    expect(byName.enqueue?.queueOutputs).toEqual([expect.objectContaining({ queueName: queues.OUT_QUEUE })]);
    expect(byName.tick?.timer).toEqual({ schedule: YEARLY, runOnStartup: false });
  });

  test('fails to start with the worker message when main matches no file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostapp-empty-'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ main: 'dist/*.js' }));
    fs.writeFileSync(path.join(dir, 'host.json'), JSON.stringify({ version: '2.0' }));
    const host = createLocalHost({ appRoot: dir, port: 0, log: () => undefined });
    await expect(host.start()).rejects.toThrow(/Found zero files matching/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('applies settings to the app environment and restores them on stop', async () => {
    const marker = `DEV_HOST_TEST_${randomUUID().slice(0, 6).toUpperCase()}`;
    const { host } = await startHost({ [marker]: 'set' });
    expect(await (await fetch(`${host.url}/v1/settings/${marker}`)).json()).toEqual({ value: 'set' });
    await host.stop();
    const { host: next } = await startHost();
    expect(await (await fetch(`${next.url}/v1/settings/${marker}`)).json()).toEqual({ value: null });
  });
});

describe('dev host: HTTP triggers', () => {
  let ctx: Started;
  beforeAll(async () => {
    ctx = await startHost();
    started.splice(started.indexOf(ctx.host), 1); // shared by this block, stopped in afterAll
  });
  afterAll(async () => {
    await ctx.host.stop();
  });
  const get = (p: string, init?: RequestInit) => fetch(`${ctx.host.url}${p}`, init);

  test('serves routes under host.json routePrefix with optional route parameters and the query', async () => {
    const res = await get('/v1/hello/Ada?lang=fr');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ function: 'hello', name: 'Ada', query: { lang: 'fr' } });
    expect(String(body.url)).toMatch(/\/v1\/hello\/Ada\?lang=fr$/);
    expect(await (await get('/v1/hello')).json()).toMatchObject({ name: null });
    expect((await get('/api/hello')).status).toBe(404);
  });

  test('appends the caller to X-Forwarded-For like the App Service front end', async () => {
    const direct = (await (await get('/v1/hello')).json()) as { forwardedFor: string };
    expect(direct.forwardedFor).toMatch(/^127\.0\.0\.1:\d+$/);
    const spoofed = (await (
      await get('/v1/hello', { headers: { 'x-forwarded-for': '6.6.6.6' } })
    ).json()) as { forwardedFor: string };
    expect(spoofed.forwardedFor).toMatch(/^6\.6\.6\.6, 127\.0\.0\.1:\d+$/);
  });

  test('runs preInvocation and postInvocation hooks around the handler', async () => {
    const before = ctx.logs.length;
    const res = await get('/v1/hello/hook');
    expect(res.headers.get('x-hooked')).toBe('pre');
    await waitFor(
      () => ctx.logs.slice(before).some((l) => l.includes('[hello] postInvocation hook ran')),
      5000,
      'post hook log',
    );
  });

  test('prefers a literal segment over a parameter, and matches the method', async () => {
    expect(await (await get('/v1/items/latest')).json()).toEqual({ function: 'itemLatest' });
    expect(await (await get('/v1/items/42')).json()).toEqual({ function: 'itemById', id: '42' });
    expect(await (await get('/v1/items/42', { method: 'PUT' })).json()).toEqual({
      function: 'itemUpdate',
      id: '42',
    });
    // The int constraint keeps PUT /items/abc from matching itemUpdate: only GET routes match the path.
    const res = await get('/v1/items/abc', { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });

  test('passes the rest of the path to a catch-all parameter', async () => {
    expect(await (await get('/v1/files/a/b/c.txt')).json()).toEqual({ function: 'files', path: 'a/b/c.txt' });
    expect(await (await get('/v1/files')).json()).toEqual({ function: 'files', path: '' });
  });

  test('answers 404 JSON for unknown routes and 405 with Allow for a wrong method', async () => {
    const missing = await get('/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });

    const wrong = await get('/v1/echo');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(await wrong.json()).toMatchObject({ error: { code: 'method_not_allowed' } });

    const head = await get('/v1/hello', { method: 'HEAD' });
    expect(head.status).toBe(405);
  });

  test('passes the body and headers in, and status, headers, cookies and JSON out', async () => {
    const res = await get('/v1/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-echo')).toBe('yes');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toContain('session=abc');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Max-Age=60');
    expect(await res.json()).toEqual({ received: { hello: 'world' }, contentType: 'application/json' });
  });

  test('returns binary and text bodies unchanged', async () => {
    const bytes = await get('/v1/bytes');
    expect(bytes.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await bytes.arrayBuffer())]).toEqual([0, 1, 2, 254, 255]);
    const text = await get('/v1/text');
    expect(text.status).toBe(202);
    expect(await text.text()).toBe('plain words');
  });

  test('answers 413 for a body above the limit without invoking the function', async () => {
    const before = executed(ctx.logs, 'echo').length;
    const res = await get('/v1/echo', { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1) });
    expect(res.status).toBe(413);
    expect(executed(ctx.logs, 'echo')).toHaveLength(before);
  });

  test('answers a bare 500 when the handler throws, and logs the failure', async () => {
    const res = await get('/v1/boom');
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('');
    await waitFor(
      () =>
        executed(ctx.logs, 'boom').find(
          (l) => l.includes('Failed') && l.includes('kaboom') && l.includes('Status=500'),
        ),
      5000,
      'boom log',
    );
  });

  test('function and admin levels need the key in x-functions-key or ?code=; anonymous does not', async () => {
    for (const route of ['/v1/secret', '/v1/ops/admin-only']) {
      const none = await get(route);
      expect(none.status).toBe(401);
      expect(await none.json()).toMatchObject({ error: { code: 'unauthorized' } });
      expect((await get(route, { headers: { 'x-functions-key': 'wrong' } })).status).toBe(401);
      expect((await get(`${route}?code=wrong`)).status).toBe(401);
      expect((await get(route, { headers: { 'x-functions-key': KEY } })).status).toBe(200);
      expect((await get(`${route}?code=${encodeURIComponent(KEY)}`)).status).toBe(200);
    }
    expect((await get('/v1/hello')).status).toBe(200);
  });

  test('logs exactly one line per invocation with name, id, duration, outcome and status', async () => {
    const before = executed(ctx.logs, 'itemLatest').length;
    await Promise.all([1, 2, 3].map(() => get('/v1/items/latest').then((r) => r.arrayBuffer())));
    const lines = await waitFor(
      () => {
        const all = executed(ctx.logs, 'itemLatest').slice(before);
        return all.length >= 3 ? all : undefined;
      },
      5000,
      'three log lines',
    );
    expect(lines).toHaveLength(3);
    const ids = new Set<string>();
    for (const line of lines) {
      const match = /\(Succeeded, Id=([0-9a-f-]{36}), Duration=\d+ms, Status=200\)$/.exec(line);
      expect(match).not.toBeNull();
      ids.add(match?.[1] ?? '');
    }
    expect(ids.size).toBe(3);
  });

  test('delivers extraOutputs to their queue, base64-encoded, one message per array item', async () => {
    const out = ctx.queues.OUT_QUEUE ?? '';
    const res = await get('/v1/enqueue', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ n: 1 }, 'two'] }),
    });
    expect(res.status).toBe(202);
    const messages = await waitFor(
      async () => {
        const peeked = await queueClient(out).peekMessages({ numberOfMessages: 32 });
        return peeked.peekedMessageItems.length >= 2
          ? peeked.peekedMessageItems.map((m) => unb64(m.messageText))
          : undefined;
      },
      5000,
      'output messages',
    );
    expect(messages).toEqual([JSON.stringify({ n: 1 }), 'two']);
    await waitFor(
      () => ctx.logs.some((l) => l.includes('[enqueue] enqueued')),
      2000,
      'user log routed to the sink',
    );
  });

  test('runs a timer on demand through POST /admin/functions/{name} with the key', async () => {
    const unauthorized = await get('/admin/functions/tick', { method: 'POST', body: '{}' });
    expect(unauthorized.status).toBe(401);
    const before = executed(ctx.logs, 'tick').length;
    const res = await get('/admin/functions/tick', {
      method: 'POST',
      headers: { 'x-functions-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ input: '' }),
    });
    expect(res.status).toBe(202);
    await waitFor(() => executed(ctx.logs, 'tick').length > before, 5000, 'tick to run');
    expect(ctx.logs.some((l) => /\[tick\] tick isPastDue=false next=\d{4}-01-01T00:00:00/.test(l))).toBe(
      true,
    );
    expect(
      (await get('/admin/functions/nope', { method: 'POST', headers: { 'x-functions-key': KEY } })).status,
    ).toBe(404);
    expect(
      (await get('/admin/functions/hello', { method: 'POST', headers: { 'x-functions-key': KEY } })).status,
    ).toBe(400);
  });

  test('runTimer() runs a timer function and reports the outcome', async () => {
    const summary = await ctx.host.runTimer('tick');
    expect(summary.outcome).toBe('Succeeded');
    expect(summary.invocationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('dev host: storage-queue triggers', () => {
  test('a message that always throws is tried maxDequeueCount times, then lands in <queue>-poison unchanged', async () => {
    const { logs, queues } = await startHost();
    const failQueue = queues.FAIL_QUEUE ?? '';
    const original = b64(JSON.stringify({ order: 7, note: 'poison me' }));
    await queueClient(failQueue).createIfNotExists();
    await queueClient(failQueue).sendMessage(original);

    const poisoned = await waitFor(
      async () => {
        const peeked = await queueClient(`${failQueue}-poison`)
          .peekMessages()
          .catch(() => undefined);
        return peeked?.peekedMessageItems[0]?.messageText;
      },
      20_000,
      'poison message',
    );
    expect(poisoned).toBe(original);

    const attempts = logs.filter((l) => l.includes('[alwaysFails] attempt'));
    expect(attempts.map((l) => /dequeueCount=(\d+)/.exec(l)?.[1])).toEqual(['1', '2', '3']);
    expect(attempts.every((l) => l.includes('body={"order":7,"note":"poison me"}'))).toBe(true);
    // The host deletes the original after copying it, then logs the move.
    await waitFor(
      () => logs.find((l) => l.includes(`Moving message to queue '${failQueue}-poison'`)),
      5000,
      'poison log',
    );
    expect((await queueClient(failQueue).getProperties()).approximateMessagesCount).toBe(0);
  });

  test('a message already above maxDequeueCount on receive goes to poison without running', async () => {
    const workQueue = uniqueQueue('work');
    const client = queueClient(workQueue);
    await client.createIfNotExists();
    const original = b64('"stale"');
    await client.sendMessage(original);
    // Receive it four times (maxDequeueCount is 3) without deleting, as crashed hosts would.
    for (let i = 0; i < 4; i++) {
      await waitFor(
        async () =>
          (await client.receiveMessages({ visibilityTimeout: 1 })).receivedMessageItems.length === 1 ||
          undefined,
        5000,
        'receive',
      );
    }
    const { logs } = await startHost({ WORK_QUEUE: workQueue });
    const poisoned = await waitFor(
      async () => {
        const peeked = await queueClient(`${workQueue}-poison`)
          .peekMessages()
          .catch(() => undefined);
        return peeked?.peekedMessageItems[0]?.messageText;
      },
      10_000,
      'poison message',
    );
    expect(poisoned).toBe(original);
    expect(logs.filter((l) => l.includes('[recorder] received'))).toHaveLength(0);
  });

  test('base64 round trip: JSON arrives parsed, text arrives as a string, triggerMetadata is camelCased', async () => {
    const { logs, queues } = await startHost();
    const work = queueClient(queues.WORK_QUEUE ?? '');
    await work.createIfNotExists();
    await work.sendMessage(b64(JSON.stringify({ email: 'ana@example.com', n: 1 })));
    await work.sendMessage(b64('just text, ünïcode'));

    const received = await waitFor(
      () => {
        const lines = logs.filter((l) => l.includes('[recorder] received'));
        return lines.length >= 2 ? lines : undefined;
      },
      10_000,
      'two messages',
    );
    const objectLine = received.find((l) => l.includes('type=object'));
    expect(objectLine).toContain('value={"email":"ana@example.com","n":1}');
    expect(objectLine).toMatch(/dequeueCount=1 id=[0-9a-f-]+ hasTimes=true hasPopReceipt=true/);
    expect(received.find((l) => l.includes('type=string'))).toContain('value="just text, ünïcode"');

    const forwarded = await waitFor(
      async () => {
        const peeked = await queueClient(queues.FORWARD_QUEUE ?? '').peekMessages({ numberOfMessages: 32 });
        return peeked.peekedMessageItems.length >= 2
          ? peeked.peekedMessageItems.map((m) => JSON.parse(unb64(m.messageText)) as unknown)
          : undefined;
      },
      10_000,
      'forwarded messages',
    );
    expect(forwarded).toEqual(
      expect.arrayContaining([
        { forwarded: { email: 'ana@example.com', n: 1 } },
        { forwarded: 'just text, ünïcode' },
      ]),
    );
    // Deleted after success.
    await waitFor(
      async () => ((await work.getProperties()).approximateMessagesCount === 0 ? true : undefined),
      5000,
      'empty work queue',
    );
  });

  test('triggerMetadata.dequeueCount grows on each retry until the message succeeds', async () => {
    const { logs, queues } = await startHost();
    const work = queueClient(queues.WORK_QUEUE ?? '');
    await work.createIfNotExists();
    await work.sendMessage(b64(JSON.stringify({ failTimes: 2 })));
    await waitFor(() => executed(logs, 'recorder').find((l) => l.includes('Succeeded')), 15_000, 'success');
    const counts = logs
      .filter((l) => l.includes('[recorder] received'))
      .map((l) => /dequeueCount=(\d+)/.exec(l)?.[1]);
    expect(counts).toEqual(['1', '2', '3']);
    const lines = executed(logs, 'recorder');
    expect(lines.map((l) => (l.includes('Succeeded') ? 'ok' : 'failed'))).toEqual(['failed', 'failed', 'ok']);
    expect(await receiveAll(`${queues.WORK_QUEUE ?? ''}-poison`)).toEqual([]);
  });
});

describe('dev host: timers', () => {
  test('honours runOnStartup and a six-field NCRONTAB schedule with seconds', async () => {
    const { logs } = await startHost({ TICK_SCHEDULE: '*/1 * * * * *' });
    await waitFor(() => logs.some((l) => l.includes('[startup] startup ran')), 5000, 'startup timer');
    await waitFor(() => (executed(logs, 'tick').length >= 2 ? true : undefined), 5000, 'two ticks');
    expect(executed(logs, 'startup')).toHaveLength(1);
  });

  test('rejects a five-field cron expression like the host does', async () => {
    const host = createLocalHost({
      appRoot: FIXTURE,
      port: 0,
      storageConnectionString: connectionString(),
      env: {
        TICK_SCHEDULE: '*/5 * * * *',
        FAIL_QUEUE: 'a-q',
        WORK_QUEUE: 'b-q',
        FORWARD_QUEUE: 'c-q',
        OUT_QUEUE: 'd-q',
      },
      log: () => undefined,
    });
    await expect(host.start()).rejects.toThrow(/six fields/);
  });
});

describe('dev host: other host.json settings', () => {
  let dir: string;
  beforeAll(() => {
    // A copy of the fixture with an empty routePrefix and messageEncoding none.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostapp-'));
    fs.cpSync(FIXTURE, dir, { recursive: true });
    fs.symlinkSync(path.join(__dirname, '..', '..', 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const hostJson = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'host.json'), 'utf8')) as {
      extensions: { http: { routePrefix: string }; queues: Record<string, unknown> };
    };
    hostJson.extensions.http.routePrefix = '';
    hostJson.extensions.queues.messageEncoding = 'none';
    fs.writeFileSync(path.join(dir, 'host.json'), JSON.stringify(hostJson));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('an empty routePrefix serves routes at the root; messageEncoding none reads and writes plain text', async () => {
    const { host, logs, queues } = await startHost({}, dir);
    expect(await (await fetch(`${host.url}/items/latest`)).json()).toEqual({ function: 'itemLatest' });
    expect((await fetch(`${host.url}/v1/items/latest`)).status).toBe(404);

    const work = queueClient(queues.WORK_QUEUE ?? '');
    await work.createIfNotExists();
    await work.sendMessage('{"plain":true}');
    await waitFor(
      () => logs.find((l) => l.includes('[recorder] received type=object value={"plain":true}')),
      10_000,
      'plain message',
    );
    const forwarded = await waitFor(
      async () => {
        const peeked = await queueClient(queues.FORWARD_QUEUE ?? '').peekMessages();
        return peeked.peekedMessageItems[0]?.messageText;
      },
      5000,
      'forwarded',
    );
    expect(JSON.parse(forwarded)).toEqual({ forwarded: { plain: true } });
  });
});

/** A QueueClient stand-in that records every call, to check the listener's host.json semantics. */
class FakeQueue {
  readonly pending: QueueMessageItem[] = [];
  readonly receives: {
    at: number;
    numberOfMessages: number | undefined;
    visibilityTimeout: number | undefined;
  }[] = [];
  readonly updates: { id: string; popReceipt: string; visibilityTimeout: number | undefined }[] = [];
  readonly deletes: { id: string; popReceipt: string }[] = [];
  readonly sent: string[] = [];
  constructor(readonly name: string) {}
  async createIfNotExists() {
    return {};
  }
  async receiveMessages(options: { numberOfMessages?: number; visibilityTimeout?: number }) {
    this.receives.push({
      at: Date.now(),
      numberOfMessages: options.numberOfMessages,
      visibilityTimeout: options.visibilityTimeout,
    });
    return { receivedMessageItems: this.pending.splice(0, options.numberOfMessages ?? 1) };
  }
  async updateMessage(
    id: string,
    popReceipt: string,
    _message: string | undefined,
    visibilityTimeout?: number,
  ) {
    this.updates.push({ id, popReceipt, visibilityTimeout });
    return { popReceipt: `${popReceipt}+` };
  }
  async deleteMessage(id: string, popReceipt: string) {
    this.deletes.push({ id, popReceipt });
    return {};
  }
  async sendMessage(text: string) {
    this.sent.push(text);
    return {};
  }
}

interface QueueMessageItem {
  messageId: string;
  popReceipt: string;
  messageText: string;
  dequeueCount: number;
  insertedOn: Date;
  expiresOn: Date;
  nextVisibleOn: Date;
}

const item = (id: string, dequeueCount = 1, text = b64(`"${id}"`)): QueueMessageItem => ({
  messageId: id,
  popReceipt: `pr-${id}`,
  messageText: text,
  dequeueCount,
  insertedOn: new Date(),
  expiresOn: new Date(Date.now() + 86_400_000),
  nextVisibleOn: new Date(),
});

const settings = (overrides: Partial<QueueOptions> = {}): QueueOptions => ({
  batchSize: 4,
  newBatchThreshold: 2,
  maxPollingIntervalMs: 800,
  visibilityTimeoutMs: 0,
  maxDequeueCount: 3,
  messageEncoding: 'base64',
  ...overrides,
});

describe('dev host: queue listener semantics (fake queue client)', () => {
  const listeners: QueueListener[] = [];
  afterEach(async () => {
    await Promise.all(listeners.splice(0).map((l) => l.stop()));
  });

  function listen(
    queue: FakeQueue,
    poison: FakeQueue,
    options: QueueOptions,
    handler: (m: QueueMessage, body: string) => Promise<boolean>,
    leaseSeconds = 30,
  ) {
    const listener = new QueueListener({
      functionName: 'fake',
      queue: queue as unknown as QueueClient,
      poisonQueue: poison as unknown as QueueClient,
      settings: options,
      handler,
      log: () => undefined,
      leaseSeconds,
    });
    listeners.push(listener);
    listener.start();
    return listener;
  }

  test('receives batchSize messages and fetches again only when in-flight drops to newBatchThreshold', async () => {
    const queue = new FakeQueue('work');
    for (let i = 0; i < 10; i++) queue.pending.push(item(`m${i}`));
    const gates = new Map<string, () => void>();
    const running = new Set<string>();
    let openAll = false;
    const listener = listen(queue, new FakeQueue('work-poison'), settings(), (m) => {
      if (openAll) return Promise.resolve(true);
      running.add(m.id);
      return new Promise<boolean>((resolve) => gates.set(m.id, () => (running.delete(m.id), resolve(true))));
    });
    await waitFor(() => (running.size === 4 ? true : undefined), 5000, 'first batch');
    expect(queue.receives[0]).toMatchObject({ numberOfMessages: 4, visibilityTimeout: 30 });
    await new Promise((r) => setTimeout(r, 300));
    expect(queue.receives).toHaveLength(1);

    gates.get('m0')?.();
    await new Promise((r) => setTimeout(r, 300));
    expect(queue.receives).toHaveLength(1); // 3 in flight > threshold 2

    gates.get('m1')?.();
    await waitFor(() => (running.size === 6 ? true : undefined), 5000, 'second batch');
    expect(queue.receives).toHaveLength(2);
    expect(queue.deletes.map((d) => d.id).sort()).toEqual(['m0', 'm1']);
    openAll = true;
    for (const open of gates.values()) open();
    await waitFor(() => (queue.pending.length === 0 ? true : undefined), 5000, 'remaining messages');
    await listener.drain();
    expect(queue.deletes).toHaveLength(10);
  });

  test('backs off exponentially from 100 ms to maxPollingInterval while empty, and resets when a message arrives', async () => {
    const queue = new FakeQueue('idle');
    const handled: string[] = [];
    listen(queue, new FakeQueue('idle-poison'), settings({ maxPollingIntervalMs: 800 }), async (m) => {
      handled.push(m.id);
      return true;
    });
    await waitFor(() => (queue.receives.length >= 6 ? true : undefined), 10_000, 'six empty polls');
    const gaps = queue.receives.slice(1, 6).map((r, i) => r.at - (queue.receives[i]?.at ?? 0));
    expect(gaps[0]).toBeGreaterThanOrEqual(90);
    expect(gaps[0]).toBeLessThan(400);
    expect(gaps[2]).toBeGreaterThan((gaps[0] ?? 0) * 2); // grows
    expect(Math.max(...gaps)).toBeLessThan(800 + 400); // capped
    expect(gaps[4]).toBeGreaterThanOrEqual(700); // reached the cap

    queue.pending.push(item('late'));
    await waitFor(() => (handled.includes('late') ? true : undefined), 5000, 'late message');
    const after = queue.receives.length;
    await waitFor(() => (queue.receives.length >= after + 2 ? true : undefined), 5000, 'fast polls');
    const fast = queue.receives.slice(after - 1, after + 2).map((r) => r.at);
    expect((fast[2] ?? 0) - (fast[1] ?? 0)).toBeLessThan(400); // back to fast polling
  });

  test('renews the lease of a long-running message, then applies visibilityTimeout on failure', async () => {
    const queue = new FakeQueue('slow');
    const poison = new FakeQueue('slow-poison');
    queue.pending.push(item('slow'));
    const listener = listen(
      queue,
      poison,
      settings({ visibilityTimeoutMs: 5000 }),
      () => new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1300)),
      1,
    );
    await waitFor(
      () => (queue.updates.some((u) => u.visibilityTimeout === 5) ? true : undefined),
      5000,
      'failure update',
    );
    await listener.drain();
    const renewals = queue.updates.filter((u) => u.visibilityTimeout === 1);
    expect(renewals.length).toBeGreaterThanOrEqual(2);
    // Each renewal and the final update use the pop receipt the previous call returned.
    expect(queue.updates.map((u) => u.popReceipt)).toEqual(
      queue.updates.map((_, i) => `pr-slow${'+'.repeat(i)}`),
    );
    expect(queue.deletes).toEqual([]);
    expect(poison.sent).toEqual([]);
  });

  test('moves the last failed attempt and invalid base64 to the poison queue with the original content', async () => {
    const queue = new FakeQueue('bad');
    const poison = new FakeQueue('bad-poison');
    queue.pending.push(item('last', 3), item('garbage', 1, 'not base64!'));
    let calls = 0;
    const listener = listen(queue, poison, settings(), async () => {
      calls++;
      return false;
    });
    await waitFor(
      () => (poison.sent.length === 1 && queue.updates.length === 1 ? true : undefined),
      5000,
      'settled',
    );
    await listener.drain();
    expect(calls).toBe(1); // the garbage message never reaches the function
    expect(poison.sent).toEqual([b64('"last"')]);
    expect(queue.deletes).toEqual([{ id: 'last', popReceipt: 'pr-last' }]);
    expect(queue.updates).toEqual([{ id: 'garbage', popReceipt: 'pr-garbage', visibilityTimeout: 0 }]);
  });
});

describe('dev/settings loadLocalSettings', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'settings-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('falls back to local.settings.example.json; environment variables override Values', () => {
    fs.writeFileSync(
      path.join(dir, 'local.settings.example.json'),
      JSON.stringify({ IsEncrypted: false, Values: { A: 'from-example', B: 'kept', N: 5 } }),
    );
    expect(loadLocalSettings(dir, { A: 'from-env', UNRELATED: 'x' })).toEqual({
      A: 'from-env',
      B: 'kept',
      N: '5',
    });
  });

  test('prefers local.settings.json over the example', () => {
    fs.writeFileSync(
      path.join(dir, 'local.settings.example.json'),
      JSON.stringify({ Values: { A: 'example' } }),
    );
    fs.writeFileSync(path.join(dir, 'local.settings.json'), JSON.stringify({ Values: { A: 'personal' } }));
    expect(loadLocalSettings(dir, {})).toEqual({ A: 'personal' });
  });

  test('returns an empty map when neither file exists', () => {
    expect(loadLocalSettings(dir, {})).toEqual({});
  });
});

describe('dev/start settings precedence', () => {
  test('service locations beat the file, modes sit under it, the environment beats both', () => {
    const file = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', EMAIL_TRANSPORT: 'acs', OTHER: 'file' };
    const wiring = { AzureWebJobsStorage: 'azurite-cs', SMTP_PORT: '1025' };
    const defaults = { EMAIL_TRANSPORT: 'smtp', GRAPH_STATIC_TOKEN: 'dev-token' };
    expect(stackSettings(file, {}, wiring, defaults)).toEqual({
      AzureWebJobsStorage: 'azurite-cs',
      SMTP_PORT: '1025',
      EMAIL_TRANSPORT: 'acs',
      GRAPH_STATIC_TOKEN: 'dev-token',
      OTHER: 'file',
    });
    expect(
      stackSettings(file, { SMTP_PORT: '2525', GRAPH_STATIC_TOKEN: 'env-token' }, wiring, defaults),
    ).toMatchObject({
      SMTP_PORT: '2525',
      GRAPH_STATIC_TOKEN: 'env-token',
    });
  });
});

describe('dev/start port check', () => {
  test('names every stack port that is already taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const takenPort = (blocker.address() as net.AddressInfo).port;
    try {
      const ports = resolveStackPorts({ AZURITE_QUEUE_PORT: String(takenPort), FUNCTIONS_PORT: '0' });
      expect(ports.find((p) => p.name === 'Azurite queue')?.port).toBe(takenPort);
      const taken = await findTakenPorts(ports.filter((p) => p.port !== 0));
      expect(taken.map((p) => `${p.name}:${p.port}`)).toContain(`Azurite queue:${takenPort}`);
      expect(taken.every((p) => p.port === takenPort)).toBe(true);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  test('reads every port override from the environment, with the documented defaults', () => {
    const defaults = Object.fromEntries(resolveStackPorts({}).map((p) => [p.name, p.port]));
    expect(defaults).toEqual({
      'Functions host': 7071,
      'Azurite blob': 10000,
      'Azurite queue': 10001,
      'Azurite table': 10002,
      'maildev SMTP': 1025,
      'maildev web': 1080,
      'Graph emulator': 7072,
    });
    const overridden = resolveStackPorts({
      PORT: '8000',
      AZURITE_BLOB_PORT: '20000',
      AZURITE_TABLE_PORT: '20002',
      MAILDEV_SMTP_PORT: '2525',
      MAILDEV_WEB_PORT: '2080',
      GRAPH_EMULATOR_PORT: '8072',
    });
    expect(Object.fromEntries(overridden.map((p) => [p.name, p.port]))).toMatchObject({
      'Functions host': 8000,
      'Azurite blob': 20000,
      'Azurite table': 20002,
      'maildev SMTP': 2525,
      'maildev web': 2080,
      'Graph emulator': 8072,
    });
    expect(() => resolveStackPorts({ PORT: 'abc' })).toThrow(/PORT/);
  });

  test('reports two services configured on the same port', async () => {
    const port = String(await freePort());
    const ports = resolveStackPorts({ FUNCTIONS_PORT: port, MAILDEV_WEB_PORT: port }).filter(
      (p) => p.port === Number(port),
    );
    const taken = await findTakenPorts(ports);
    expect(taken).toEqual([
      expect.objectContaining({
        name: 'maildev web',
        port: Number(port),
        reason: 'also configured for Functions host',
      }),
    ]);
  });
});
