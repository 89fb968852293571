/**
 * Telemetry for the app: `tracing` and `metrics` (the ports' OpenTelemetry implementations, no-ops until an
 * SDK is registered) and `startTelemetry`, called once when the app loads.
 *
 * OTEL_EXPORTER picks the exporter: `azure` (Application Insights; the default when
 * APPLICATIONINSIGHTS_CONNECTION_STRING is set), `console`, `otlp` or `none` (the default otherwise, so
 * nothing leaves the machine in development or tests). With `none` the SDK is never loaded.
 */
import type { Sdk, SdkOptions } from './sdk';

export { otelMetricsPort as metrics, otelTracing as tracing, validCarrier } from './otel';
export { TracedDirectory, TracedEmailSender, TracedQueuePublisher } from './traced';

export type TelemetryExporter = 'azure' | 'console' | 'otlp' | 'none';
export const TELEMETRY_EXPORTERS = ['azure', 'console', 'otlp', 'none'] as const;

/** The exporter the environment asks for; throws on an unknown OTEL_EXPORTER or `azure` without a connection string. */
export function telemetryExporter(env: NodeJS.ProcessEnv): TelemetryExporter {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  const chosen = env.OTEL_EXPORTER?.trim() || (connectionString ? 'azure' : 'none');
  if (!(TELEMETRY_EXPORTERS as readonly string[]).includes(chosen)) {
    throw new Error(`OTEL_EXPORTER: expected one of ${TELEMETRY_EXPORTERS.join('|')}, got "${chosen}"`);
  }
  if (chosen === 'azure' && !connectionString) {
    throw new Error('OTEL_EXPORTER=azure needs APPLICATIONINSIGHTS_CONNECTION_STRING');
  }
  return chosen as TelemetryExporter;
}

let running: Sdk | undefined;

/**
 * Registers the SDK for the configured exporter (once per process); resolves a shutdown that flushes.
 * `modules`: the app's own @azure/core-tracing and @azure/functions (see shared/telemetry/sdk.ts).
 */
export function startTelemetry(
  env: NodeJS.ProcessEnv,
  modules: SdkOptions['modules'],
): { exporter: TelemetryExporter; shutdown: () => Promise<void> } {
  const exporter = telemetryExporter(env);
  if (exporter === 'none') return { exporter, shutdown: () => Promise.resolve() };
  if (!running) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when an exporter is set
    const { startSdk } = require('./sdk') as typeof import('./sdk');
    running = startSdk({
      exporter,
      connectionString: env.APPLICATIONINSIGHTS_CONNECTION_STRING,
      authenticationString: env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING,
      modules,
    });
  }
  const sdk = running;
  return {
    exporter,
    shutdown: async () => {
      if (running !== sdk) return;
      running = undefined;
      await sdk.shutdown();
    },
  };
}
