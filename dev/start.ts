/**
 * `npm start`: the whole local stack in one command. Starts and supervises Azurite, maildev, the Graph
 * emulator and the dev Functions host serving the compiled app, creates the tables and queues, prints
 * every URL. Ctrl-C / SIGTERM stops everything; a child that dies unexpectedly stops everything too.
 *
 *   node dist/dev/start.js [--persist]     (--persist keeps Azurite data under .azurite/)
 */
import fs from 'node:fs';
import path from 'node:path';
import { TableServiceClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { QUEUES, TABLES } from '../shared/storageNames';
import { consoleLogSink, createLocalHost, DEFAULT_FUNCTION_KEY, type LocalHost } from './host';
import { readHostConfig } from './hostConfig';
import { fullTemplate } from './routes';
import { startMaildev, type MaildevInstance } from './maildev';
import { startAzurite, type AzuriteInstance } from './processes';
import { loadLocalSettings, localSettingsPath } from './settings';
import { describeTakenPorts, findTakenPorts, resolveStackPorts, type StackPort } from './stackPorts';

const HOST = '127.0.0.1';
const STOP_DEADLINE_MS = 9_000;

interface GraphEmulatorHandle {
  url: string;
  close(): Promise<void>;
}
type StartGraphEmulator = (options: { port: number; host: string }) => Promise<GraphEmulatorHandle>;

/** The project root: the nearest folder above this file with both package.json and host.json. */
export function findAppRoot(from = __dirname): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'host.json')))
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No folder with package.json and host.json above ${from}`);
    dir = parent;
  }
}

/** dev/graphEmulator is optional while it is being written: a missing module is skipped with a warning. */
function loadGraphEmulator(): StartGraphEmulator | undefined {
  const modulePath = path.join(__dirname, 'graph-emulator');
  try {
    const mod = require(modulePath) as { startGraphEmulator?: StartGraphEmulator };
    return typeof mod.startGraphEmulator === 'function' ? mod.startGraphEmulator : undefined;
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    if (code === 'MODULE_NOT_FOUND' && message?.includes(modulePath)) return undefined;
    throw error;
  }
}

/**
 * App settings for the stack. Where the local services are (storage, SMTP, Graph, public URL) is a fact
 * of this run and beats the settings file; modes are defaults under it. An environment variable beats both.
 */
export function stackSettings(
  fileSettings: Record<string, string>,
  env: NodeJS.ProcessEnv,
  wiring: Record<string, string>,
  defaults: Record<string, string>,
): Record<string, string> {
  const settings: Record<string, string> = { ...defaults, ...fileSettings };
  for (const [key, value] of Object.entries(wiring)) settings[key] = env[key] ?? value;
  for (const key of Object.keys(defaults)) if (env[key] !== undefined) settings[key] = env[key];
  return settings;
}

async function createStorage(connectionString: string): Promise<void> {
  const tables = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  for (const table of Object.values(TABLES)) await tables.createTable(table);
  const queues = QueueServiceClient.fromConnectionString(connectionString);
  for (const queue of Object.values(QUEUES)) await queues.getQueueClient(queue).createIfNotExists();
}

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

  let azurite: AzuriteInstance | undefined;
  let maildev: MaildevInstance | undefined;
  let graph: GraphEmulatorHandle | undefined;
  let host: LocalHost | undefined;
  let stopping = false;

  const killChildren = () => {
    for (const child of [azurite?.process, maildev?.process])
      if (child && child.exitCode === null) child.kill('SIGKILL');
  };

  const shutdown = async (code: number, reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log(`${reason}; stopping…`);
    const deadline = setTimeout(() => {
      console.error('[stack] Stopping took too long; killing what is left.');
      killChildren();
      process.exit(code === 0 ? 1 : code);
    }, STOP_DEADLINE_MS);
    try {
      await Promise.allSettled([host?.stop(), graph?.close(), maildev?.stop()]);
      await azurite?.stop();
    } finally {
      clearTimeout(deadline);
      log('stopped.');
      process.exit(code);
    }
  };

  process.on('SIGINT', () => (stopping ? (killChildren(), process.exit(130)) : void shutdown(0, 'SIGINT')));
  process.on('SIGTERM', () => void shutdown(0, 'SIGTERM'));
  process.on('uncaughtException', (error) => {
    console.error('[stack] Uncaught exception:', error);
    void shutdown(1, 'uncaught exception');
  });
  process.on('unhandledRejection', (error) => {
    console.error('[stack] Unhandled promise rejection:', error);
    void shutdown(1, 'unhandled rejection');
  });

  /** A child ending on its own is fatal. A signal to the whole process group (Ctrl-C) reaches the
   *  children too, so give our own signal handler a moment to claim the shutdown first. */
  const supervise = (
    name: string,
    child: { once(event: 'exit', cb: (code: number | null, signal: string | null) => void): unknown },
  ) => {
    child.once('exit', (code, signal) => {
      setTimeout(() => {
        if (!stopping) void shutdown(1, `${name} exited unexpectedly (${signal ?? `code ${code}`})`);
      }, 300);
    });
  };

  try {
    const persistDir = path.join(root, '.azurite');
    if (persist) fs.mkdirSync(persistDir, { recursive: true });
    azurite = await startAzurite({
      blobPort: portOf(ports, 'Azurite blob'),
      queuePort: portOf(ports, 'Azurite queue'),
      tablePort: portOf(ports, 'Azurite table'),
      ...(persist ? { persistDir } : {}),
    });
    supervise('Azurite', azurite.process);
    await createStorage(azurite.connectionString);

    const smtpPort = portOf(ports, 'maildev SMTP');
    maildev = await startMaildev({ smtpPort, webPort: portOf(ports, 'maildev web'), host: HOST });
    supervise('maildev', maildev.process);

    const graphPort = portOf(ports, 'Graph emulator');
    const startGraph = loadGraphEmulator();
    if (startGraph) graph = await startGraph({ port: graphPort, host: HOST });
    else console.warn('[stack] dev/graphEmulator is not built yet: starting without the Graph emulator.');

    const functionsPort = portOf(ports, 'Functions host');
    const publicUrl = `http://${HOST}:${functionsPort}`;
    const settings = stackSettings(
      loadLocalSettings(root, process.env),
      process.env,
      {
        AzureWebJobsStorage: azurite.connectionString,
        SMTP_HOST: HOST,
        SMTP_PORT: String(smtpPort),
        GRAPH_BASE_URL: graph?.url ?? `http://${HOST}:${graphPort}`,
        PUBLIC_BASE_URL: publicUrl,
        // After redeeming the emulator's invitation, come back to the local landing page.
        INVITE_REDIRECT_URL: `${publicUrl}/`,
      },
      { EMAIL_TRANSPORT: 'smtp', GRAPH_STATIC_TOKEN: 'dev-token' },
    );
    const functionKey = process.env.DEV_FUNCTION_KEY ?? settings.DEV_FUNCTION_KEY ?? DEFAULT_FUNCTION_KEY;

    host = createLocalHost({
      appRoot: root,
      port: functionsPort,
      hostname: HOST,
      env: settings,
      functionKey,
      storageConnectionString: settings.AzureWebJobsStorage,
      log: consoleLogSink,
      shutdownTimeoutMs: 3000,
    });
    await host.start();

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
      `  API              ${apiUrl}`,
      `  Health           ${healthUrl}`,
      `  maildev web      ${maildev.webUrl}  (REST ${maildev.webUrl}api/email)`,
      `  maildev SMTP     smtp://${HOST}:${smtpPort}`,
      `  Graph emulator   ${graph ? graph.url : 'not started (dev/graphEmulator missing)'}`,
      `  Azurite blob     http://${HOST}:${azurite.blobPort}/devstoreaccount1`,
      `  Azurite queue    http://${HOST}:${azurite.queuePort}/devstoreaccount1`,
      `  Azurite table    http://${HOST}:${azurite.tablePort}/devstoreaccount1`,
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
