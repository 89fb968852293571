import type { Metrics, Tracing } from '../ports';

/** For services built without telemetry (tests, tools): records nothing. */
export const noMetrics: Metrics = { count: () => undefined, gauge: () => undefined };
export const noTracing: Tracing = { inSpan: (_name, _options, fn) => fn(), currentContext: () => ({}) };
