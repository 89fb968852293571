/** Load generation (autocannon and paced open-loop starts, verifies) and seeding flows through the app's stores. */
import http from 'node:http';
import autocannon from 'autocannon';
import { createTableClient } from '../shared/adapters/storageClients';
import { TableAddressStore, TableSignupStore } from '../shared/adapters/tableStores';
import { hashCode, keyedHash, newSignupId } from '../shared/domain/codes';
import { newFlow, type SignupFlow, transition } from '../shared/domain/signupFlow';
import { TABLES } from '../shared/storageNames';
import { sleep } from '../dev/stack/client';
import { median, percentile } from '../dev/stats';

export interface LoadRun {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  status5xx: number;
}

export interface LoadSummary {
  runs: LoadRun[];
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  non2xx: number;
  errors: number;
  status5xx: number;
}

export function summarize(runs: LoadRun[]): LoadSummary {
  return {
    runs,
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p95: median(runs.map((r) => r.p95)),
    p99: median(runs.map((r) => r.p99)),
    non2xx: runs.reduce((s, r) => s + r.non2xx, 0),
    errors: runs.reduce((s, r) => s + r.errors, 0),
    status5xx: runs.reduce((s, r) => s + r.status5xx, 0),
  };
}

let ipCounter = 0;
/** One of 10,000 client addresses, as many real users behind TRUSTED_PROXY_HOPS=2 would be. */
export function nextIp(): string {
  const i = ipCounter++ % 10_000;
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

export function runAutocannon(options: autocannon.Options): Promise<LoadRun> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let status5xx = 0;
    const instance = autocannon({ ...options, timeout: 10 }, (error: unknown, result: autocannon.Result) => {
      if (error) return reject(error instanceof Error ? error : new Error('autocannon failed'));
      const ok = result['2xx'];
      resolve({
        rps: ok / result.duration,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        ok,
        non2xx: result.non2xx,
        errors: result.errors,
        status5xx,
      });
    });
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
      if (statusCode >= 500) status5xx++;
    });
  });
}

let addressCounter = 0;
export const runTag = Date.now().toString(36);
export const nextAddress = (prefix: string) => `${prefix}.${runTag}.${addressCounter++}@fabrikam.com`;

export function startLoad(url: string, connections: number, durationS: number): Promise<LoadRun> {
  return runAutocannon({
    url,
    connections,
    duration: durationS,
    requests: [
      {
        method: 'POST',
        path: '/api/signups',
        setupRequest: (req) => ({
          ...req,
          headers: { 'content-type': 'application/json', 'x-forwarded-for': nextIp() },
          body: JSON.stringify({ email: nextAddress('load') }),
        }),
      },
    ],
  });
}

/**
 * Open-loop load: starts at evenly spaced instants (rate per second) over a pool of at most `connections`
 * keep-alive connections, whatever the answers do. autocannon's own rate limit sends each second's
 * requests in one burst, which measures queueing behind the burst rather than the work.
 */
export async function pacedStartLoad(
  url: string,
  connections: number,
  durationS: number,
  rate: number,
): Promise<LoadRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let status5xx = 0;
  const inFlight = new Set<Promise<void>>();
  const began = performance.now();
  const total = Math.round(rate * durationS);
  for (let i = 0; i < total; i++) {
    const due = began + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const body = JSON.stringify({ email: nextAddress('paced') });
    const sent = performance.now();
    const request = new Promise<void>((resolve) => {
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: '/api/signups',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'x-forwarded-for': nextIp(),
          },
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - sent);
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) ok++;
            else non2xx++;
            if (status >= 500) status5xx++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.on('timeout', () => req.destroy());
      req.end(body);
    });
    inFlight.add(request);
    void request.then(() => inFlight.delete(request));
  }
  await Promise.all([...inFlight]);
  agent.destroy();
  const seconds = (performance.now() - began) / 1000;
  return {
    rps: ok / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    ok,
    non2xx,
    errors,
    status5xx,
  };
}

export function verifyLoad(url: string, connections: number, flows: SeededFlow[]): Promise<LoadRun> {
  let next = 0;
  return runAutocannon({
    url,
    connections,
    amount: flows.length,
    requests: [
      {
        method: 'POST',
        path: '/api/signups/x/verify',
        setupRequest: (req) => {
          const flow = flows[next++ % flows.length];
          return {
            ...req,
            path: `/api/signups/${flow?.signupId ?? 'x'}/verify`,
            headers: { 'content-type': 'application/json', 'x-forwarded-for': nextIp() },
            body: JSON.stringify({ code: flow?.code ?? '000000' }),
          };
        },
      },
    ],
  });
}

export interface SeededFlow {
  signupId: string;
  code: string;
  email: string;
}

export const FLOW_LIMITS = {
  codeTtlMinutes: 120,
  codeMaxSubmissions: 5,
  flowMaxFailures: 10,
  resendCooldownSeconds: 60,
};

export function pendingFlow(secret: string, email: string, now: Date): SignupFlow {
  return newFlow({
    signupId: newSignupId(),
    email,
    canonicalEmail: email,
    addressKey: keyedHash(secret, 'address', email),
    domain: email.slice(email.indexOf('@') + 1),
    locale: 'en',
    correlationId: newSignupId(),
    now,
    flowTtlHours: 24,
  });
}

export async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

/** Flows waiting for their code, with a known code: HMAC written exactly as the email function does. */
export async function seedCodeFlows(
  connectionString: string,
  secret: string,
  count: number,
): Promise<SeededFlow[]> {
  const signups = new TableSignupStore(createTableClient({ connectionString }, TABLES.signups));
  const addresses = new TableAddressStore(createTableClient({ connectionString }, TABLES.addresses));
  const seeded: SeededFlow[] = [];
  const now = new Date();
  await inParallel(
    Array.from({ length: count }, (_, i) => i),
    48,
    async (i) => {
      const email = nextAddress('verify');
      const code = String(100_000 + (i % 900_000));
      let flow = pendingFlow(secret, email, now);
      flow = transition(
        flow,
        { type: 'code_issued', codeHash: hashCode(secret, flow.signupId, code) },
        now,
        FLOW_LIMITS,
      );
      flow = transition(flow, { type: 'code_emailed', request: flow.codeRequests }, now, FLOW_LIMITS);
      await signups.create(flow);
      await addresses.setCurrentSignup(flow.addressKey, flow.signupId);
      seeded.push({ signupId: flow.signupId, code, email });
    },
  );
  return seeded;
}
