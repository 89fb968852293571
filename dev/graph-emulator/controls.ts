/**
 * /_emulator/*: what tests steer and inspect (health, request log, reset, injected faults, write limit and
 * replication lag, seeded users, tenant settings). No auth and not logged; an unknown control answers 404.
 */
import { randomUUID } from 'node:crypto';
import type { SeedUserInput } from './directoryModel';
import { badRequest, HttpProblem, readJsonObject, sendJson, type Exchange } from './http';
import type { EmulatorContext, RouteModule } from './router';
import type { ActiveFault, WriteLimit } from './state';
import { updateTenantControl } from './tenant';

function parseWriteLimit(value: unknown): WriteLimit | null {
  if (value === null || value === undefined || value === false) return null;
  const limit = value as Partial<WriteLimit>;
  if (
    typeof limit.writes !== 'number' ||
    typeof limit.perSeconds !== 'number' ||
    !Number.isInteger(limit.writes) ||
    limit.writes < 1 ||
    !(limit.perSeconds > 0)
  ) {
    throw badRequest('writeLimit must be null or { writes: integer ≥ 1, perSeconds: number > 0 }.');
  }
  return { writes: limit.writes, perSeconds: limit.perSeconds };
}

function parseFault(body: Record<string, unknown>): ActiveFault {
  if (typeof body.path !== 'string' || !body.path.startsWith('/'))
    throw badRequest('path must be a string starting with /.');
  if (body.method !== undefined && typeof body.method !== 'string')
    throw badRequest('method must be a string.');
  if (
    body.status !== undefined &&
    (typeof body.status !== 'number' ||
      !Number.isInteger(body.status) ||
      body.status < 200 ||
      body.status > 599)
  ) {
    throw badRequest('status must be an HTTP status code.');
  }
  if (body.status === undefined && !body.delayMs && !body.dropConnection)
    throw badRequest('give a status, a delayMs or dropConnection.');
  const times = body.times ?? 1;
  if (typeof times !== 'number' || !Number.isInteger(times) || times < 1)
    throw badRequest('times must be an integer ≥ 1.');
  for (const key of ['retryAfterSeconds', 'delayMs'] as const) {
    const value = body[key];
    if (value !== undefined && (typeof value !== 'number' || !(value >= 0)))
      throw badRequest(`${key} must be a number ≥ 0.`);
  }
  return {
    id: randomUUID(),
    path: body.path,
    remaining: times,
    times,
    ...(typeof body.method === 'string' ? { method: body.method.toUpperCase() } : {}),
    ...(typeof body.status === 'number' ? { status: body.status } : {}),
    ...(typeof body.retryAfterSeconds === 'number' ? { retryAfterSeconds: body.retryAfterSeconds } : {}),
    ...(typeof body.code === 'string' ? { code: body.code } : {}),
    ...(typeof body.message === 'string' ? { message: body.message } : {}),
    ...(typeof body.delayMs === 'number' ? { delayMs: body.delayMs } : {}),
    ...(body.dropConnection === true ? { dropConnection: true } : {}),
  };
}

function parseSeed(body: Record<string, unknown>): SeedUserInput {
  if (typeof body.mail !== 'string' || !body.mail.includes('@')) throw badRequest('mail is required.');
  if (body.userType !== undefined && body.userType !== 'Guest' && body.userType !== 'Member')
    throw badRequest("userType must be 'Guest' or 'Member'.");
  const strings = (value: unknown, name: string): string[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
      throw badRequest(`${name} must be an array of strings.`);
    return value;
  };
  const optionalString = (value: unknown, name: string): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw badRequest(`${name} must be a string.`);
    return value;
  };
  const seed: SeedUserInput = { mail: body.mail };
  if (body.userType !== undefined) seed.userType = body.userType;
  const id = optionalString(body.id, 'id');
  if (id !== undefined) seed.id = id;
  const displayName = optionalString(body.displayName, 'displayName');
  if (displayName !== undefined) seed.displayName = displayName;
  const upn = optionalString(body.userPrincipalName, 'userPrincipalName');
  if (upn !== undefined) seed.userPrincipalName = upn;
  const otherMails = strings(body.otherMails, 'otherMails');
  if (otherMails) seed.otherMails = otherMails;
  const proxyAddresses = strings(body.proxyAddresses, 'proxyAddresses');
  if (proxyAddresses) seed.proxyAddresses = proxyAddresses;
  const groups = strings(body.groups, 'groups');
  if (groups) seed.groups = groups;
  if (body.externalUserState !== undefined) {
    if (body.externalUserState !== null && typeof body.externalUserState !== 'string')
      throw badRequest('externalUserState must be a string or null.');
    seed.externalUserState = body.externalUserState;
  }
  if (body.accountEnabled !== undefined) {
    if (typeof body.accountEnabled !== 'boolean') throw badRequest('accountEnabled must be a boolean.');
    seed.accountEnabled = body.accountEnabled;
  }
  return seed;
}

async function updateConfig({ state }: EmulatorContext, ex: Exchange): Promise<void> {
  const body = await readJsonObject(ex.req);
  if ('writeLimit' in body) state.config.writeLimit = parseWriteLimit(body.writeLimit);
  if ('replicationLagMs' in body) {
    const lag = body.replicationLagMs;
    if (typeof lag !== 'number' || !Number.isFinite(lag) || lag < 0)
      throw badRequest('replicationLagMs must be a number ≥ 0.');
    state.config.replicationLagMs = lag;
  }
  sendJson(ex, 200, state.config);
}

type Control = (ex: Exchange) => void | Promise<void>;

export const registerControlRoutes: RouteModule = (router, context) => {
  const { state } = context;
  const noContent = (ex: Exchange) => sendJson(ex, 204, undefined);
  const controls: Record<string, Control> = {
    'GET /_emulator/health': (ex) =>
      sendJson(ex, 200, {
        status: 'ok',
        users: state.users.size,
        groups: state.groups.size,
        tenantId: state.tenantId,
        tenantDomain: state.tenantDomain,
      }),
    'GET /_emulator/requests': (ex) => sendJson(ex, 200, state.requests),
    'DELETE /_emulator/requests': (ex) => {
      state.requests.length = 0;
      noContent(ex);
    },
    'POST /_emulator/reset': (ex) => {
      state.reset();
      noContent(ex);
    },
    'GET /_emulator/faults': (ex) => sendJson(ex, 200, state.faults),
    'DELETE /_emulator/faults': (ex) => {
      state.faults = [];
      noContent(ex);
    },
    'POST /_emulator/faults': async (ex) => {
      const fault = parseFault(await readJsonObject(ex.req));
      state.faults.push(fault);
      sendJson(ex, 201, fault);
    },
    'GET /_emulator/config': (ex) => sendJson(ex, 200, state.config),
    'POST /_emulator/config': (ex) => updateConfig(context, ex),
    'GET /_emulator/tenant': (ex) => sendJson(ex, 200, state.tenant),
    'POST /_emulator/tenant': (ex) => updateTenantControl(context, ex),
    'GET /_emulator/users': (ex) => sendJson(ex, 200, [...state.users.values()]),
    'POST /_emulator/users': async (ex) => {
      const user = state.seedUser(parseSeed(await readJsonObject(ex.req)));
      sendJson(ex, 201, user);
    },
  };
  router.openPrefix('/_emulator/', (ex) => {
    const route = `${ex.method} ${ex.path}`;
    const control = controls[route];
    if (!control) throw new HttpProblem(404, 'NotFound', `No emulator control endpoint ${route}.`);
    return control(ex);
  });
};
