// Telemetry (OpenTelemetry behind shared/telemetry; a no-op when no exporter is configured)

export type TelemetryAttributes = Record<string, string | number | boolean | undefined>;

/** W3C trace context (https://www.w3.org/TR/trace-context/) as carried inside a queue message. */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

export type SpanKind = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export interface Tracing {
  /**
   * Runs `fn` in a new span: a child of `parent` when given (the context a queue message carried), else of
   * the active span. A thrown error marks the span failed (its type only: messages may hold personal data).
   */
  inSpan<T>(
    name: string,
    options: { kind?: SpanKind; attributes?: TelemetryAttributes; parent?: TraceCarrier },
    fn: () => Promise<T>,
  ): Promise<T>;
  /** The active trace context, to put inside an outgoing queue message; `{}` when tracing is off. */
  currentContext(): TraceCarrier;
}

export const COUNTERS = [
  'signups.started',
  'signups.verified',
  'signups.ready',
  'signups.failed',
  'email.sent',
  'email.deferred',
  'email.bounced',
  'email.reports',
  'graph.requests',
] as const;
export type CounterName = (typeof COUNTERS)[number];

export const GAUGES = ['budget.utilisation', 'queue.age'] as const;
export type GaugeName = (typeof GAUGES)[number];

export interface GaugeReading {
  value: number;
  attributes: TelemetryAttributes;
}

export interface Metrics {
  /** Adds `value` (default 1) to a counter. Never throws. */
  count(name: CounterName, attributes?: TelemetryAttributes, value?: number): void;
  /** A gauge read at every export; a failing `read` skips that export's readings. */
  gauge(name: GaugeName, read: () => Promise<GaugeReading[]>): void;
}
