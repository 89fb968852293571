/**
 * Observability and tenant readiness on the dev host (Azurite, SMTP catcher, Graph emulator), with the
 * app's OTLP exporter pointed at a receiver in this test: nothing leaves the machine.
 * - One sign-up is one trace: start → code email → verify → provisioning (Graph) → account-ready email,
 *   with Azure Storage spans from the SDK, and the counters count it once.
 * - GET /api/admin/readiness: all pass against the default emulator; each simulated misconfiguration
 *   (POST /_emulator/tenant, the run-time policy, a 403 injected on the message trace) turns exactly its
 *   check to warn/fail, with a fix.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { emulatorAccessToken } from '../../dev/graph-emulator/tenant';
import { ADMIN_KEY, api, codeIn, startTestStack, type TestStack, waitFor } from '../support/stack';

jest.setTimeout(180_000);

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: OtlpAttribute[];
}
interface OtlpPoint {
  attributes?: OtlpAttribute[];
  asInt?: string | number;
  asDouble?: number;
}
interface OtlpMetric {
  name: string;
  sum?: { dataPoints: OtlpPoint[] };
  gauge?: { dataPoints: OtlpPoint[] };
}

/** A minimal OTLP/HTTP JSON receiver: keeps every span and every metrics export. */
class OtlpReceiver {
  readonly spans: OtlpSpan[] = [];
  readonly metricExports: OtlpMetric[][] = [];
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown[]>;
      if (req.url === '/v1/traces') {
        for (const rs of (body.resourceSpans ?? []) as Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>)
          for (const ss of rs.scopeSpans) this.spans.push(...ss.spans);
      } else if (req.url === '/v1/metrics') {
        const metrics: OtlpMetric[] = [];
        for (const rm of (body.resourceMetrics ?? []) as Array<{
          scopeMetrics: Array<{ metrics: OtlpMetric[] }>;
        }>)
          for (const sm of rm.scopeMetrics) metrics.push(...sm.metrics);
        this.metricExports.push(metrics);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
  /** Latest cumulative value of a counter by its attributes (`key=value,…`). */
  counter(name: string): Record<string, number> {
    for (const metrics of [...this.metricExports].reverse()) {
      const metric = metrics.find((m) => m.name === name);
      if (!metric) continue;
      return Object.fromEntries(
        (metric.sum?.dataPoints ?? []).map((p) => [attrs(p.attributes), Number(p.asInt ?? p.asDouble ?? 0)]),
      );
    }
    return {};
  }
  gaugeNames(): Set<string> {
    return new Set(
      this.metricExports
        .flat()
        .filter((m) => m.gauge)
        .map((m) => m.name),
    );
  }
}

const attrs = (list: OtlpAttribute[] = []) =>
  list
    .map(
      (a) =>
        `${a.key}=${a.value.stringValue ?? a.value.intValue ?? a.value.doubleValue ?? a.value.boolValue}`,
    )
    .sort()
    .join(',');

describe('one sign-up is one trace, counted once', () => {
  const receiver = new OtlpReceiver();
  let stack: TestStack | undefined;

  afterAll(async () => {
    await stack?.stop();
    await receiver.stop();
  });

  test('start → code email → verify → provision → account-ready email share one trace id', async () => {
    const endpoint = await receiver.start();
    stack = await startTestStack({
      OTEL_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
    });
    const email = `trace.${Date.now().toString(36)}@fabrikam.com`;
    const started = await api(stack, 'POST', '/api/signups', { email, locale: 'en' });
    expect(started.status).toBe(202);
    const signupId = started.json.signupId as string;
    const codeMail = await stack.smtp.waitFor((m) => m.to.includes(email), 15_000);
    const verified = await api(stack, 'POST', `/api/signups/${signupId}/verify`, {
      code: codeIn(codeMail.text),
    });
    expect(verified.status).toBe(200);
    await waitFor(
      async () =>
        (await api(stack!, 'GET', `/api/signups/${signupId}`)).json.status === 'ready' ? true : undefined,
      60_000,
      'the sign-up to be ready',
    );
    await stack.smtp.waitFor((m) => m.to.includes(email) && m !== codeMail, 15_000);
    // Stopping the host runs appTerminate, which flushes the last spans and metrics.
    await stack.host.stop();

    const root = receiver.spans.find((s) => s.name === 'POST signupStart');
    expect(root).toBeDefined();
    const trace = receiver.spans.filter((s) => s.traceId === root!.traceId);
    const names = trace.map((s) => s.name);
    for (const hop of [
      'signup-email send',
      'signup-email process',
      'email send',
      'signup verified',
      'signup-provision send',
      'signup-provision process',
      'graph findUserByEmail',
      'graph inviteGuest',
    ]) {
      expect(names).toContain(hop);
    }
    // Two email hops (code and account-ready), each sending once (identity first: no group add).
    expect(names.filter((n) => n === 'signup-email process')).toHaveLength(2);
    expect(names.filter((n) => n === 'email send')).toHaveLength(2);
    // Azure SDK spans (Table and Queue storage) join the same trace through @azure/core-tracing.
    expect(trace.some((s) => (s.attributes ?? []).some((a) => a.key === 'az.namespace'))).toBe(true);
    // Every span but the root has its parent inside the trace: no hop started a trace of its own.
    const ids = new Set(trace.map((s) => s.spanId));
    expect(trace.filter((s) => s !== root && !ids.has(s.parentSpanId ?? ''))).toEqual([]);
    // The verify request itself is another trace; its 'signup verified' child lives in the sign-up's.
    expect(receiver.spans.find((s) => s.name === 'POST signupVerify')?.traceId).not.toBe(root!.traceId);

    expect(receiver.counter('signups.started')).toEqual({ 'outcome=accepted': 1 });
    expect(receiver.counter('signups.verified')).toEqual({ 'outcome=verified': 1 });
    expect(receiver.counter('signups.ready')).toEqual({ 'outcome=guest_created': 1 });
    expect(receiver.counter('email.sent')).toEqual({ 'kind=verification_code': 1, 'kind=account_ready': 1 });
    expect(receiver.counter('signups.failed')).toEqual({});
    const graph = receiver.counter('graph.requests');
    expect(Object.values(graph).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
    expect(Object.keys(graph).every((k) => /^status=2\d\d$/.test(k))).toBe(true);
    expect(receiver.gaugeNames()).toEqual(new Set(['budget.utilisation', 'queue.age']));
  });
});

describe('tenant readiness over HTTP', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ GRAPH_STATIC_TOKEN: emulatorAccessToken() });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const readiness = async () => {
    const res = await api(stack, 'GET', '/api/admin/readiness', undefined, { 'x-functions-key': ADMIN_KEY });
    expect(res.status).toBe(200);
    return res.json.checks as Array<{ id: string; status: string; message: string; fix: string }>;
  };
  const tenant = (body: object) =>
    fetch(`${stack.graph.url}/_emulator/tenant`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  test('the default emulator tenant passes every check', async () => {
    const checks = await readiness();
    expect(checks.length).toBeGreaterThanOrEqual(9);
    expect(checks.filter((c) => c.status !== 'pass')).toEqual([]);
  });

  test('without the admin key: 401', async () => {
    expect((await api(stack, 'GET', '/api/admin/readiness')).status).toBe(401);
  });

  test.each([
    [{ guestUserRoleId: '10dae51f-b6af-4016-8d66-8c2a99b929b3' }, 'guest_access_restricted', 'warn'],
    [{ allowInvitesFrom: 'none' }, 'guest_invitations', 'fail'],
    [{ emailOtpEnabled: false }, 'email_otp', 'fail'],
    [{ inboundB2bAllowed: false }, 'inbound_b2b', 'fail'],
    [{ blockedDomains: ['gmail.com'] }, 'invitation_domains', 'warn'],
  ])('tenant %j → only %s turns %s, with a fix', async (misconfiguration, id, status) => {
    expect((await tenant(misconfiguration)).status).toBe(200);
    try {
      const bad = (await readiness()).filter((c) => c.status !== 'pass');
      expect(bad.map((c) => [c.id, c.status])).toEqual([[id, status]]);
      expect(bad[0]!.fix).not.toBe('');
    } finally {
      await fetch(`${stack.graph.url}/_emulator/reset`, { method: 'POST' });
    }
  });

  const putPolicy = async (access: object) => {
    const res = await api(
      stack,
      'PUT',
      '/api/admin/policy',
      { signupsPaused: false, allowedDomains: [], blockedDomains: [], pausedDomains: [], ...access },
      { 'x-functions-key': ADMIN_KEY },
    );
    expect(res.status).toBe(200);
  };
  const notPassing = async () =>
    (await readiness()).filter((c) => c.status !== 'pass').map((c) => [c.id, c.status, c.fix]);

  test('enrolment approval with an approver passes approvers (the admin API refuses one without)', async () => {
    try {
      await putPolicy({ enrolment: 'approval', approvers: ['boss@contoso.com'] });
      const checks = await readiness();
      expect(checks.filter((c) => c.status !== 'pass')).toEqual([]);
      expect(checks.find((c) => c.id === 'approvers')?.message).toContain('1 approver(s)');
    } finally {
      await putPolicy({ enrolment: 'open' });
    }
  });

  test('proof of send: the message trace probe passes; a 403 on it → only message_trace fails, naming the permission', async () => {
    try {
      await putPolicy({ enrolment: 'proof_of_send' });
      expect(await notPassing()).toEqual([]);
      const fault = await fetch(`${stack.graph.url}/_emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          method: 'GET',
          path: '/v1.0/admin/exchange/tracing/messageTraces',
          status: 403,
        }),
      });
      expect(fault.status).toBe(201);
      expect(await notPassing()).toEqual([
        ['message_trace', 'fail', expect.stringContaining('ExchangeMessageTrace.Read.All')],
      ]);
    } finally {
      await fetch(`${stack.graph.url}/_emulator/reset`, { method: 'POST' });
      await putPolicy({ enrolment: 'open' });
    }
  });
});
