// Imported for its effect by the composition root, which every function file imports. With no exporter
// configured (the default outside Azure) it does nothing more. Otherwise the SDK starts in the appStart
// hook, after the bundle has loaded and before the first invocation, so loading it (the Azure Monitor
// distro is several MB) is not part of the bundle's require time (docs/BENCHMARKS.md, cold start).
import * as coreTracing from '@azure/core-tracing';
import * as functions from '@azure/functions';

import { startTelemetry, telemetryExporter, type TelemetryExporter } from '.';

let exporter: TelemetryExporter = 'none';
try {
  exporter = telemetryExporter(process.env);
} catch (error) {
  // A bad OTEL_EXPORTER must not take the sign-up door down: run without telemetry and say why.
  console.error(`telemetry disabled: ${error instanceof Error ? error.message : String(error)}`);
}

if (exporter !== 'none') {
  // The worker sends its own logs and traces; the host must not forward them too. This can only be said
  // before start-up ends (app.setup locks), so here; the Functions instrumentation, applied at appStart,
  // gets a module whose setup is already done.
  if (exporter === 'azure') functions.app.setup({ capabilities: { WorkerOpenTelemetryEnabled: true } });
  let telemetry: ReturnType<typeof startTelemetry> | undefined;
  functions.app.hook.appStart(() => {
    telemetry = startTelemetry(process.env, {
      coreTracing,
      functions: { ...functions, app: { ...functions.app, setup: () => undefined } },
    });
  });
  // Flush what is buffered when the worker stops, so the last spans of a sign-up are not lost.
  functions.app.hook.appTerminate(async () => {
    await telemetry?.shutdown();
  });
}
