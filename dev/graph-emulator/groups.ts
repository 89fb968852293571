/** /v1.0/groups: create, list, get, list members, add a member ($ref) and remove one. */
import { randomUUID } from 'node:crypto';
import { HttpProblem, notFound, readJsonObject, sendJson, type Exchange } from './http';
import type { EmulatorContext, RouteModule } from './router';
import { DEFAULT_USER_PROPERTIES, groupView, userView } from './views';

async function createGroup({ state, baseUrl }: EmulatorContext, ex: Exchange): Promise<void> {
  const body = await readJsonObject(ex.req);
  for (const [property, type] of [
    ['displayName', 'string'],
    ['mailNickname', 'string'],
    ['mailEnabled', 'boolean'],
    ['securityEnabled', 'boolean'],
  ] as const) {
    if (typeof body[property] !== type) {
      throw new HttpProblem(
        400,
        'Request_BadRequest',
        `Invalid value specified for property '${property}' of resource 'Group'.`,
      );
    }
  }
  const group = state.addGroup({
    id: randomUUID(),
    displayName: body.displayName as string,
    mailNickname: body.mailNickname as string,
    mailEnabled: body.mailEnabled as boolean,
    securityEnabled: body.securityEnabled as boolean,
    visibility: typeof body.visibility === 'string' ? body.visibility : null,
    members: new Set(),
    visibleAt: Date.now() + state.config.replicationLagMs,
  });
  sendJson(ex, 201, { '@odata.context': `${baseUrl()}/v1.0/$metadata#groups/$entity`, ...groupView(group) });
}

function getGroup({ state, baseUrl }: EmulatorContext, ex: Exchange, id: string): void {
  const group = state.group(id);
  if (!state.isVisible(group)) throw notFound(id);
  sendJson(ex, 200, { '@odata.context': `${baseUrl()}/v1.0/$metadata#groups/$entity`, ...groupView(group) });
}

async function addGroupMember({ state }: EmulatorContext, ex: Exchange, groupId: string): Promise<void> {
  const body = await readJsonObject(ex.req);
  const ref = body['@odata.id'];
  const match =
    typeof ref === 'string'
      ? /^https?:\/\/[^/]+\/(?:v1\.0|beta)\/(?:directoryObjects|users)\/([^/?#]+)$/i.exec(ref)
      : null;
  if (!match?.[1]) {
    throw new HttpProblem(400, 'Request_BadRequest', "Invalid object identifier '" + String(ref) + "'.");
  }
  const memberId = decodeURIComponent(match[1]);
  switch (state.addMember(groupId, memberId)) {
    case 'group_not_found':
      throw notFound(groupId);
    case 'user_not_found':
      throw notFound(memberId);
    case 'already_member':
      throw new HttpProblem(
        400,
        'Request_BadRequest',
        "One or more added object references already exist for the following modified properties: 'members'.",
      );
    case 'added':
      return sendJson(ex, 204, undefined);
  }
}

function listGroupMembers({ state, baseUrl }: EmulatorContext, ex: Exchange, groupId: string): void {
  const group = state.group(groupId);
  if (!state.isVisible(group)) throw notFound(groupId);
  const members = [...group.members].flatMap((id) => {
    const user = state.users.get(id);
    return user
      ? [{ '@odata.type': '#microsoft.graph.user', ...userView(user, DEFAULT_USER_PROPERTIES) }]
      : [];
  });
  sendJson(ex, 200, { '@odata.context': `${baseUrl()}/v1.0/$metadata#directoryObjects`, value: members });
}

function removeGroupMember(
  { state }: EmulatorContext,
  ex: Exchange,
  groupId: string,
  memberId: string,
): void {
  if (!state.removeMember(groupId, memberId)) throw notFound(memberId);
  sendJson(ex, 204, undefined);
}

/** GET /users/{id}/memberOf: the groups the user is a direct member of. */
function listMemberOf({ state, baseUrl }: EmulatorContext, ex: Exchange, userId: string): void {
  const user = state.userByKey(userId);
  if (!user || !state.isVisible(user)) throw notFound(userId);
  const value = state
    .groupsOf(user.id)
    .map((g) => ({ '@odata.type': '#microsoft.graph.group', ...groupView(g) }));
  sendJson(ex, 200, { '@odata.context': `${baseUrl()}/v1.0/$metadata#directoryObjects`, value });
}

export const registerGroupRoutes: RouteModule = (router, context) => {
  const { state, baseUrl } = context;
  router
    .graph('POST', '/v1.0/groups', (ex) => createGroup(context, ex))
    .graph('GET', '/v1.0/groups', (ex) =>
      sendJson(ex, 200, {
        '@odata.context': `${baseUrl()}/v1.0/$metadata#groups`,
        value: [...state.groups.values()].map(groupView),
      }),
    )
    .graph('GET', '/v1.0/groups/{id}', (ex, { id = '' }) => getGroup(context, ex, id))
    .graph('GET', '/v1.0/groups/{id}/members', (ex, { id = '' }) => listGroupMembers(context, ex, id))
    .graph('POST', '/v1.0/groups/{id}/members/$ref', (ex, { id = '' }) => addGroupMember(context, ex, id))
    .graph('DELETE', '/v1.0/groups/{id}/members/{userId}/$ref', (ex, { id = '', userId = '' }) =>
      removeGroupMember(context, ex, id, userId),
    )
    .graph('GET', '/v1.0/users/{id}/memberOf', (ex, { id = '' }) => listMemberOf(context, ex, id));
};
