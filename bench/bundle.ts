/** Phase `bundle`: size of the production bundle and its load time in a fresh Node process. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../dev/stack/hostProcess';
import { median } from '../dev/stats';
import { buildPackage } from '../build/package';

export const WORKER_STUB = `module.exports = { setProgrammingModel() {}, getProgrammingModel() { return undefined; },
  registerFunction() { return { dispose() {} }; }, registerHook() { return { dispose() {} }; }, log() {} };`;
export const LOADER = `const t = process.hrtime.bigint(); require(process.argv[1]);
process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;

/** Size of the production bundle and its load time in a fresh Node process (worker API stubbed). */
export async function bundlePhase() {
  const work = mkdtempSync(path.join(os.tmpdir(), 'rms-bench-pkg-'));
  try {
    const result = await buildPackage({
      rootDir: REPO_ROOT,
      outDir: path.join(work, 'package'),
      zipPath: path.join(work, 'rms-signup.zip'),
    });
    const stub = path.join(work, 'stub', 'node_modules', '@azure', 'functions-core');
    mkdirSync(stub, { recursive: true });
    writeFileSync(path.join(stub, 'index.js'), WORKER_STUB);
    const load = (extraEnv: Record<string, string>) => {
      const requireMs: number[] = [];
      const processMs: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        const child = spawnSync(process.execPath, ['-e', LOADER, result.bundlePath], {
          cwd: path.dirname(result.bundlePath),
          env: {
            PATH: process.env.PATH ?? '',
            NODE_PATH: path.join(work, 'stub', 'node_modules'),
            ...extraEnv,
          },
          encoding: 'utf8',
        });
        processMs.push(performance.now() - t);
        if (child.status !== 0) throw new Error(`bundle failed to load: ${child.stderr}`);
        requireMs.push(Number(child.stdout));
      }
      return { requireMs: median(requireMs), processMs: median(processMs) };
    };
    const plain = load({});
    // As in Azure: an Application Insights connection string and the Azure Monitor exporter chosen (the
    // SDK itself starts in the app-start hook, after the load measured here).
    const telemetryOn = load({
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/',
      OTEL_EXPORTER: 'azure',
    });
    return {
      bundleBytes: result.bundleBytes,
      zipBytes: result.zipBytes,
      sources: result.inputs.length,
      requireMs: plain.requireMs,
      processMs: plain.processMs,
      requireMsTelemetryOn: telemetryOn.requireMs,
      processMsTelemetryOn: telemetryOn.processMs,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
