/**
 * The bare baseline for `npm run bench`: a plain node:http server that does the storage work of a
 * sign-up start directly with the same SDK clients and nothing else — no Functions host, no programming
 * model, no validation library, no address parsing or domain policy, no logging. Its throughput is the
 * ceiling the app is compared with (target: ours ÷ baseline ≥ 0.8).
 *
 * Per request, as shared/services/signupService.ts `start` does:
 *   1. rate limit: get the per-IP window entity, then insert it or replace it with its ETag (412/409 → retry);
 *   2. insert the flow entity (the same fields as a new flow) and its audit row, in one batch in the flow's
 *      partition;
 *   3. upsert-merge the address pointer;
 *   4. send the base64 JSON message to the email queue.
 * The policy read is left out (the app caches it for 5 s, so it costs nothing per request).
 *
 *   BASELINE_PORT=0 AzureWebJobsStorage=... CODE_HMAC_SECRET=... node dist/bench/baseline.js
 * prints `baseline ready <url>`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';

import { QUEUES, TABLES } from '../shared/storageNames';

const connectionString = process.env.AzureWebJobsStorage ?? '';
const secret = process.env.CODE_HMAC_SECRET ?? 'baseline-secret-0123456789-0123456789';
const table = (name: string) =>
  TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
const signups = table(TABLES.signups);
const addresses = table(TABLES.addresses);
const limits = table(TABLES.rateLimits);
const emailQueue = new QueueClient(connectionString, QUEUES.email);

const hash = (purpose: string, value: string) =>
  createHmac('sha256', secret).update(`${purpose}\u0000${value}`).digest('base64url').slice(0, 32);

const statusOf = (error: unknown) => (error as { statusCode?: number }).statusCode;

async function consumeIpLimit(key: string, now: number): Promise<boolean> {
  for (let race = 0; race < 20; race++) {
    let windows: Record<string, { start: number; count: number }> = {};
    let etag: string | undefined;
    try {
      const e = await limits.getEntity<{ windows?: string }>(key, 'limits');
      windows = e.windows ? (JSON.parse(e.windows) as typeof windows) : {};
      etag = e.etag;
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    const minute = Math.floor(now / 60_000) * 60_000;
    const hour = Math.floor(now / 3_600_000) * 3_600_000;
    const m = windows.minute?.start === minute ? windows.minute.count : 0;
    const h = windows.hour?.start === hour ? windows.hour.count : 0;
    if (m >= 100_000 || h >= 1_000_000) return false;
    const entity = {
      partitionKey: key,
      rowKey: 'limits',
      windows: JSON.stringify({
        minute: { start: minute, count: m + 1 },
        hour: { start: hour, count: h + 1 },
      }),
    };
    try {
      if (etag) await limits.updateEntity(entity, 'Replace', { etag });
      else await limits.createEntity(entity);
      return true;
    } catch (error) {
      if (statusOf(error) !== 412 && statusOf(error) !== 409) throw error;
    }
  }
  throw new Error('contention');
}

async function start(email: string, ip: string): Promise<Record<string, string>> {
  const now = Date.now();
  const at = new Date(now).toISOString();
  if (!(await consumeIpLimit(`start-ip-${hash('ip', ip)}`, now)))
    throw Object.assign(new Error('limited'), { status: 429 });
  const signupId = randomBytes(18).toString('base64url');
  const lower = email.toLowerCase();
  const addressKey = hash('address', lower);
  const domain = lower.slice(lower.lastIndexOf('@') + 1);
  await signups.submitTransaction([
    [
      'create',
      {
        partitionKey: signupId,
        rowKey: 'flow',
        signupId,
        status: 'pending_verification',
        email,
        canonicalEmail: lower,
        addressKey,
        domain,
        locale: 'en',
        correlationId: randomBytes(16).toString('hex'),
        createdAt: at,
        expiresAt: new Date(now + 24 * 3_600_000).toISOString(),
        codeRequests: 1,
        codeRequestedAt: at,
        codeVersion: 0,
        codeSubmissions: 0,
        emailedRequest: 0,
        failedSubmissions: 0,
        provisionAttempts: 0,
      },
    ],
    [
      'create',
      {
        partitionKey: signupId,
        rowKey: `audit-${at}-${randomBytes(4).toString('hex')}`,
        type: 'started',
        at,
        actor: 'recipient',
        signupId,
        addressHash: addressKey,
        domain,
      },
    ],
  ]);
  await addresses.upsertEntity(
    { partitionKey: addressKey, rowKey: 'address', currentSignupId: signupId },
    'Merge',
  );
  await emailQueue.sendMessage(
    Buffer.from(JSON.stringify({ signupId, kind: 'verification_code' })).toString('base64'),
  );
  return {
    signupId,
    status: 'pending_verification',
    codeExpiresAt: new Date(now + 600_000).toISOString(),
    resendAvailableAt: new Date(now + 60_000).toISOString(),
  };
}

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/api/signups') return reply(res, 404, { error: 'not_found' });
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= 4096) chunks.push(chunk);
  });
  req.on('end', () => {
    let email: unknown;
    try {
      email = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { email?: unknown }).email;
    } catch {
      email = undefined;
    }
    if (typeof email !== 'string' || !email.includes('@') || size > 4096)
      return reply(res, 400, { error: 'invalid_request' });
    // The client-supplied X-Forwarded-For hop: the one the app reads with TRUSTED_PROXY_HOPS=2 once the dev
    // host has appended the socket address.
    const hops = String(req.headers['x-forwarded-for'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const ip = hops[hops.length - 1] ?? req.socket.remoteAddress ?? 'unknown';
    start(email, ip).then(
      (body) => reply(res, 202, body),
      (error: unknown) => reply(res, (error as { status?: number }).status ?? 500, { error: 'failed' }),
    );
  });
});
server.keepAliveTimeout = 5000;
server.listen(Number(process.env.BASELINE_PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`baseline ready http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
