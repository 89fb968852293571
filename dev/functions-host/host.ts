/**
 * A small local Azure Functions host for development and tests (Core Tools cannot be installed here).
 * It loads the compiled app through package.json `main` exactly like the Node.js worker, then serves its
 * HTTP triggers, runs its storage-queue and timer triggers against Azurite, and delivers queue output
 * bindings. Production runs on Azure Functions; see dev/README.md for what this host does not reproduce.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { AppClock } from './appClock';
import { consoleLogSink } from './consoleLogSink';
import { loadApp, type LoadedApp, type RegisteredFunction } from './functionsCoreStub';
import { readHostConfig, type HostConfig } from './hostConfig';
import { HttpFront, type HttpFrontHost, type InvocationSummary } from './httpFront';
import { queueMessagesFrom } from './httpIo';
import {
  errorMessage,
  invoke,
  outputValue,
  type InvocationInput,
  type InvocationResult,
  type LogSink,
} from './invoker';
import { decodeMessage, encodeMessage, QueueListener, type QueueMessage } from './queueListener';
import {
  buildRoutes,
  describeFunction,
  functionListing,
  type FunctionRegistration,
  type HttpRoute,
} from './registrations';
import { parseSchedule, TimerTrigger, type TimerPayload } from './timerTrigger';

export type { LogSink } from './invoker';
export type { LogLevel } from './functionsCoreStub';
export type { InvocationSummary } from './httpFront';
export { consoleLogSink } from './consoleLogSink';
export { queueMessagesFrom } from './httpIo';
export type { AuthLevel, FunctionRegistration } from './registrations';

export interface LocalHostOptions {
  /** Folder with package.json (whose `main` selects the entry files) and host.json. */
  appRoot: string;
  /** Default 7071; 0 picks a free port. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  hostname?: string;
  /** App settings applied to process.env before the app loads (restored by stop()). */
  env?: Record<string, string>;
  /** Key for `function`/`admin` functions and the admin API. Default env DEV_FUNCTION_KEY or 'dev-function-key'. */
  functionKey?: string;
  /** Becomes the AzureWebJobsStorage setting (queue triggers and outputs use it unless they name another). */
  storageConnectionString?: string;
  /** Receives every host and function log line. Default: the console. */
  log?: LogSink;
  /** Request bodies above this are answered 413. Default 1 MiB. */
  maxRequestBodyBytes?: number;
  /** How long stop() waits for running invocations. Default 5000 ms. */
  shutdownTimeoutMs?: number;
  /** Invisibility of a queue message while its function runs (renewed at half-time). Default 60 s. */
  queueMessageLeaseSeconds?: number;
  /**
   * Append the caller's `address:port` to X-Forwarded-For like the App Service front end does in Azure,
   * so TRUSTED_PROXY_HOPS=1 behaves the same locally. Default true.
   */
  appendForwardedFor?: boolean;
  /** Dev and tests only: the app module exporting `systemClock`, shifted by `POST /admin/clock` (appClock.ts). */
  clockModule?: string;
}

export interface LocalHost {
  /** http://hostname:port, valid after start(). */
  readonly url: string;
  readonly port: number;
  /** What the app registered, valid after start(). */
  readonly registrations: readonly FunctionRegistration[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Runs a timer (or any non-HTTP) function now, like `POST /admin/functions/{name}`, and waits for it. */
  runTimer(name: string): Promise<InvocationSummary>;
}

export const DEFAULT_FUNCTION_KEY = 'dev-function-key';

// ---- the host ----------------------------------------------------------------------------------------

class DevFunctionsHost implements LocalHost, HttpFrontHost {
  readonly #options: LocalHostOptions;
  readonly #log: LogSink;
  readonly #functionKey: string;
  #config: HostConfig | undefined;
  #app: LoadedApp | undefined;
  #restoreEnv: (() => void) | undefined;
  #registrations: FunctionRegistration[] = [];
  #routes: HttpRoute[] = [];
  #server: http.Server | undefined;
  #port = 0;
  #listeners: QueueListener[] = [];
  #timers: TimerTrigger[] = [];
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #queueServices = new Map<string, QueueServiceClient>();
  readonly #createdQueues = new Map<string, Promise<unknown>>();
  #state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new';
  readonly #front = new HttpFront(this);
  readonly #clock = new AppClock();

  constructor(options: LocalHostOptions) {
    this.#options = options;
    this.#log = options.log ?? consoleLogSink;
    this.#functionKey = options.functionKey ?? process.env.DEV_FUNCTION_KEY ?? DEFAULT_FUNCTION_KEY;
  }

  get url(): string {
    return `http://${this.#options.hostname ?? '127.0.0.1'}:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  get registrations(): readonly FunctionRegistration[] {
    return this.#registrations;
  }

  // What the HTTP front reads.
  get functionKey(): string {
    return this.#functionKey;
  }

  get maxRequestBodyBytes(): number | undefined {
    return this.#options.maxRequestBodyBytes;
  }

  get appendForwardedFor(): boolean | undefined {
    return this.#options.appendForwardedFor;
  }

  get routes(): readonly HttpRoute[] {
    return this.#routes;
  }

  get log(): LogSink {
    return this.#log;
  }

  /** `POST /admin/clock`: undefined when the host has no `clockModule`. */
  setClockOffset(offsetMs: number | undefined): { offsetMs: number; now: string } | undefined {
    return this.#clock.setOffset(offsetMs);
  }

  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('A local host can be started once');
    this.#state = 'starting';
    try {
      this.#config = readHostConfig(this.#options.appRoot);
      const env = { ...(this.#options.env ?? {}) };
      if (this.#options.storageConnectionString)
        env.AzureWebJobsStorage = this.#options.storageConnectionString;

      const loaded = loadApp(this.#options.appRoot, {
        env,
        log: (level, _category, message) => {
          if (level !== 'debug' && level !== 'trace') this.#log(level, `[worker] ${message}`);
        },
      });
      this.#restoreEnv = loaded.restoreEnv;
      this.#app = loaded;
      if (this.#options.clockModule) this.#clock.attach(loaded, this.#options.clockModule);
      this.#registrations = loaded.functions.map((fn) =>
        describeFunction(fn, loaded.appProcess.env, this.#log),
      );
      this.#routes = buildRoutes(
        loaded.functions,
        (fn) => this.registration(fn),
        this.#config.routePrefix ?? 'api',
      );

      for (const hook of [...loaded.hooks.appStart]) {
        await hook({ hookData: {}, appHookData: loaded.appHookData, functionAppDirectory: loaded.appRoot });
      }

      await this.listen();
      this.#state = 'running';
      this.#log(
        'information',
        functionListing(this.#registrations, this.url, this.#config.routePrefix ?? ''),
      );
      this.startTriggers(loaded);
    } catch (error) {
      this.#state = 'stopping';
      await this.shutdown();
      throw error;
    }
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping' || this.#state === 'new') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    await this.shutdown();
  }

  async runTimer(name: string): Promise<InvocationSummary> {
    const fn = this.findFunction(name);
    if (!fn) throw new Error(`No function named "${name}"`);
    const registration = this.registration(fn);
    if (registration.trigger === 'http')
      throw new Error(`"${name}" is an HTTP function; call its route instead`);
    return this.track(this.runNonHttp(fn, undefined));
  }

  // ---- start-up --------------------------------------------------------------------------------------
  private listen(): Promise<void> {
    const server = http.createServer((req, res) => {
      void this.track(this.#front.handleHttp(req, res));
    });
    server.keepAliveTimeout = 5000;
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port ?? 7071, this.#options.hostname ?? '127.0.0.1', () => {
        server.off('error', reject);
        this.#port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private startTriggers(app: LoadedApp): void {
    const timeZone = app.appProcess.env.WEBSITE_TIME_ZONE || 'UTC';
    for (const fn of app.functions) {
      const registration = this.registration(fn);
      if (registration.queue) {
        const { queueName, connection } = registration.queue;
        const service = this.queueService(connection, fn.metadata.name);
        const listener = new QueueListener({
          functionName: fn.metadata.name,
          queue: service.getQueueClient(queueName),
          poisonQueue: service.getQueueClient(`${queueName}-poison`),
          settings: this.queueSettings(),
          log: this.#log,
          leaseSeconds: this.#options.queueMessageLeaseSeconds ?? 60,
          handler: (message, body) => this.runQueueMessage(fn, message, body),
        });
        this.#listeners.push(listener);
        listener.start();
      } else if (registration.timer) {
        const trigger = new TimerTrigger(
          parseSchedule(registration.timer.schedule, timeZone),
          registration.timer.runOnStartup,
          (payload) => this.track(this.runTimerPayload(fn, payload)),
        );
        this.#timers.push(trigger);
        trigger.start();
      }
    }
  }

  // ---- shared plumbing -------------------------------------------------------------------------------

  private queueSettings() {
    if (!this.#config) throw new Error('host not started');
    return this.#config.queues;
  }

  registration(fn: RegisteredFunction): FunctionRegistration {
    const found = this.#registrations.find((r) => r.metadata === fn.metadata);
    if (!found) throw new Error(`Unknown function ${fn.metadata.name}`);
    return found;
  }

  findFunction(name: string): RegisteredFunction | undefined {
    return this.#app?.functions.find((f) => f.metadata.name.toLowerCase() === name.toLowerCase());
  }

  private queueService(connection: string, functionName: string): QueueServiceClient {
    const env = this.#app?.appProcess.env ?? process.env;
    const value = env[connection] ?? env[`AzureWebJobs${connection}`];
    if (!value) {
      const identityBased = env[`${connection}__queueServiceUri`] ?? env[`${connection}__serviceUri`];
      throw new Error(
        identityBased
          ? `Function '${functionName}': identity-based connection '${connection}' is not supported by the dev host; set a connection string`
          : `Function '${functionName}': storage connection '${connection}' is not set`,
      );
    }
    let service = this.#queueServices.get(value);
    if (!service) {
      service = QueueServiceClient.fromConnectionString(value, {
        retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2000, tryTimeoutInMs: 30_000 },
      });
      this.#queueServices.set(value, service);
    }
    return service;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    void work.then(
      () => this.#inFlight.delete(work),
      () => this.#inFlight.delete(work),
    );
    return work;
  }

  logInvocation(
    name: string,
    result: InvocationResult,
    ok: boolean,
    extra = '',
    error?: unknown,
  ): InvocationSummary {
    const durationMs = Date.now() - result.startedAt;
    const outcome = ok ? 'Succeeded' : 'Failed';
    const reason = ok ? '' : `: ${errorMessage(error ?? result.error)}`;
    this.#log(
      ok ? 'information' : 'error',
      `Executed 'Functions.${name}' (${outcome}, Id=${result.invocationId}, Duration=${durationMs}ms${extra})${reason}`,
    );
    return {
      invocationId: result.invocationId,
      outcome,
      durationMs,
      ...(ok ? {} : { error: errorMessage(error ?? result.error) }),
    };
  }

  async invokeWithOutputs(
    fn: RegisteredFunction,
    input: InvocationInput,
  ): Promise<{ result: InvocationResult; outputError?: unknown }> {
    if (!this.#app) throw new Error('host not started');
    const result = await invoke(this.#app, fn, input, {
      log: this.#log,
      timeoutMs: this.#config?.functionTimeoutMs,
    });
    if (!result.ok) return { result };
    try {
      await this.sendQueueOutputs(fn, result);
      return { result };
    } catch (outputError) {
      return { result, outputError };
    }
  }

  private async sendQueueOutputs(fn: RegisteredFunction, result: InvocationResult): Promise<void> {
    const encoding = this.queueSettings().messageEncoding;
    for (const output of this.registration(fn).queueOutputs) {
      const data = outputValue(result.response, output.binding);
      if (data === undefined || data === null) continue;
      const queue = this.queueService(output.connection, fn.metadata.name).getQueueClient(output.queueName);
      await this.ensureQueue(queue);
      for (const message of queueMessagesFrom(data))
        await queue.sendMessage(encodeMessage(message, encoding));
    }
  }

  private ensureQueue(queue: QueueClient): Promise<unknown> {
    const key = queue.url;
    let created = this.#createdQueues.get(key);
    if (!created) {
      created = queue.createIfNotExists().catch((error: unknown) => {
        this.#createdQueues.delete(key);
        throw error;
      });
      this.#createdQueues.set(key, created);
    }
    return created;
  }

  // ---- non-HTTP triggers -----------------------------------------------------------------------------

  private async runQueueMessage(
    fn: RegisteredFunction,
    message: QueueMessage,
    body: string,
  ): Promise<boolean> {
    const sys = { MethodName: fn.metadata.name, UtcNow: new Date().toISOString(), RandGuid: randomUUID() };
    const { result, outputError } = await this.invokeWithOutputs(fn, {
      trigger: { string: body },
      triggerMetadata: {
        QueueTrigger: { string: body },
        Id: { string: message.id },
        DequeueCount: { json: String(message.dequeueCount) },
        InsertionTime: { string: message.insertionTime.toISOString() },
        ExpirationTime: { string: message.expirationTime.toISOString() },
        NextVisibleTime: { string: message.nextVisibleTime.toISOString() },
        PopReceipt: { string: message.popReceipt },
        sys: { json: JSON.stringify(sys) },
      },
    });
    const ok = result.ok && outputError === undefined;
    this.logInvocation(fn.metadata.name, result, ok, `, DequeueCount=${message.dequeueCount}`, outputError);
    return ok;
  }

  private async runTimerPayload(fn: RegisteredFunction, payload: TimerPayload): Promise<InvocationSummary> {
    const { result, outputError } = await this.invokeWithOutputs(fn, {
      trigger: { json: JSON.stringify(payload) },
    });
    return this.logInvocation(
      fn.metadata.name,
      result,
      result.ok && outputError === undefined,
      '',
      outputError,
    );
  }

  /** On-demand run of a non-HTTP function; `input` is the admin API's `input` (a queue message body). */
  async runNonHttp(fn: RegisteredFunction, input: string | undefined): Promise<InvocationSummary> {
    const registration = this.registration(fn);
    if (registration.timer) {
      const now = new Date();
      const next = parseSchedule(
        registration.timer.schedule,
        this.#app?.appProcess.env.WEBSITE_TIME_ZONE || 'UTC',
      ).next(now);
      return this.runTimerPayload(fn, {
        Schedule: { AdjustForDST: true },
        ScheduleStatus: { Last: now.toISOString(), Next: next.toISOString(), LastUpdated: now.toISOString() },
        IsPastDue: false,
      });
    }
    const body = input ?? '';
    const now = new Date();
    const { result, outputError } = await this.invokeWithOutputs(fn, {
      trigger: { string: body },
      triggerMetadata: registration.queue
        ? {
            QueueTrigger: { string: body },
            Id: { string: randomUUID() },
            DequeueCount: { json: '1' },
            InsertionTime: { string: now.toISOString() },
            ExpirationTime: { string: new Date(now.getTime() + 7 * 86_400_000).toISOString() },
            NextVisibleTime: { string: now.toISOString() },
            PopReceipt: { string: '' },
          }
        : {},
    });
    return this.logInvocation(
      fn.metadata.name,
      result,
      result.ok && outputError === undefined,
      '',
      outputError,
    );
  }

  // ---- HTTP ------------------------------------------------------------------------------------------
  // ---- shutdown --------------------------------------------------------------------------------------

  private async shutdown(): Promise<void> {
    const server = this.#server;
    const closed = server
      ? new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        })
      : Promise.resolve();
    for (const timer of this.#timers) timer.stop();
    await Promise.all(this.#listeners.map((l) => l.stop()));

    const bound = this.#options.shutdownTimeoutMs ?? 5000;
    const settled = Promise.allSettled([...this.#inFlight, ...this.#listeners.map((l) => l.drain())]);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      settled.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), bound))),
    ]);
    clearTimeout(timer);
    if (timedOut) this.#log('warning', `Stopped waiting for running invocations after ${bound} ms`);

    const app = this.#app;
    if (app) {
      for (const hook of [...app.hooks.appTerminate]) {
        try {
          await hook({ hookData: {}, appHookData: app.appHookData });
        } catch (error) {
          this.#log('error', `appTerminate hook failed: ${errorMessage(error)}`);
        }
      }
    }
    server?.closeAllConnections();
    await closed;
    this.#restoreEnv?.();
    this.#restoreEnv = undefined;
    this.#state = 'stopped';
  }
}

export function createLocalHost(options: LocalHostOptions): LocalHost {
  return new DevFunctionsHost(options);
}

export { decodeMessage, encodeMessage };
