/**
 * `Tracing` and `Metrics` over the OpenTelemetry API. The API alone records nothing: until an SDK is
 * registered (shared/telemetry/sdk.ts, only when an exporter is configured) every call is a cheap no-op,
 * so tests and local runs without `OTEL_EXPORTER` pay nothing and send nothing.
 */
import {
  context,
  type Context,
  type Link,
  metrics as otelMetrics,
  propagation,
  SpanKind as OtelSpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
} from '@opentelemetry/api';

import type {
  CounterName,
  GaugeName,
  GaugeReading,
  Metrics,
  SpanKind,
  TelemetryAttributes,
  TraceCarrier,
  Tracing,
} from '../ports';

export const INSTRUMENTATION_NAME = 'rms-signup';

const KINDS: Record<SpanKind, OtelSpanKind> = {
  internal: OtelSpanKind.INTERNAL,
  server: OtelSpanKind.SERVER,
  client: OtelSpanKind.CLIENT,
  producer: OtelSpanKind.PRODUCER,
  consumer: OtelSpanKind.CONSUMER,
};

/** A W3C traceparent (version 00): anything else in an untrusted message is ignored. */
const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The carrier's trace context if it is well-formed, else undefined (a forged or absent one starts afresh). */
export function validCarrier(value: unknown): TraceCarrier | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const { traceparent, tracestate } = value as Record<string, unknown>;
  if (typeof traceparent !== 'string' || !TRACEPARENT.test(traceparent)) return undefined;
  return typeof tracestate === 'string' && tracestate.length <= 512
    ? { traceparent, tracestate }
    : { traceparent };
}

function attributes(input: TelemetryAttributes | undefined): Attributes | undefined {
  if (!input) return undefined;
  const out: Attributes = {};
  for (const [key, value] of Object.entries(input)) if (value !== undefined) out[key] = value;
  return out;
}

export const otelTracing: Tracing = {
  async inSpan(name, options, fn) {
    const active = context.active();
    let parent: Context = active;
    const links: Link[] = [];
    const carrier = validCarrier(options.parent);
    if (carrier) {
      parent = propagation.extract(active, carrier);
      // The host's own context for this invocation (if any) stays reachable as a link.
      const hostSpan = trace.getSpanContext(active);
      if (hostSpan && trace.isSpanContextValid(hostSpan)) links.push({ context: hostSpan });
    }
    const tracer = trace.getTracer(INSTRUMENTATION_NAME);
    return tracer.startActiveSpan(
      name,
      { kind: KINDS[options.kind ?? 'internal'], attributes: attributes(options.attributes), links },
      parent,
      async (span) => {
        try {
          return await fn();
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.setAttribute('error.type', error instanceof Error ? error.name : typeof error);
          throw error;
        } finally {
          span.end();
        }
      },
    );
  },
  currentContext() {
    const carrier: TraceCarrier = {};
    propagation.inject(context.active(), carrier);
    return validCarrier(carrier) ?? {};
  },
};

/** Counters and gauges, created on first use against the meter provider registered at that time. */
export function createOtelMetrics(): Metrics {
  const meter = () => otelMetrics.getMeter(INSTRUMENTATION_NAME);
  type Meter = ReturnType<typeof meter>;
  const counters = new Map<CounterName, ReturnType<Meter['createCounter']>>();
  // The API hands out no-op meters until an SDK registers (and again after it shuts down): counters made
  // from an earlier provider are dropped so a later one sees every count.
  let countersOf: Meter | undefined;
  const gauges = new Map<GaugeName, Array<() => Promise<GaugeReading[]>>>();
  return {
    count(name, attrs, value = 1) {
      const current = meter();
      if (current !== countersOf) {
        counters.clear();
        countersOf = current;
      }
      let counter = counters.get(name);
      if (!counter) counters.set(name, (counter = current.createCounter(name)));
      counter.add(value, attributes(attrs));
    },
    gauge(name, read) {
      let readers = gauges.get(name);
      if (!readers) {
        gauges.set(name, (readers = []));
        const all = readers;
        meter()
          .createObservableGauge(name)
          .addCallback(async (result) => {
            const readings = await Promise.all(all.map((r) => r().catch(() => [] as GaugeReading[])));
            for (const reading of readings.flat())
              result.observe(reading.value, attributes(reading.attributes));
          });
      }
      readers.push(read);
    },
  };
}

export const otelMetricsPort: Metrics = createOtelMetrics();
