// Imported for its effect by the composition root, which every function file imports: starts OpenTelemetry
// when the app loads, before any invocation, so the Azure Functions instrumentation can still announce
// itself to the host (app.setup is locked after start-up). With no exporter configured (the default
// outside Azure) this loads nothing more (see ./index.ts).
import * as coreTracing from '@azure/core-tracing';
import * as functions from '@azure/functions';

import { startTelemetry } from '.';

let telemetry: ReturnType<typeof startTelemetry> | undefined;
try {
  telemetry = startTelemetry(process.env, { coreTracing, functions });
} catch (error) {
  // A bad OTEL_EXPORTER must not take the sign-up door down: run without telemetry and say why.
  console.error(`telemetry disabled: ${error instanceof Error ? error.message : String(error)}`);
}

// Flush what is buffered when the worker stops, so the last spans of a sign-up are not lost.
functions.app.hook.appTerminate(async () => {
  await telemetry?.shutdown();
});
