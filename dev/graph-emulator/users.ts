/** /v1.0/users: list with $filter/$select/$top/$count, $count, get/delete by id or UPN, create a member. */
import { randomUUID } from 'node:crypto';
import { sameText, UPN_ALLOWED } from './addressRules';
import type { EmulatedUser } from './directoryModel';
import { HttpProblem, notFound, readJsonObject, sendJson, sendText, type Exchange } from './http';
import { parseFilter, parseSelect, parseTop } from './odataFilter';
import type { EmulatorContext, RouteModule } from './router';
import { DEFAULT_USER_PROPERTIES, USER_FILTER, USER_PROPERTIES, userView } from './views';

const USER_TYPE = 'microsoft.graph.user';

function isEventual(ex: Exchange): boolean {
  return (ex.req.headers.consistencylevel ?? '').toString().toLowerCase() === 'eventual';
}

function invalidProperty(property: string): HttpProblem {
  const message = `Invalid value specified for property '${property}' of resource 'User'.`;
  return new HttpProblem(400, 'Request_BadRequest', message, [
    { code: 'InvalidValue', message, target: property },
  ]);
}

function conflict(property: string): HttpProblem {
  const message = `Another object with the same value for property ${property} already exists.`;
  return new HttpProblem(400, 'Request_BadRequest', message, [
    { code: 'ObjectConflict', message, target: property },
  ]);
}

function listUsers({ state, baseUrl }: EmulatorContext, ex: Exchange): void {
  const params = ex.url.searchParams;
  const eventual = isEventual(ex);
  const countRequested = (params.get('$count') ?? '').toLowerCase() === 'true';
  const select = params.get('$select');
  const properties = parseSelect(select, USER_PROPERTIES, DEFAULT_USER_PROPERTIES, USER_TYPE);
  const top = parseTop(params.get('$top'));
  let users = [...state.users.values()];
  const filterText = params.get('$filter');
  if (filterText !== null && filterText.trim() !== '') {
    const filter = parseFilter(filterText, USER_FILTER);
    const [operator] = filter.advancedOperators;
    if (operator && !(eventual && countRequested)) {
      throw new HttpProblem(
        400,
        'Request_UnsupportedQuery',
        `Operator '${operator}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
      );
    }
    users = users.filter(filter.predicate);
  }
  sendJson(ex, 200, {
    '@odata.context': `${baseUrl()}/v1.0/$metadata#users${select ? `(${properties.join(',')})` : ''}`,
    // Documented: $count=true without ConsistencyLevel: eventual is silently ignored.
    ...(countRequested && eventual ? { '@odata.count': users.length } : {}),
    value: users.slice(0, top).map((u) => userView(u, properties)),
  });
}

function countUsers({ state }: EmulatorContext, ex: Exchange): void {
  if (!isEventual(ex)) throw new HttpProblem(400, 'Request_BadRequest', '$count is not currently supported.');
  sendText(ex, 200, String(state.users.size));
}

function getUser({ state, baseUrl }: EmulatorContext, ex: Exchange, key: string): void {
  const user = state.userByKey(key);
  if (!user || !state.isVisible(user)) throw notFound(key);
  const properties = parseSelect(
    ex.url.searchParams.get('$select'),
    USER_PROPERTIES,
    DEFAULT_USER_PROPERTIES,
    USER_TYPE,
  );
  sendJson(ex, 200, {
    '@odata.context': `${baseUrl()}/v1.0/$metadata#users/$entity`,
    ...userView(user, properties),
  });
}

function deleteUser({ state }: EmulatorContext, ex: Exchange, key: string): void {
  const user = state.userByKey(key);
  if (!user) throw notFound(key);
  state.deleteUser(user.id);
  sendJson(ex, 204, undefined);
}

/** Checks the body the way Graph does for POST /users; returns the UPN. */
function validateNewUser({ state }: EmulatorContext, body: Record<string, unknown>): string {
  if (typeof body.accountEnabled !== 'boolean') throw invalidProperty('accountEnabled');
  if (typeof body.displayName !== 'string' || body.displayName.trim() === '')
    throw invalidProperty('displayName');
  if (typeof body.mailNickname !== 'string' || body.mailNickname === '' || body.mailNickname.length > 64)
    throw invalidProperty('mailNickname');
  const password = (body.passwordProfile as { password?: unknown } | undefined)?.password;
  if (
    typeof body.passwordProfile !== 'object' ||
    body.passwordProfile === null ||
    typeof password !== 'string' ||
    password === ''
  ) {
    throw new HttpProblem(400, 'Request_BadRequest', 'A password must be specified to create a new user.');
  }
  const upn = body.userPrincipalName;
  if (typeof upn !== 'string') throw invalidProperty('userPrincipalName');
  const at = upn.lastIndexOf('@');
  if (at <= 0 || ![...upn.slice(0, at)].every((ch) => UPN_ALLOWED.test(ch))) {
    throw new HttpProblem(400, 'Request_BadRequest', 'Property userPrincipalName is invalid.', [
      {
        code: 'InvalidValue',
        message: 'Property userPrincipalName is invalid.',
        target: 'userPrincipalName',
      },
    ]);
  }
  if (!state.isVerifiedDomain(upn.slice(at + 1))) {
    const message =
      'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.';
    throw new HttpProblem(400, 'Request_BadRequest', message, [
      { code: 'InvalidValue', message, target: 'userPrincipalName' },
    ]);
  }
  return upn;
}

async function createUser(context: EmulatorContext, ex: Exchange): Promise<void> {
  const { state, baseUrl } = context;
  const body = await readJsonObject(ex.req);
  const upn = validateNewUser(context, body);
  const users = [...state.users.values()];
  if (users.some((u) => sameText(u.userPrincipalName, upn))) throw conflict('userPrincipalName');
  const mail = typeof body.mail === 'string' && body.mail !== '' ? body.mail : null;
  if (mail && users.some((u) => u.proxyAddresses.some((p) => sameText(p.replace(/^smtp:/i, ''), mail))))
    throw conflict('proxyAddresses');
  const user: EmulatedUser = state.addUser({
    id: randomUUID(),
    userType: body.userType === 'Guest' ? 'Guest' : 'Member',
    mail,
    otherMails: Array.isArray(body.otherMails)
      ? body.otherMails.filter((m): m is string => typeof m === 'string')
      : [],
    proxyAddresses: mail ? [`SMTP:${mail}`] : [],
    userPrincipalName: upn,
    displayName: body.displayName as string,
    mailNickname: body.mailNickname as string,
    externalUserState: null,
    externalUserStateChangeDateTime: null,
    creationType: null,
    accountEnabled: body.accountEnabled as boolean,
    createdDateTime: new Date().toISOString(),
    visibleAt: Date.now() + state.config.replicationLagMs,
  });
  sendJson(ex, 201, {
    '@odata.context': `${baseUrl()}/v1.0/$metadata#users/$entity`,
    ...userView(user, DEFAULT_USER_PROPERTIES),
  });
}

export const registerUserRoutes: RouteModule = (router, context) => {
  router
    .graph('GET', '/v1.0/users', (ex) => listUsers(context, ex))
    .graph('POST', '/v1.0/users', (ex) => createUser(context, ex))
    .graph('GET', '/v1.0/users/$count', (ex) => countUsers(context, ex))
    .graph('GET', '/v1.0/users/{id}', (ex, { id = '' }) => getUser(context, ex, id))
    .graph('DELETE', '/v1.0/users/{id}', (ex, { id = '' }) => deleteUser(context, ex, id));
};
