/**
 * The OpenTelemetry SDK, registered only when an exporter is configured (shared/telemetry/index.ts loads
 * this file on demand, and the production package ships it as a file of its own, so a cold start without
 * telemetry never parses it).
 *
 *   azure    the Azure Monitor distro (`useAzureMonitor`) to Application Insights, plus the Azure Functions
 *            instrumentation (host trace context on every invocation, worker logs as OpenTelemetry logs)
 *   console  spans and metrics printed to stdout (local debugging)
 *   otlp     OTLP/HTTP JSON to OTEL_EXPORTER_OTLP_ENDPOINT (a local collector, or a test's receiver)
 *
 * Azure SDK clients (Storage, ACS) emit spans through @azure/core-tracing once it has an OpenTelemetry
 * instrumenter. The instrumentations set it by hooking require(), which never sees the copy inside the
 * production bundle, so the caller passes the modules it imported and they are patched directly.
 */
import { context, metrics, propagation, trace } from '@opentelemetry/api';

export type Exporter = 'azure' | 'console' | 'otlp';

export interface SdkOptions {
  exporter: Exporter;
  connectionString?: string;
  /**
   * APPLICATIONINSIGHTS_AUTHENTICATION_STRING, `ClientId=<id>;Authorization=AAD` (infra/ sets it; the
   * workspace refuses keys): ingestion with that managed identity.
   */
  authenticationString?: string;
  /** The app's own `@azure/core-tracing` and `@azure/functions` modules (see the header). */
  modules: { coreTracing: object; functions?: object };
  /** Metric export interval. Default 60 s (OTEL_METRIC_EXPORT_INTERVAL overrides). */
  metricIntervalMs?: number;
}

interface PatchableInstrumentation {
  getModuleDefinitions(): Array<{ patch?: (exports: object) => unknown }>;
}

function patch(instrumentation: PatchableInstrumentation, moduleExports: object): void {
  for (const definition of instrumentation.getModuleDefinitions()) definition.patch?.(moduleExports);
}

function ingestionCredential(authenticationString: string | undefined) {
  if (!authenticationString || !/Authorization=AAD/i.test(authenticationString)) return undefined;
  const clientId = /ClientId=([^;]+)/i.exec(authenticationString)?.[1];
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- this file is itself loaded on demand
  const { ManagedIdentityCredential } = require('@azure/identity') as typeof import('@azure/identity');
  return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
}

export interface Sdk {
  /** Flushes what is buffered and unregisters, so nothing is lost when the worker stops. */
  shutdown(): Promise<void>;
}

export function startSdk(options: SdkOptions): Sdk {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only for the exporter chosen */
  const { createAzureSdkInstrumentation } =
    require('@azure/opentelemetry-instrumentation-azure-sdk') as typeof import('@azure/opentelemetry-instrumentation-azure-sdk');
  const azureSdk = createAzureSdkInstrumentation();

  if (options.exporter === 'azure') {
    const distro = require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry');
    const { AzureFunctionsInstrumentation } =
      require('@azure/functions-opentelemetry-instrumentation') as typeof import('@azure/functions-opentelemetry-instrumentation');
    distro.useAzureMonitor({
      azureMonitorExporterOptions: {
        connectionString: options.connectionString,
        credential: ingestionCredential(options.authenticationString),
      },
      // Every sign-up trace is kept: the volume is small and a sampled-out hop would break the trace.
      samplingRatio: 1,
      instrumentationOptions: { azureSdk: { enabled: true }, http: { enabled: true } },
    });
    patch(azureSdk as unknown as PatchableInstrumentation, options.modules.coreTracing);
    if (options.modules.functions) {
      const functions = new AzureFunctionsInstrumentation();
      patch(functions, options.modules.functions);
    }
    return { shutdown: () => distro.shutdownAzureMonitor() };
  }

  const { NodeTracerProvider } =
    require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor, ConsoleSpanExporter } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { MeterProvider, PeriodicExportingMetricReader, ConsoleMetricExporter } =
    require('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
  const { resourceFromAttributes } =
    require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');

  const otlp = options.exporter === 'otlp';
  const spanExporter = otlp
    ? new (
        require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http')
      ).OTLPTraceExporter()
    : new ConsoleSpanExporter();
  const metricExporter = otlp
    ? new (
        require('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http')
      ).OTLPMetricExporter()
    : new ConsoleMetricExporter();
  /* eslint-enable @typescript-eslint/no-require-imports */

  const resource = resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? 'rms-signup' });
  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(spanExporter)],
  });
  tracerProvider.register();
  const interval = Number(process.env.OTEL_METRIC_EXPORT_INTERVAL) || options.metricIntervalMs || 60_000;
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: metricExporter,
        exportIntervalMillis: interval,
        exportTimeoutMillis: Math.min(30_000, interval),
      }),
    ],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  patch(azureSdk as unknown as PatchableInstrumentation, options.modules.coreTracing);

  return {
    async shutdown() {
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
    },
  };
}
