/**
 * A small local Azure Functions host for development and tests (Core Tools cannot be installed here).
 * It loads the compiled app through package.json `main` exactly like the Node.js worker, then serves its
 * HTTP triggers, runs its storage-queue and timer triggers against Azurite, and delivers queue output
 * bindings. Production runs on Azure Functions; see dev/README.md for what this host does not reproduce.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import {
  loadApp,
  type FunctionMetadata,
  type LoadedApp,
  type LogLevel,
  type RegisteredFunction,
  type RpcBindingInfo,
  type RpcHttpCookie,
  type RpcHttpData,
  type RpcTypedData,
} from './functionsCoreStub';
import { readHostConfig, type HostConfig } from './hostConfig';
import {
  errorMessage,
  invoke,
  outputValue,
  type InvocationInput,
  type InvocationResult,
  type LogSink,
} from './invoker';
import { decodeMessage, encodeMessage, QueueListener, type QueueMessage } from './queueListener';
import { compareRoutes, compileRoute, fullTemplate, matchRoute, type CompiledRoute } from './routes';
import { parseSchedule, TimerTrigger, type TimerPayload } from './timerTrigger';

export type { LogSink } from './invoker';
export type { LogLevel } from './functionsCoreStub';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

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
}

export interface FunctionRegistration {
  name: string;
  /** `http`, `queue`, `timer`, or the raw trigger type for triggers the dev host does not run. */
  trigger: string;
  metadata: FunctionMetadata;
  http?: { methods: string[] | undefined; route: string; authLevel: AuthLevel };
  queue?: { queueName: string; connection: string };
  timer?: { schedule: string; runOnStartup: boolean };
  /** Queue output bindings (extraOutputs or return). */
  queueOutputs: { binding: string; queueName: string; connection: string }[];
}

export interface InvocationSummary {
  invocationId: string;
  outcome: 'Succeeded' | 'Failed';
  durationMs: number;
  error?: string;
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
const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Console sink: one timestamped line per entry; debug/trace only with DEV_HOST_DEBUG=1. */
export function consoleLogSink(level: LogLevel, message: string): void {
  const line = `[${new Date().toISOString()}] ${message}`;
  if (level === 'error' || level === 'critical') console.error(line);
  else if (level === 'warning') console.warn(line);
  else if (level === 'debug' || level === 'trace') {
    if (process.env.DEV_HOST_DEBUG === '1') console.log(line);
  } else if (level !== 'none') console.log(line);
}

// ---- helpers -----------------------------------------------------------------------------------------

const isType = (binding: RpcBindingInfo, type: string) =>
  (binding.type ?? '').toLowerCase() === type.toLowerCase();
const stringProp = (binding: RpcBindingInfo, key: string, fallback = '') => {
  const value = binding[key];
  return typeof value === 'string' ? value : fallback;
};

/** Resolves `%Setting%` binding expressions from app settings, as the host does for binding properties. */
function resolveSettingExpressions(value: string, env: NodeJS.ProcessEnv, where: string): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const resolved = env[name];
    if (resolved === undefined)
      throw new Error(`${where}: '%${name}%' does not resolve to a value (app setting ${name} is not set)`);
    return resolved;
  });
}

function keysEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function typedDataToBuffer(data: RpcTypedData | null | undefined): Buffer {
  if (!data) return Buffer.alloc(0);
  const view = data.bytes ?? data.stream;
  // ArrayBuffer.isView works across realms (the app may run outside jest's sandbox).
  if (view && ArrayBuffer.isView(view)) return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  if (typeof data.string === 'string') return Buffer.from(data.string, 'utf8');
  if (typeof data.json === 'string') return Buffer.from(data.json, 'utf8');
  if (typeof data.int === 'number') return Buffer.from(String(data.int));
  if (typeof data.double === 'number') return Buffer.from(String(data.double));
  return Buffer.alloc(0);
}

/** One queue message per value; an array (JSON) means several messages, as with the real binding. */
export function queueMessagesFrom(data: RpcTypedData): Buffer[] {
  if (typeof data.json === 'string') {
    const value: unknown = JSON.parse(data.json);
    if (Array.isArray(value)) {
      return value.map((item: unknown) =>
        Buffer.from(typeof item === 'string' ? item : JSON.stringify(item), 'utf8'),
      );
    }
    return [Buffer.from(data.json, 'utf8')];
  }
  return [typedDataToBuffer(data)];
}

function formatCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const seconds = cookie.expires?.value?.seconds;
  if (typeof seconds === 'number') parts.push(`Expires=${new Date(seconds * 1000).toUTCString()}`);
  if (typeof cookie.maxAge?.value === 'number') parts.push(`Max-Age=${Math.trunc(cookie.maxAge.value)}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  if (cookie.sameSite === 'lax') parts.push('SameSite=Lax');
  else if (cookie.sameSite === 'strict') parts.push('SameSite=Strict');
  else if (cookie.sameSite === 'explicitNone') parts.push('SameSite=None');
  return parts.join('; ');
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': payload.length,
    ...headers,
  });
  res.end(payload);
}

const hostError = (code: string, message: string) => ({ error: { code, message } });

class BodyTooLargeError extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** The caller as the App Service front end writes it: `1.2.3.4:5678` or `[::1]:5678`. */
function forwardedHop(req: IncomingMessage): string | undefined {
  const address = req.socket.remoteAddress?.replace(/^::ffff:/, '');
  if (!address) return undefined;
  const port = req.socket.remotePort;
  const host = address.includes(':') ? `[${address}]` : address;
  return port === undefined ? host : `${host}:${port}`;
}

interface HttpRoute {
  fn: RegisteredFunction;
  route: CompiledRoute;
  methods: string[] | undefined;
  authLevel: AuthLevel;
}

// ---- the host ----------------------------------------------------------------------------------------

class DevFunctionsHost implements LocalHost {
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
      this.#registrations = loaded.functions.map((fn) => this.describe(fn, loaded.appProcess.env));
      this.#routes = this.buildRoutes(loaded.functions);

      for (const hook of [...loaded.hooks.appStart]) {
        await hook({ hookData: {}, appHookData: loaded.appHookData, functionAppDirectory: loaded.appRoot });
      }

      await this.listen();
      this.#state = 'running';
      this.printFunctions();
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

  private describe(fn: RegisteredFunction, env: NodeJS.ProcessEnv): FunctionRegistration {
    const name = fn.metadata.name;
    const bindings = Object.entries(fn.metadata.bindings);
    const trigger = bindings.find(([, b]) => /trigger$/i.test(b.type ?? ''))?.[1];
    if (!trigger) throw new Error(`Function "${name}" has no trigger`);
    const where = `Function '${name}'`;
    const connectionOf = (b: RpcBindingInfo) =>
      typeof b.connection === 'string' && b.connection ? b.connection : 'AzureWebJobsStorage';

    const registration: FunctionRegistration = {
      name,
      trigger: trigger.type ?? 'unknown',
      metadata: fn.metadata,
      queueOutputs: [],
    };
    if (isType(trigger, 'httpTrigger')) {
      const route = typeof trigger.route === 'string' && trigger.route !== '' ? trigger.route : name;
      const methods = Array.isArray(trigger.methods)
        ? (trigger.methods as string[]).map((m) => m.toUpperCase())
        : undefined;
      const authLevel = stringProp(trigger, 'authLevel', 'anonymous').toLowerCase() as AuthLevel;
      if (!['anonymous', 'function', 'admin'].includes(authLevel))
        throw new Error(`${where}: unknown authLevel "${authLevel}"`);
      registration.trigger = 'http';
      registration.http = { methods, route, authLevel };
    } else if (isType(trigger, 'queueTrigger')) {
      registration.trigger = 'queue';
      registration.queue = {
        queueName: resolveSettingExpressions(stringProp(trigger, 'queueName'), env, where),
        connection: connectionOf(trigger),
      };
    } else if (isType(trigger, 'timerTrigger')) {
      registration.trigger = 'timer';
      registration.timer = {
        schedule: resolveSettingExpressions(stringProp(trigger, 'schedule'), env, where),
        runOnStartup: trigger.runOnStartup === true,
      };
    } else {
      this.#log('warning', `${where}: trigger type '${trigger.type}' is not run by the dev host`);
    }

    for (const [bindingName, binding] of bindings) {
      if (binding === trigger) continue;
      if (binding.direction === 'out' && isType(binding, 'queue')) {
        registration.queueOutputs.push({
          binding: bindingName,
          queueName: resolveSettingExpressions(stringProp(binding, 'queueName'), env, where),
          connection: connectionOf(binding),
        });
      } else if (!(binding.direction === 'out' && isType(binding, 'http'))) {
        this.#log(
          'warning',
          `${where}: ${binding.direction} binding '${bindingName}' of type '${binding.type}' is not supported by the dev host`,
        );
      }
    }
    return registration;
  }

  private buildRoutes(functions: RegisteredFunction[]): HttpRoute[] {
    const prefix = this.#config?.routePrefix ?? 'api';
    const routes: HttpRoute[] = [];
    for (const fn of functions) {
      const http = this.registration(fn).http;
      if (!http) continue;
      const template = fullTemplate(prefix, http.route);
      if (/^admin(\/|$)/i.test(template)) {
        throw new Error(
          `Function '${fn.metadata.name}': route "${template}" conflicts with the built-in admin routes`,
        );
      }
      routes.push({ fn, route: compileRoute(template), methods: http.methods, authLevel: http.authLevel });
    }
    // Stable sort: equally specific routes keep registration order.
    return routes.sort((a, b) => compareRoutes(a.route, b.route));
  }

  private listen(): Promise<void> {
    const server = http.createServer((req, res) => {
      void this.track(this.handleHttp(req, res));
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

  private printFunctions(): void {
    const lines = this.#registrations.map((r) => {
      if (r.http) {
        const methods = r.http.methods?.join(',') ?? 'ALL';
        return `  ${r.name}: [${methods}] ${this.url}/${fullTemplate(this.#config?.routePrefix ?? '', r.http.route)} (${r.http.authLevel})`;
      }
      if (r.queue) return `  ${r.name}: queueTrigger (${r.queue.queueName})`;
      if (r.timer)
        return `  ${r.name}: timerTrigger (${r.timer.schedule}${r.timer.runOnStartup ? ', runOnStartup' : ''})`;
      return `  ${r.name}: ${r.trigger} (not run by the dev host)`;
    });
    this.#log(
      'information',
      [`Functions host listening on ${this.url} with ${lines.length} function(s):`, ...lines].join('\n'),
    );
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

  private registration(fn: RegisteredFunction): FunctionRegistration {
    const found = this.#registrations.find((r) => r.metadata === fn.metadata);
    if (!found) throw new Error(`Unknown function ${fn.metadata.name}`);
    return found;
  }

  private findFunction(name: string): RegisteredFunction | undefined {
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

  private track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    void work.then(
      () => this.#inFlight.delete(work),
      () => this.#inFlight.delete(work),
    );
    return work;
  }

  private logInvocation(
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

  private async invokeWithOutputs(
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
  private async runNonHttp(fn: RegisteredFunction, input: string | undefined): Promise<InvocationSummary> {
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

  private authorized(req: IncomingMessage, url: URL): boolean {
    const header = req.headers['x-functions-key'];
    const given = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('code') ?? undefined;
    return given !== undefined && keysEqual(given, this.#functionKey);
  }

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const base = this.url;
      let url: URL;
      try {
        url = new URL(req.url ?? '/', base);
      } catch {
        sendJson(res, 400, hostError('invalid_request', 'The request URL is not valid.'));
        return;
      }
      if (/^\/admin(\/|$)/i.test(url.pathname)) {
        await this.handleAdmin(req, res, url);
        return;
      }
      await this.handleFunctionRequest(req, res, url);
    } catch (error) {
      this.#log('error', `HTTP ${req.method} ${req.url} failed in the host: ${errorMessage(error)}`);
      if (!res.headersSent)
        sendJson(res, 500, hostError('internal_error', 'The dev host failed to handle the request.'));
      else res.destroy();
    }
  }

  private async handleFunctionRequest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const candidates: { route: HttpRoute; params: Record<string, string> }[] = [];
    for (const route of this.#routes) {
      const params = matchRoute(route.route, url.pathname);
      if (params) candidates.push({ route, params });
    }
    if (candidates.length === 0) {
      sendJson(res, 404, hostError('not_found', `No function matches ${url.pathname}`));
      return;
    }
    // Candidates are already ordered most-specific first; the method is part of the match.
    const chosen = candidates.find((c) => c.route.methods === undefined || c.route.methods.includes(method));
    if (!chosen) {
      const allow = [...new Set(candidates.flatMap((c) => c.route.methods ?? []))].sort().join(', ');
      sendJson(res, 405, hostError('method_not_allowed', `${method} is not allowed on ${url.pathname}`), {
        allow,
      });
      req.resume();
      return;
    }
    const { route, params } = chosen;
    if (route.authLevel !== 'anonymous' && !this.authorized(req, url)) {
      sendJson(
        res,
        401,
        hostError('unauthorized', 'A valid function key is required (x-functions-key header or ?code=).'),
      );
      req.resume();
      return;
    }

    let body: Buffer;
    try {
      body = await readBody(req, this.#options.maxRequestBodyBytes ?? DEFAULT_BODY_LIMIT);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, hostError('payload_too_large', 'The request body is too large.'), {
          connection: 'close',
        });
        res.on('finish', () => req.destroy());
        return;
      }
      throw error;
    }

    const headers = headerRecord(req);
    if (this.#options.appendForwardedFor !== false) {
      const hop = forwardedHop(req);
      if (hop)
        headers['x-forwarded-for'] = headers['x-forwarded-for']
          ? `${headers['x-forwarded-for']}, ${hop}`
          : hop;
    }
    const requestData: RpcHttpData = {
      method,
      url: this.publicUrl(req, url),
      headers,
      params,
      ...(body.length > 0 ? { body: { bytes: body } } : {}),
    };
    const { result, outputError } = await this.invokeWithOutputs(route.fn, {
      trigger: { http: requestData },
    });
    const name = route.fn.metadata.name;
    if (!result.ok || outputError !== undefined) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-length': 0 });
        res.end();
      }
      this.logInvocation(name, result, false, ', Status=500', outputError);
      return;
    }

    const httpBinding = Object.entries(route.fn.metadata.bindings).find(
      ([, b]) => b.direction === 'out' && isType(b, 'http'),
    );
    const output = httpBinding ? outputValue(result.response, httpBinding[0]) : undefined;
    let status: number;
    try {
      status = this.writeHttpResponse(res, output?.http ?? undefined, method);
    } catch (error) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-length': 0 });
        res.end();
      }
      this.logInvocation(name, result, false, ', Status=500', error);
      return;
    }
    this.logInvocation(name, result, true, `, Status=${status}`);
  }

  /** The URL the function sees: the Host header when it is well-formed, else the listening address. */
  private publicUrl(req: IncomingMessage, url: URL): string {
    const host = req.headers.host;
    if (host && /^[A-Za-z0-9.\-[\]:]+$/.test(host)) {
      try {
        return new URL(`${url.pathname}${url.search}`, `http://${host}`).href;
      } catch {
        // fall through
      }
    }
    return url.href;
  }

  private writeHttpResponse(res: ServerResponse, data: RpcHttpData | undefined, method: string): number {
    if (!data) {
      // The handler returned nothing: an empty success.
      res.writeHead(204);
      res.end();
      return 204;
    }
    const status = Number.parseInt(data.statusCode ?? '200', 10) || 200;
    const headers: Record<string, string | string[]> = { ...(data.headers ?? {}) };
    const cookies = (data.cookies ?? []).map(formatCookie);
    if (cookies.length > 0) {
      const existing = headers['set-cookie'];
      headers['set-cookie'] = [
        ...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]),
        ...cookies,
      ];
    }
    const noBody = status === 204 || status === 304 || method === 'HEAD' || (status >= 100 && status < 200);
    const body = noBody ? Buffer.alloc(0) : typedDataToBuffer(data.body);
    delete headers['content-length'];
    delete headers['transfer-encoding'];
    res.writeHead(status, noBody ? headers : { ...headers, 'content-length': String(body.length) });
    res.end(noBody ? undefined : body);
    return status;
  }

  private async handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    if (!this.authorized(req, url)) {
      req.resume();
      sendJson(
        res,
        401,
        hostError('unauthorized', 'The admin API needs the function key (x-functions-key header or ?code=).'),
      );
      return;
    }
    if (/^\/admin\/host\/status\/?$/i.test(url.pathname)) {
      req.resume();
      if (method !== 'GET')
        return sendJson(res, 405, hostError('method_not_allowed', 'Use GET.'), { allow: 'GET' });
      return sendJson(res, 200, {
        state: 'Running',
        version: 'dev-host',
        functions: this.#registrations.map((r) => r.name),
      });
    }
    const match = /^\/admin\/functions\/([^/]+)\/?$/i.exec(url.pathname);
    if (!match?.[1]) {
      req.resume();
      return sendJson(res, 404, hostError('not_found', `No admin endpoint ${url.pathname}`));
    }
    if (method !== 'POST') {
      req.resume();
      return sendJson(res, 405, hostError('method_not_allowed', 'Use POST.'), { allow: 'POST' });
    }
    const name = decodeURIComponent(match[1]);
    const fn = this.findFunction(name);
    if (!fn) {
      req.resume();
      return sendJson(res, 404, hostError('not_found', `No function named ${name}`));
    }
    if (this.registration(fn).trigger === 'http') {
      req.resume();
      return sendJson(
        res,
        400,
        hostError('invalid_request', `${name} is an HTTP function; call its route instead.`),
      );
    }
    let input: string | undefined;
    try {
      const raw = await readBody(req, this.#options.maxRequestBodyBytes ?? DEFAULT_BODY_LIMIT);
      if (raw.length > 0) {
        const parsed = JSON.parse(raw.toString('utf8')) as { input?: unknown };
        if (parsed.input !== undefined)
          input = typeof parsed.input === 'string' ? parsed.input : JSON.stringify(parsed.input);
      }
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        return sendJson(res, 413, hostError('payload_too_large', 'The request body is too large.'));
      return sendJson(res, 400, hostError('invalid_request', 'Send JSON like {"input": "..."}.'));
    }
    // Like the real host: accepted now, run in the background.
    void this.track(this.runNonHttp(fn, input));
    res.writeHead(202, { 'content-length': 0 });
    res.end();
  }

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
