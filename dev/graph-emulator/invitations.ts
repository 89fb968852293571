/** POST /v1.0/invitations, and the redeem page a guest's browser opens from the link it returns. */
import type { EmulatedInvitation } from './directoryModel';
import { badRequest, escapeHtml, notFound, readJsonObject, sendJson, type Exchange } from './http';
import type { EmulatorContext, RouteModule } from './router';

interface InvitationBody {
  email: string;
  redirect: string;
  userType: 'Guest' | 'Member';
  displayName: string | null | undefined;
}

/** Graph's checks on the request body, in Graph's order. */
function validate(body: Record<string, unknown>): InvitationBody {
  const email = body.invitedUserEmailAddress;
  const redirect = body.inviteRedirectUrl;
  if (email === undefined || email === null || email === '')
    throw badRequest("The property 'invitedUserEmailAddress' is required.");
  if (typeof email !== 'string') throw badRequest("The property 'invitedUserEmailAddress' must be a string.");
  if (redirect === undefined || redirect === null || redirect === '')
    throw badRequest("The property 'inviteRedirectUrl' is required.");
  if (typeof redirect !== 'string' || !/^https?:\/\/[^\s]+$/i.test(redirect))
    throw badRequest("The property 'inviteRedirectUrl' must be an absolute http(s) URL.");
  if (body.sendInvitationMessage !== undefined && typeof body.sendInvitationMessage !== 'boolean')
    throw badRequest("The property 'sendInvitationMessage' must be a boolean.");
  const requestedType = body.invitedUserType ?? 'Guest';
  if (typeof requestedType !== 'string' || !['guest', 'member'].includes(requestedType.toLowerCase()))
    throw badRequest("The property 'invitedUserType' must be 'Guest' or 'Member'.");
  const displayName = body.invitedUserDisplayName;
  if (displayName !== undefined && displayName !== null && typeof displayName !== 'string')
    throw badRequest("The property 'invitedUserDisplayName' must be a string.");
  return {
    email,
    redirect,
    userType: requestedType.toLowerCase() === 'member' ? 'Member' : 'Guest',
    displayName,
  };
}

/** `resetRedemption: true` with `invitedUser.id`: re-invite that guest (Graph requires the id). */
function resetInvitation({ state }: EmulatorContext, body: Record<string, unknown>, input: InvitationBody) {
  const id = (body.invitedUser as { id?: unknown } | null | undefined)?.id;
  if (typeof id !== 'string' || id === '')
    throw badRequest('invitedUser.id is required when resetRedemption is true.');
  const user = state.users.get(id);
  if (!user) throw notFound(id);
  const invitation = state.resetRedemption(id, input.email, input.redirect);
  if (!invitation) throw notFound(id);
  return { user, invitation };
}

async function createInvitation(context: EmulatorContext, ex: Exchange): Promise<void> {
  const { state, baseUrl } = context;
  const body = await readJsonObject(ex.req);
  const input = validate(body);
  const { email, redirect, userType, displayName } = input;
  if (body.resetRedemption !== undefined && typeof body.resetRedemption !== 'boolean')
    throw badRequest("The property 'resetRedemption' must be a boolean.");
  const outcome =
    body.resetRedemption === true
      ? ({ ok: true, ...resetInvitation(context, body, input) } as const)
      : state.invite({ email, redirectUrl: redirect, userType, displayName }, state.config.replicationLagMs);
  if (!outcome.ok) {
    throw badRequest(
      outcome.reason === 'invalid_address'
        ? `The invited user email address is invalid: ${outcome.problem}.`
        : "Non-external user already exists with the given mail address and can't be invited.",
    );
  }
  const { user, invitation } = outcome;
  const origin = baseUrl();
  // Same shape as Graph's redeem link (rd= wraps the invitations service URL), but served by this emulator.
  const inner = `${origin}/invitations/redeem/?tenant=${state.tenantId}&user=${invitation.id}&ticket=${encodeURIComponent(invitation.ticket)}&ver=2.0`;
  sendJson(ex, 201, {
    '@odata.context': `${origin}/v1.0/$metadata#invitations/$entity`,
    id: invitation.id,
    inviteRedeemUrl: `${origin}/redeem?rd=${encodeURIComponent(inner)}`,
    invitedUserDisplayName: typeof displayName === 'string' ? displayName : null,
    invitedUserType: user.userType,
    invitedUserEmailAddress: email,
    sendInvitationMessage: body.sendInvitationMessage ?? false,
    resetRedemption: body.resetRedemption === true,
    inviteRedirectUrl: redirect,
    status: user.externalUserState === 'Accepted' ? 'Completed' : 'PendingAcceptance',
    invitedUserMessageInfo: { messageLanguage: null, customizedMessageBody: null, ccRecipients: [] },
    invitedUser: { id: user.id },
  });
}

function redeem({ state }: EmulatorContext, ex: Exchange): void {
  let invitation: EmulatedInvitation | undefined;
  try {
    const inner = new URL(ex.url.searchParams.get('rd') ?? '');
    invitation = state.redeem(inner.searchParams.get('user') ?? '', inner.searchParams.get('ticket'));
  } catch {
    invitation = undefined;
  }
  const page = (status: number, title: string, body: string) => {
    ex.res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    ex.res.end(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`,
    );
  };
  if (!invitation) {
    page(
      404,
      'Invitation not found (emulator)',
      '<p>This redemption link is not valid in this emulator.</p>',
    );
    return;
  }
  const target = escapeHtml(invitation.inviteRedirectUrl);
  page(
    200,
    'Invitation redeemed (emulator)',
    `<p>The guest account is now active.</p><p><a href="${target}">Continue to ${target}</a></p>`,
  );
}

export const registerInvitationRoutes: RouteModule = (router, context) => {
  router
    .graph('POST', '/v1.0/invitations', (ex) => createInvitation(context, ex))
    // What the guest's browser opens: no token, not in the request log.
    .open('GET', '/redeem', (ex) => redeem(context, ex));
};
