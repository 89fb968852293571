/**
 * The public door through the dev Functions host over HTTP (req 16, 20, 33): the proof-of-work challenge with
 * CHALLENGE_MODE=altcha, IPv6 clients limited per /64, and a 50 MB chunked body refused without the
 * host process's memory growing.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';

import { createChallenge } from '../../shared/domain/altcha';
import { keyedHash } from '../../shared/domain/codes';
import { spawnHost, type HostProcess } from '../../dev/stack/hostProcess';
import { freePort } from '../../dev/stack/processes';
import { type ChallengeJson, fetchSolvedChallenge, solveChallenge } from '../support/challenge';
import { startTestStack, type TestStack } from '../support/stack';

let counter = 0;
const address = () => `door.${Date.now().toString(36)}${counter++}@northwind-test.com`;

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
  return { status: res.status, code: json.error?.code };
}

describe('proof of work through the dev host (req 20, CHALLENGE_MODE=altcha)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ CHALLENGE_MODE: 'altcha' });
  }, 60_000);
  afterAll(async () => stack?.stop(), 30_000);

  test('GET /api/challenge → 200, no-store, the ALTCHA fields', async () => {
    const res = await fetch(`${stack.url}/api/challenge`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    for (const key of ['algorithm', 'challenge', 'salt', 'signature', 'maxnumber'])
      expect(body).toHaveProperty(key);
  });

  test('no challenge → challenge_required; garbage → challenge_failed; nothing is started', async () => {
    expect(await post(`${stack.url}/api/signups`, { email: address() })).toEqual({
      status: 400,
      code: 'challenge_required',
    });
    expect(
      await post(`${stack.url}/api/signups`, { email: address(), altcha: 'bm90IGEgc29sdXRpb24=' }),
    ).toEqual({
      status: 400,
      code: 'challenge_failed',
    });
  });

  test('a solved challenge is accepted once; its replay is refused', async () => {
    const altcha = await fetchSolvedChallenge(stack.url);
    expect((await post(`${stack.url}/api/signups`, { email: address(), altcha })).status).toBe(202);
    expect(await post(`${stack.url}/api/signups`, { email: address(), altcha })).toEqual({
      status: 400,
      code: 'challenge_failed',
    });
  });

  test('an expired challenge (signed with the real key, 5 minutes ago) is refused', async () => {
    const key = keyedHash(stack.settings.CODE_HMAC_SECRET ?? '', 'altcha-challenge-key', 'v1');
    const old = await createChallenge({
      hmacKey: key,
      maxnumber: 1000,
      expires: new Date(Date.now() - 1000),
    });
    const altcha = solveChallenge({ ...(old as ChallengeJson), maxnumber: 1000 });
    expect(await post(`${stack.url}/api/signups`, { email: address(), altcha })).toEqual({
      status: 400,
      code: 'challenge_failed',
    });
  });

  test('resend takes its own solution', async () => {
    const started = await fetch(`${stack.url}/api/signups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: address(), altcha: await fetchSolvedChallenge(stack.url) }),
    });
    const { signupId } = (await started.json()) as { signupId: string };
    expect(await post(`${stack.url}/api/signups/${signupId}/resend`, {})).toEqual({
      status: 400,
      code: 'challenge_required',
    });
  });
});

describe('per-client limits through the dev host (req 16, 18; review M4)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // Two hops: the client's X-Forwarded-For entry is the one our (pretend) front door appended.
    stack = await startTestStack({ TRUSTED_PROXY_HOPS: '2', IP_STARTS_PER_MINUTE: '2' });
  }, 60_000);
  afterAll(async () => stack?.stop(), 30_000);

  const start = async (ip: string) =>
    (await post(`${stack.url}/api/signups`, { email: address() }, { 'x-forwarded-for': ip })).status;

  test('two IPv6 addresses in one /64 share one limit; another /64 does not', async () => {
    expect(await start('2001:db8:aa:1::1')).toBe(202);
    expect(await start('2001:DB8:AA:1:0:0:0:2')).toBe(202);
    expect(await start('2001:db8:aa:1:ffff::3')).toBe(429);
    expect(await start('2001:db8:aa:2::1')).toBe(202);
  });
});

describe('a 50 MB body (review L6)', () => {
  let stack: TestStack;
  let host: HostProcess;
  beforeAll(async () => {
    stack = await startTestStack();
    host = await spawnHost({ port: await freePort(), settings: stack.settings });
  }, 60_000);
  afterAll(async () => {
    await host?.stop();
    await stack?.stop();
  }, 30_000);

  const rssKb = (pid: number) =>
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

  /** Streams `megabytes` of JSON-ish bytes as a chunked body; resolves the status (or the socket error). */
  const sendChunked = (megabytes: number) =>
    new Promise<number | string>((resolve) => {
      const req = http.request(`${host.url}/api/signups`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < megabytes) {
          sent++;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });

  test('is refused with 413 and the host process grows by less than 10 MB', async () => {
    const pid = host.child.pid ?? 0;
    await post(`${host.url}/api/signups`, { email: address() }); // warm the app up first
    const before = rssKb(pid);
    const outcome = await sendChunked(50);
    const after = rssKb(pid);
    expect([413, 'EPIPE', 'ECONNRESET']).toContain(outcome);
    expect((after - before) / 1024).toBeLessThan(10);
  });
});
