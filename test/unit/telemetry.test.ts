/**
 * The OpenTelemetry side of the ports, with the SDK's in-memory exporter and reader: spans nest, the
 * trace context crosses a queue message, a forged traceparent starts afresh, counters count.
 */
import { context, metrics as otelMetrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

import type { QueuePublisher } from '../../shared/ports';
import { createOtelMetrics, otelTracing, validCarrier } from '../../shared/telemetry/otel';
import { telemetryExporter } from '../../shared/telemetry';
import { TracedQueuePublisher } from '../../shared/telemetry/traced';
import { QUEUES } from '../../shared/storageNames';

const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({
  exporter: metricExporter,
  exportIntervalMillis: 3_600_000,
});

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
  );
  otelMetrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
});
afterAll(() => {
  trace.disable();
  otelMetrics.disable();
  propagation.disable();
  context.disable();
});
beforeEach(() => spans.reset());

class CapturingPublisher implements QueuePublisher {
  sent: Array<Record<string, unknown>> = [];
  async send(_queue: string, message: Record<string, unknown>) {
    this.sent.push(message);
  }
}

test('a queue send carries the trace context inside the message; the consumer continues that trace', async () => {
  const inner = new CapturingPublisher();
  const queue = new TracedQueuePublisher(inner, otelTracing);
  await otelTracing.inSpan('POST signups', { kind: 'server' }, () =>
    queue.send(QUEUES.email, { signupId: 's1' }),
  );
  const message = inner.sent[0]!;
  expect(message).toMatchObject({ signupId: 's1', traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-/) });

  await otelTracing.inSpan('email process', { kind: 'consumer', parent: validCarrier(message) }, () =>
    otelTracing.inSpan('smtp deliver', { kind: 'client' }, () => Promise.resolve()),
  );
  const byName = Object.fromEntries(spans.getFinishedSpans().map((s) => [s.name, s]));
  expect(Object.keys(byName).sort()).toEqual([
    'POST signups',
    'email process',
    'signup-email send',
    'smtp deliver',
  ]);
  expect(new Set(Object.values(byName).map((s) => s.spanContext().traceId)).size).toBe(1);
  const parentOf = (name: string) => byName[name]!.parentSpanContext?.spanId;
  expect(parentOf('signup-email send')).toBe(byName['POST signups']!.spanContext().spanId);
  expect(parentOf('email process')).toBe(byName['signup-email send']!.spanContext().spanId);
  expect(parentOf('smtp deliver')).toBe(byName['email process']!.spanContext().spanId);
});

test('a forged or malformed traceparent is ignored: the consumer starts a new trace', () => {
  expect(
    validCarrier({ traceparent: '00-00000000000000000000000000000000-0000000000000000-01' }),
  ).toBeUndefined();
  expect(validCarrier({ traceparent: 'x'.repeat(55) })).toBeUndefined();
  expect(validCarrier({ traceparent: 42 })).toBeUndefined();
  expect(validCarrier(undefined)).toBeUndefined();
  const ok = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  expect(validCarrier({ traceparent: ok, tracestate: 'a=b' })).toEqual({
    traceparent: ok,
    tracestate: 'a=b',
  });
});

test('a failing span records the error type, not the message', async () => {
  class DirectoryDown extends Error {
    override name = 'DirectoryDown';
  }
  await expect(
    otelTracing.inSpan('graph inviteGuest', {}, () => Promise.reject(new DirectoryDown('jane@contoso.com'))),
  ).rejects.toThrow(DirectoryDown);
  const [span] = spans.getFinishedSpans();
  expect(span!.status.code).toBe(2);
  expect(span!.attributes['error.type']).toBe('DirectoryDown');
  expect(JSON.stringify(span!.attributes)).not.toContain('jane');
});

test('counters count by attribute and gauges report what their reader resolves', async () => {
  const metrics = createOtelMetrics();
  metrics.count('email.sent', { kind: 'verification_code' });
  metrics.count('email.sent', { kind: 'verification_code' });
  metrics.count('email.sent', { kind: 'account_ready' });
  metrics.gauge('queue.age', async () => [{ value: 12, attributes: { queue: 'email' } }]);
  metrics.gauge('queue.age', () => Promise.reject(new Error('storage down')));
  await reader.forceFlush();
  const all = metricExporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
  const sent = all.filter((m) => m.descriptor.name === 'email.sent').at(-1)!;
  const byKind = Object.fromEntries(sent.dataPoints.map((p) => [p.attributes.kind, p.value]));
  expect(byKind).toEqual({ verification_code: 2, account_ready: 1 });
  const age = all.filter((m) => m.descriptor.name === 'queue.age').at(-1)!;
  expect(age.dataPoints.map((p) => [p.attributes.queue, p.value])).toEqual([['email', 12]]);
});

test('OTEL_EXPORTER: none by default, azure when a connection string is set, unknown values refused', () => {
  expect(telemetryExporter({})).toBe('none');
  expect(telemetryExporter({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=x' })).toBe('azure');
  expect(
    telemetryExporter({
      APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=x',
      OTEL_EXPORTER: 'none',
    }),
  ).toBe('none');
  expect(telemetryExporter({ OTEL_EXPORTER: 'otlp' })).toBe('otlp');
  expect(() => telemetryExporter({ OTEL_EXPORTER: 'zipkin' })).toThrow(/OTEL_EXPORTER/);
  expect(() => telemetryExporter({ OTEL_EXPORTER: 'azure' })).toThrow(
    /APPLICATIONINSIGHTS_CONNECTION_STRING/,
  );
});
