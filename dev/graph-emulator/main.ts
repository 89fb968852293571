/** Standalone: `node dist/dev/graph-emulator/main.js` (GRAPH_EMULATOR_PORT, _HOST, _TENANT_DOMAIN). */
import { startGraphEmulator } from './server';

const port = Number(process.env.GRAPH_EMULATOR_PORT ?? 7072);
startGraphEmulator({
  port,
  host: process.env.GRAPH_EMULATOR_HOST ?? '127.0.0.1',
  ...(process.env.GRAPH_EMULATOR_TENANT_DOMAIN
    ? { tenantDomain: process.env.GRAPH_EMULATOR_TENANT_DOMAIN }
    : {}),
})
  .then((emulator) => {
    console.log(`Graph emulator listening on ${emulator.url} (control endpoints under /_emulator)`);
    const stop = () => {
      void emulator.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  })
  .catch((error: unknown) => {
    console.error('Graph emulator failed to start:', error);
    process.exit(1);
  });
