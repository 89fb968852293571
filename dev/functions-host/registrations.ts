/**
 * What the app registered, as the dev host sees it: each function's trigger (HTTP route and auth level,
 * queue, timer) and queue outputs with `%Setting%` expressions resolved, the HTTP route table, and the
 * listing printed at start-up.
 */
import type { RegisteredFunction, RpcBindingInfo, FunctionMetadata } from './functionsCoreStub';
import type { LogSink } from './invoker';
import { compareRoutes, compileRoute, fullTemplate, type CompiledRoute } from './routes';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

export interface FunctionRegistration {
  name: string;
  /** `http`, `queue`, `timer`, `eventGrid`, or the raw trigger type for triggers the dev host does not run. */
  trigger: string;
  metadata: FunctionMetadata;
  http?: { methods: string[] | undefined; route: string; authLevel: AuthLevel };
  queue?: { queueName: string; connection: string };
  timer?: { schedule: string; runOnStartup: boolean };
  /** Queue output bindings (extraOutputs or return). */
  queueOutputs: { binding: string; queueName: string; connection: string }[];
}

export interface HttpRoute {
  fn: RegisteredFunction;
  route: CompiledRoute;
  methods: string[] | undefined;
  authLevel: AuthLevel;
}

export const isType = (binding: RpcBindingInfo, type: string) =>
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

/** The registration of one function; unsupported triggers and bindings are logged as warnings. */
export function describeFunction(
  fn: RegisteredFunction,
  env: NodeJS.ProcessEnv,
  log: LogSink,
): FunctionRegistration {
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
  } else if (isType(trigger, 'eventGridTrigger')) {
    // No Event Grid locally: delivered on demand through POST /admin/functions/{name} (body `{"input": event}`).
    registration.trigger = 'eventGrid';
  } else {
    log('warning', `${where}: trigger type '${trigger.type}' is not run by the dev host`);
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
      log(
        'warning',
        `${where}: ${binding.direction} binding '${bindingName}' of type '${binding.type}' is not supported by the dev host`,
      );
    }
  }
  return registration;
}

/** HTTP routes under the route prefix, most specific first. */
export function buildRoutes(
  functions: RegisteredFunction[],
  registrationOf: (fn: RegisteredFunction) => FunctionRegistration,
  prefix: string,
): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const fn of functions) {
    const http = registrationOf(fn).http;
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

/** The start-up listing: one line per function with its URL, queue or schedule. */
export function functionListing(
  registrations: readonly FunctionRegistration[],
  url: string,
  routePrefix: string,
): string {
  const lines = registrations.map((r) => {
    if (r.http) {
      const methods = r.http.methods?.join(',') ?? 'ALL';
      return `  ${r.name}: [${methods}] ${url}/${fullTemplate(routePrefix, r.http.route)} (${r.http.authLevel})`;
    }
    if (r.queue) return `  ${r.name}: queueTrigger (${r.queue.queueName})`;
    if (r.timer)
      return `  ${r.name}: timerTrigger (${r.timer.schedule}${r.timer.runOnStartup ? ', runOnStartup' : ''})`;
    if (r.trigger === 'eventGrid') return `  ${r.name}: eventGridTrigger (POST /admin/functions/${r.name})`;
    return `  ${r.name}: ${r.trigger} (not run by the dev host)`;
  });
  return [`Functions host listening on ${url} with ${lines.length} function(s):`, ...lines].join('\n');
}
