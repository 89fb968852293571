/**
 * The one stack launcher: Azurite (free or fixed ports, in memory or persisted) with the app's tables and
 * queues, a mail catcher (maildev as a child process, or an in-process SMTP server the caller brings), the
 * Graph emulator, and dev Functions hosts (in-process, or as child processes a supervisor may kill).
 * Used by `npm start` (dev/start.ts), the integration tests, the fault suite, the benchmark and the soak.
 *
 *   const stack = createStack({ mail: { kind: 'catcher', start: () => SmtpCatcher.start() } });
 *   await stack.start();
 *   const host = await stack.startHost({ appRoot, port: 0, env: { ...file, ...stack.wiring } });
 *   await stack.stop(); // hosts, then the mail catcher and the emulator, then Azurite
 *
 * stop() may be called at any time, also while start() runs; it stops whatever has started.
 */
import { type GraphEmulator, type GraphEmulatorOptions, startGraphEmulator } from '../graph-emulator';
import { createLocalHost, type LocalHost, type LocalHostOptions } from '../functions-host/host';
import { type HostProcess, spawnHost, type SpawnHostOptions } from './hostProcess';
import { type MaildevInstance, startMaildev } from './maildev';
import { type AzuriteInstance, type AzuriteOptions, startAzurite } from './processes';
import { createTablesAndQueues } from './storage';

/** An in-process SMTP server (the tests' SmtpCatcher, the bench's SmtpSink). */
export interface SmtpServer {
  port: number;
  stop(): Promise<unknown>;
}

export type MailOption<M extends SmtpServer> =
  { kind: 'maildev'; smtpPort: number; webPort: number } | { kind: 'catcher'; start: () => Promise<M> };

export interface StackOptions<M extends SmtpServer> {
  /** Ports (free ones when omitted) and `persistDir` (in memory when omitted). */
  azurite?: Pick<AzuriteOptions, 'blobPort' | 'queuePort' | 'tablePort' | 'persistDir'>;
  mail: MailOption<M>;
  /** Emulator options (port 0, the default, picks a free port). */
  graph?: GraphEmulatorOptions;
  /** Where maildev and the emulator listen. Default 127.0.0.1. */
  host?: string;
  /** Called when Azurite or maildev exits while the stack is up (not during stop() or restartAzurite()). */
  onUnexpectedExit?: (service: 'Azurite' | 'maildev', code: number | null, signal: string | null) => void;
}

export interface Stack<M extends SmtpServer> {
  start(): Promise<void>;
  /** Stops every host, then the mail catcher and the Graph emulator, then Azurite. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILLs the child processes that are still running (a second Ctrl-C, a stop that took too long). */
  kill(): void;
  /** Stops Azurite and starts it again on the same ports (with persistDir, the data survives). */
  restartAzurite(): Promise<void>;
  /** Starts a dev host in this process (on the stack's storage unless the options name another); stop() stops it. */
  startHost(options: LocalHostOptions): Promise<LocalHost>;
  /** Starts a dev host as a child process (dev/functions-host/hostMain); stop() stops it. */
  spawnHost(options: SpawnHostOptions): Promise<HostProcess>;
  readonly azurite: AzuriteInstance;
  readonly connectionString: string;
  /** The caller's in-process SMTP server (mail kind 'catcher'). */
  readonly smtp: M;
  /** maildev (mail kind 'maildev'). */
  readonly maildev: MaildevInstance;
  readonly smtpPort: number;
  readonly graph: GraphEmulator;
  /**
   * Where the services are: AzureWebJobsStorage, SMTP_HOST, SMTP_PORT, GRAPH_BASE_URL, and ADMIN_AUTHORITY
   * (the Graph emulator's local identity provider).
   */
  readonly wiring: Record<string, string>;
}

export function createStack<M extends SmtpServer = SmtpServer>(options: StackOptions<M>): Stack<M> {
  const hostname = options.host ?? '127.0.0.1';
  let azurite: AzuriteInstance | undefined;
  let maildev: MaildevInstance | undefined;
  let smtp: M | undefined;
  let graph: GraphEmulator | undefined;
  const hosts: { stop(): Promise<unknown> }[] = [];
  let stopping = false;
  let restarting = false;

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the stack has no ${what} (not started, or not configured)`);
    return value;
  };
  const supervise = (service: 'Azurite' | 'maildev', instance: { process: AzuriteInstance['process'] }) => {
    instance.process.once('exit', (code, signal) => {
      if (!stopping && !restarting) options.onUnexpectedExit?.(service, code, signal);
    });
  };
  const notStopped = () => {
    if (stopping) throw new Error('the stack was stopped during start-up');
  };

  const startServices = async () => {
    azurite = await startAzurite({ ...options.azurite });
    supervise('Azurite', azurite);
    notStopped();
    await createTablesAndQueues(azurite.connectionString);
    notStopped();
    if (options.mail.kind === 'maildev') {
      const { smtpPort, webPort } = options.mail;
      maildev = await startMaildev({ smtpPort, webPort, host: hostname });
      supervise('maildev', maildev);
    } else {
      smtp = await options.mail.start();
    }
    notStopped();
    graph = await startGraphEmulator({ port: 0, host: hostname, ...options.graph });
    notStopped();
  };

  const stack: Stack<M> = {
    async start() {
      try {
        await startServices();
      } catch (error) {
        await stack.stop();
        throw error;
      }
    },

    async stop() {
      stopping = true;
      await Promise.allSettled(hosts.map((h) => h.stop()));
      await Promise.allSettled([graph?.close(), maildev?.stop(), smtp?.stop()]);
      await azurite?.stop();
    },

    kill() {
      for (const child of [azurite?.process, maildev?.process])
        if (child && child.exitCode === null) child.kill('SIGKILL');
    },

    async restartAzurite() {
      const old = need(azurite, 'Azurite');
      restarting = true;
      try {
        await old.stop();
        azurite = await startAzurite({
          blobPort: old.blobPort,
          queuePort: old.queuePort,
          tablePort: old.tablePort,
          ...(options.azurite?.persistDir ? { persistDir: options.azurite.persistDir } : {}),
        });
      } finally {
        restarting = false;
      }
      supervise('Azurite', azurite);
    },

    async startHost(hostOptions) {
      const host = createLocalHost({
        ...hostOptions,
        storageConnectionString: hostOptions.storageConnectionString ?? stack.connectionString,
      });
      hosts.push(host);
      await host.start();
      return host;
    },

    async spawnHost(spawnOptions) {
      const host = await spawnHost(spawnOptions);
      hosts.push(host);
      return host;
    },

    get azurite() {
      return need(azurite, 'Azurite');
    },
    get connectionString() {
      return need(azurite, 'Azurite').connectionString;
    },
    get smtp() {
      return need(smtp, 'in-process SMTP server');
    },
    get maildev() {
      return need(maildev, 'maildev');
    },
    get smtpPort() {
      return maildev?.smtpPort ?? need(smtp, 'mail catcher').port;
    },
    get graph() {
      return need(graph, 'Graph emulator');
    },
    get wiring() {
      return {
        AzureWebJobsStorage: stack.connectionString,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(stack.smtpPort),
        GRAPH_BASE_URL: stack.graph.url,
        ADMIN_AUTHORITY: stack.graph.idp.authority(),
      };
    },
  };
  return stack;
}

/**
 * App settings for `npm start`. Where the local services are (storage, SMTP, Graph, public URL) is a fact
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
