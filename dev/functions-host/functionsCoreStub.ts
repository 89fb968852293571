/**
 * Loads a v4 function app the way the Node.js worker does: `@azure/functions-core` resolves to an
 * in-process stand-in for the worker's core API, then every file matched by package.json `main` is
 * required. What the app registers (functions, programming model, hooks) is captured for the dev host.
 *
 * Dev/test only. The types below are the subset of the worker's `@azure/functions-core` contract that
 * `@azure/functions` 4.x uses (registerFunction, setProgrammingModel, registerHook, log).
 */
import fs from 'node:fs';
import NodeModule from 'node:module';
import path from 'node:path';
import { globSync } from 'tinyglobby';

// ---- The worker contract (subset) ------------------------------------------------------------------

export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';
export type LogCategory = 'user' | 'system' | 'customMetric';

export interface RpcNullable<T> {
  value?: T | null;
}

export interface RpcHttpCookie {
  name?: string | null;
  value?: string | null;
  domain?: RpcNullable<string> | null;
  path?: RpcNullable<string> | null;
  expires?: RpcNullable<{ seconds?: number | null; nanos?: number | null }> | null;
  secure?: RpcNullable<boolean> | null;
  httpOnly?: RpcNullable<boolean> | null;
  sameSite?: 'none' | 'lax' | 'strict' | 'explicitNone' | null;
  maxAge?: RpcNullable<number> | null;
}

export interface RpcHttpData {
  method?: string | null;
  url?: string | null;
  headers?: Record<string, string> | null;
  body?: RpcTypedData | null;
  params?: Record<string, string> | null;
  statusCode?: string | null;
  query?: Record<string, string> | null;
  cookies?: RpcHttpCookie[] | null;
  enableContentNegotiation?: boolean | null;
}

export interface RpcTypedData {
  string?: string | null;
  json?: string | null;
  bytes?: Uint8Array | null;
  stream?: Uint8Array | null;
  http?: RpcHttpData | null;
  int?: number | null;
  double?: number | null;
}

export interface RpcBindingInfo {
  type?: string | null;
  direction?: 'in' | 'out' | 'inout' | null;
  [option: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  bindings: Record<string, RpcBindingInfo>;
  [extra: string]: unknown;
}

export type FunctionCallback = (...args: unknown[]) => unknown;

export interface RpcInvocationRequest {
  invocationId: string;
  functionId: string;
  inputData: { name: string; data: RpcTypedData }[];
  triggerMetadata: Record<string, RpcTypedData>;
}

export interface RpcInvocationResponse {
  invocationId?: string | null;
  outputData?: { name?: string | null; data?: RpcTypedData | null }[] | null;
  returnValue?: RpcTypedData | null;
}

export interface CoreInvocationContext {
  invocationId: string;
  request: RpcInvocationRequest;
  metadata: FunctionMetadata;
  state?: 'preInvocationHooks' | 'postInvocationHooks' | 'invocation';
  log(level: LogLevel, category: LogCategory, message: string): void;
}

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], handler: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
}

export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreContext: CoreInvocationContext): InvocationModel | Promise<InvocationModel>;
  getCapabilities?(
    capabilities: Record<string, string>,
  ): Record<string, string> | Promise<Record<string, string>>;
}

export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';
export type HookCallback = (context: Record<string, unknown>) => unknown;

export interface Disposable {
  dispose(): void;
}

export interface CoreApi {
  version: string;
  registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable;
  setProgrammingModel(model: ProgrammingModel): void;
  getProgrammingModel(): ProgrammingModel | undefined;
  registerHook(name: string, callback: HookCallback): Disposable;
  log(level: LogLevel, category: LogCategory, message: string): void;
}

// ---- What a load captures ----------------------------------------------------------------------------

export interface RegisteredFunction {
  metadata: FunctionMetadata;
  callback: FunctionCallback;
}

export interface LoadedApp {
  appRoot: string;
  /** Files required because they match package.json `main`, in load order. */
  files: string[];
  functions: RegisteredFunction[];
  programmingModel: ProgrammingModel | undefined;
  hooks: Record<HookName, HookCallback[]>;
  /** Shared by all hooks of the app (the worker's `appHookData`). */
  appHookData: Record<string, unknown>;
  /** The process object the app sees (differs from ours only when we run inside jest's sandbox). */
  appProcess: NodeJS.Process;
  /** Requires a module of the app (resolved from its root) as the app's own code sees it. */
  requireFromApp?: (id: string) => unknown;
}

interface Capture {
  functions: RegisteredFunction[];
  programmingModel: ProgrammingModel | undefined;
  hooks: Record<HookName, HookCallback[]>;
  open: boolean;
  log: (level: LogLevel, category: LogCategory, message: string) => void;
}

const HOOK_NAMES: readonly HookName[] = [
  'appStart',
  'appTerminate',
  'preInvocation',
  'postInvocation',
  'log',
];

// ---- Node's real CommonJS loader ---------------------------------------------------------------------

interface ModuleInstance {
  filename: string;
  loaded: boolean;
  exports: unknown;
  paths: string[];
}

interface ModuleLoader {
  new (id: string, parent?: unknown): ModuleInstance;
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _cache: Record<string, ModuleInstance | undefined>;
  createRequire(filename: string): NodeJS.Require;
}

/**
 * Node's own Module class. Inside jest, `require('module')` is a subclass whose createRequire loads
 * through jest's registry (which ignores `_resolveFilename`); its parent class is the real loader.
 */
function realModuleLoader(): ModuleLoader {
  const exported = NodeModule as unknown as ModuleLoader;
  const parent: unknown = Object.getPrototypeOf(exported);
  if (
    typeof parent === 'function' &&
    typeof (parent as Partial<ModuleLoader>)._resolveFilename === 'function'
  ) {
    return parent as ModuleLoader;
  }
  return exported;
}

// ---- The process-wide stub (one per process: the loader is process-wide) -----------------------------

interface StubState {
  stubPath: string;
  /** The capture of the load in progress; registrations outside a load are refused like the worker does. */
  active: Capture | undefined;
  /** Where library system logs go between loads: the most recently loaded app. */
  lastLoaded: Capture | undefined;
  /** Modules the previous loads added to the cache, removed before the next load for a fresh app. */
  appModules: Set<string>;
}

const STATE_KEY = Symbol.for('rms-signup.dev.functionsCoreStub');

function stubState(): StubState {
  // Kept on Node's loader, which is process-wide, so every copy of this module (one per jest test file)
  // shares one resolve hook and one stub.
  const loader = realModuleLoader();
  const holder = loader as unknown as { [STATE_KEY]?: StubState };
  const existing = holder[STATE_KEY];
  if (existing) return existing;

  // A path that is never on disk: the module exists only in the loader cache.
  const stubPath = path.join(__dirname, '__azure-functions-core.stub.js');
  const state: StubState = { stubPath, active: undefined, lastLoaded: undefined, appModules: new Set() };

  const api: CoreApi = {
    version: '3.10.1',
    registerFunction(metadata, callback) {
      const capture = state.active;
      if (!capture?.open) throw new Error('A function can only be registered during app startup.');
      if (capture.functions.some((f) => f.metadata.name.toLowerCase() === metadata.name.toLowerCase())) {
        throw new Error(`A function with name "${metadata.name}" has already been registered.`);
      }
      const entry: RegisteredFunction = { metadata, callback };
      capture.functions.push(entry);
      return {
        dispose: () => {
          const i = capture.functions.indexOf(entry);
          if (i >= 0 && capture.open) capture.functions.splice(i, 1);
        },
      };
    },
    setProgrammingModel(model) {
      const capture = state.active;
      if (!capture?.open) throw new Error('The programming model can only be set during app startup.');
      capture.programmingModel = model;
    },
    getProgrammingModel() {
      return (state.active ?? state.lastLoaded)?.programmingModel;
    },
    registerHook(name, callback) {
      const capture = state.active ?? state.lastLoaded;
      if (!capture) throw new Error('Hooks can only be registered by a loaded app.');
      if (!(HOOK_NAMES as readonly string[]).includes(name)) throw new RangeError(`Unknown hook "${name}"`);
      const list = capture.hooks[name as HookName];
      list.push(callback);
      return {
        dispose: () => {
          const i = list.indexOf(callback);
          if (i >= 0) list.splice(i, 1);
        },
      };
    },
    log(level, category, message) {
      const capture = state.active ?? state.lastLoaded;
      if (capture) capture.log(level, category, message);
    },
  };

  const stubModule = new loader(stubPath);
  stubModule.filename = stubPath;
  stubModule.loaded = true;
  stubModule.exports = api;
  loader._cache[stubPath] = stubModule;

  const originalResolve = loader._resolveFilename;
  loader._resolveFilename = function resolveFunctionsCore(request, parent, isMain, options) {
    if (request === '@azure/functions-core') return stubPath;
    return originalResolve.call(this, request, parent, isMain, options);
  };

  holder[STATE_KEY] = state;
  return state;
}

// ---- Loading an app ----------------------------------------------------------------------------------

export interface LoadAppOptions {
  /** Settings applied to the app's process.env before any app code runs. */
  env?: Record<string, string>;
  /** Receives library system logs (user logs go through the invocation context). */
  log?: (level: LogLevel, category: LogCategory, message: string) => void;
}

export interface PackageJson {
  main?: string;
  type?: string;
}

export function readPackageJson(appRoot: string): PackageJson {
  const file = path.join(appRoot, 'package.json');
  if (!fs.existsSync(file)) throw new Error(`No package.json in ${appRoot}`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as PackageJson;
}

/** The entry files, as the worker finds them: package.json `main` (a glob or a file), default index.js. */
export function resolveEntryFiles(appRoot: string): string[] {
  const main = readPackageJson(appRoot).main ?? 'index.js';
  const files = globSync(main, { cwd: appRoot, absolute: true, onlyFiles: true }).sort();
  if (files.length === 0) {
    throw new Error(
      `Worker was unable to load entry point "${main}": Found zero files matching the supplied pattern (in ${appRoot}).`,
    );
  }
  const esm = files.filter((f) => f.endsWith('.mjs'));
  if (esm.length > 0)
    throw new Error(`The dev host loads CommonJS only; ES modules found: ${esm.join(', ')}`);
  return files;
}

/** Applies settings to the app's environment and returns a function that restores the previous values. */
export function applyEnv(target: NodeJS.ProcessEnv, env: Record<string, string>): () => void {
  const previous = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(env)) {
    previous.set(key, target[key]);
    target[key] = value;
  }
  return () => {
    for (const [key, value] of previous) {
      if (value === undefined) delete target[key];
      else target[key] = value;
    }
  };
}

/**
 * Requires the app's entry files with Node's loader (never jest's), with `@azure/functions-core`
 * resolving to the stub, and returns what the app registered. Each call loads a fresh copy of the app
 * and of `@azure/functions`, so several hosts (or tests) in one process do not share registrations.
 */
export function loadApp(
  appRoot: string,
  options: LoadAppOptions = {},
): LoadedApp & { restoreEnv: () => void } {
  const state = stubState();
  const loader = realModuleLoader();
  const root = path.resolve(appRoot);
  const files = resolveEntryFiles(root);
  const appRequire = loader.createRequire(path.join(root, 'package.json'));
  const appProcess = appRequire('node:process') as NodeJS.Process;

  // Fresh copies: drop what earlier loads added, and any copy of the library loaded before the stub existed
  // (it would have cached "no core API" and silently skipped every registration).
  for (const key of Object.keys(loader._cache)) {
    if (key === state.stubPath) continue;
    if (state.appModules.has(key) || /[\\/]node_modules[\\/]@azure[\\/]functions[\\/]/.test(key)) {
      delete loader._cache[key];
    }
  }
  state.appModules.clear();

  const capture: Capture = {
    functions: [],
    programmingModel: undefined,
    hooks: { appStart: [], appTerminate: [], preInvocation: [], postInvocation: [], log: [] },
    open: true,
    log: options.log ?? (() => undefined),
  };
  const restoreEnv = applyEnv(appProcess.env, options.env ?? {});
  const before = new Set(Object.keys(loader._cache));
  state.active = capture;
  try {
    for (const file of files) {
      try {
        appRequire(file);
      } catch (error) {
        // Errors thrown by app code may come from another realm (jest): read the message by shape.
        const reason =
          typeof error === 'object' && error !== null && 'message' in error
            ? String(error.message)
            : String(error);
        throw new Error(`Failed to load ${path.relative(root, file)}: ${reason}`, { cause: error });
      }
    }
  } catch (error) {
    restoreEnv();
    throw error;
  } finally {
    capture.open = false;
    state.active = undefined;
    for (const key of Object.keys(loader._cache)) if (!before.has(key)) state.appModules.add(key);
  }
  state.lastLoaded = capture;

  if (capture.functions.length > 0 && !capture.programmingModel) {
    restoreEnv();
    throw new Error(
      'The app registered functions but never set a programming model (is @azure/functions v4 used?)',
    );
  }

  return {
    appRoot: root,
    files,
    functions: capture.functions,
    programmingModel: capture.programmingModel,
    hooks: capture.hooks,
    appHookData: {},
    appProcess,
    requireFromApp: (id: string) => appRequire(path.resolve(root, id)),
    restoreEnv,
  };
}
