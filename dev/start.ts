/**
 * `npm start`: the whole local stack in one command. Starts and supervises Azurite, maildev, the Graph
 * emulator and the dev Functions host serving the compiled app, creates the tables and queues, prints
 * every URL. Ctrl-C / SIGTERM stops everything; a child that dies unexpectedly stops everything too.
 *
 *   node dist/dev/start.js [--persist]     (--persist keeps Azurite data under .azurite/)
 */
import fs from 'node:fs';
import path from 'node:path';
import { consoleLogSink, DEFAULT_FUNCTION_KEY } from './functions-host/host';
import { readHostConfig } from './functions-host/hostConfig';
import { fullTemplate } from './functions-host/routes';
import { findAppRoot, loadLocalSettings, localSettingsPath } from './functions-host/settings';
import { createStack, stackSettings } from './stack/launcher';
import { describeTakenPorts, findTakenPorts, resolveStackPorts, type StackPort } from './stack/stackPorts';
import { emulatorAccessToken } from './graph-emulator/tenant';

const HOST = '127.0.0.1';
const STOP_DEADLINE_MS = 9_000;

/**
 * The emulator's tenant under `npm start`: fixed, so the local identity provider's authority
 * (`<emulator>/<tenant>/v2.0`) matches ADMIN_AUTHORITY in local.settings.example.json.
 */
export const DEV_TENANT_ID = '00000000-0000-4000-8000-00000000d1d0';
/** Sign-in defaults under `npm start`: the console's client id and the admin API's audience there. */
export const DEV_ADMIN_SETTINGS = {
  ADMIN_AUTH: 'entra',
  ADMIN_AUDIENCE: 'api://rms-signup-dev',
  ADMIN_CLIENT_ID: 'rms-signup-dev-console',
} as const;

function portOf(ports: StackPort[], name: string): number {
  const found = ports.find((p) => p.name === name);
  if (!found) throw new Error(`no port for ${name}`);
  return found.port;
}

async function main(): Promise<void> {
  const persist = process.argv.includes('--persist');
  const root = findAppRoot();
  const log = (message: string) => console.log(`[stack] ${message}`);

  let ports: StackPort[];
  try {
    ports = resolveStackPorts(process.env);
  } catch (error) {
    console.error(`[stack] ${(error as Error).message}`);
    process.exit(2);
  }
  const taken = await findTakenPorts(ports);
  if (taken.length > 0) {
    console.error(`[stack] Cannot start:\n${describeTakenPorts(taken)}`);
    process.exit(1);
  }

  const persistDir = path.join(root, '.azurite');
  const stack = createStack({
    azurite: {
      blobPort: portOf(ports, 'Azurite blob'),
      queuePort: portOf(ports, 'Azurite queue'),
      tablePort: portOf(ports, 'Azurite table'),
      ...(persist ? { persistDir } : {}),
    },
    mail: { kind: 'maildev', smtpPort: portOf(ports, 'maildev SMTP'), webPort: portOf(ports, 'maildev web') },
    graph: { port: portOf(ports, 'Graph emulator'), tenantId: DEV_TENANT_ID },
    host: HOST,
    // A child ending on its own is fatal. A signal to the whole process group (Ctrl-C) reaches the
    // children too, so give our own signal handler a moment to claim the shutdown first.
    onUnexpectedExit: (name, code, signal) => {
      setTimeout(() => {
        if (!stopping) void shutdown(1, `${name} exited unexpectedly (${signal ?? `code ${code}`})`);
      }, 300);
    },
  });
  let stopping = false;

  const shutdown = async (code: number, reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log(`${reason}; stopping…`);
    const deadline = setTimeout(() => {
      console.error('[stack] Stopping took too long; killing what is left.');
      stack.kill();
      process.exit(code === 0 ? 1 : code);
    }, STOP_DEADLINE_MS);
    try {
      await stack.stop();
    } finally {
      clearTimeout(deadline);
      log('stopped.');
      process.exit(code);
    }
  };

  process.on('SIGINT', () => (stopping ? (stack.kill(), process.exit(130)) : void shutdown(0, 'SIGINT')));
  process.on('SIGTERM', () => void shutdown(0, 'SIGTERM'));
  process.on('uncaughtException', (error) => {
    console.error('[stack] Uncaught exception:', error);
    void shutdown(1, 'uncaught exception');
  });
  process.on('unhandledRejection', (error) => {
    console.error('[stack] Unhandled promise rejection:', error);
    void shutdown(1, 'unhandled rejection');
  });

  try {
    if (persist) fs.mkdirSync(persistDir, { recursive: true });
    await stack.start();
    const { azurite, maildev, graph } = stack;
    const smtpPort = maildev.smtpPort;

    const functionsPort = portOf(ports, 'Functions host');
    const publicUrl = `http://${HOST}:${functionsPort}`;
    const settings = stackSettings(
      loadLocalSettings(root, process.env),
      process.env,
      {
        ...stack.wiring,
        PUBLIC_BASE_URL: publicUrl,
        // After redeeming the emulator's invitation, come back to the local landing page.
        INVITE_REDIRECT_URL: `${publicUrl}/`,
      },
      { EMAIL_TRANSPORT: 'smtp', GRAPH_STATIC_TOKEN: emulatorAccessToken(), ...DEV_ADMIN_SETTINGS },
    );
    const functionKey = process.env.DEV_FUNCTION_KEY ?? settings.DEV_FUNCTION_KEY ?? DEFAULT_FUNCTION_KEY;

    const host = await stack.startHost({
      appRoot: root,
      port: functionsPort,
      hostname: HOST,
      env: settings,
      functionKey,
      storageConnectionString: settings.AzureWebJobsStorage,
      log: consoleLogSink,
      shutdownTimeoutMs: 3000,
    });

    const routePrefix = readHostConfig(root).routePrefix;
    const healthRoute =
      host.registrations.find((r) => r.name.toLowerCase() === 'health')?.http?.route ?? 'health';
    const healthUrl = `${publicUrl}/${fullTemplate(routePrefix, healthRoute)}`;
    // With an empty routePrefix the app's own routes start with api/ (see host.json and functions/).
    const apiUrl = `${publicUrl}/${routePrefix || 'api'}/`;
    const settingsFile = localSettingsPath(root);
    const lines = [
      '',
      'rms-signup local stack is ready',
      `  Landing page     ${publicUrl}/`,
      `  Admin console    ${publicUrl}/console  (sign in at the local identity provider: pick a user and roles)`,
      `  API              ${apiUrl}`,
      `  Health           ${healthUrl}`,
      `  maildev web      ${maildev.webUrl}  (REST ${maildev.webUrl}api/email)`,
      `  maildev SMTP     smtp://${HOST}:${smtpPort}`,
      `  Graph emulator   ${graph.url}`,
      `  Azurite blob     http://${HOST}:${azurite.blobPort}/devstoreaccount1`,
      `  Azurite queue    http://${HOST}:${azurite.queuePort}/devstoreaccount1`,
      `  Azurite table    http://${HOST}:${azurite.tablePort}/devstoreaccount1`,
      `  Admin CLI        RMS_SIGNUP_AUTHORITY=${settings.ADMIN_AUTHORITY} RMS_SIGNUP_AUDIENCE=${settings.ADMIN_AUDIENCE} RMS_SIGNUP_CLIENT_ID=rms-signup-dev-cli RMS_SIGNUP_CLIENT_SECRET=dev-cli-secret npm run admin -- stats`,
      `  Function key     ${functionKey}  (x-functions-key header or ?code=; admin: POST ${publicUrl}/admin/functions/{name})`,
      `  Settings         ${settingsFile ? path.basename(settingsFile) : 'none'} + environment overrides`,
      `  Storage data     ${persist ? `kept in ${path.relative(process.cwd(), persistDir) || persistDir}` : 'in memory (use --persist to keep it)'}`,
      'Press Ctrl+C to stop.',
      '',
    ];
    console.log(lines.join('\n'));
  } catch (error) {
    console.error(`[stack] Start-up failed: ${(error as Error).message}`);
    await shutdown(1, 'start-up failed');
  }
}

if (require.main === module) {
  void main();
}
