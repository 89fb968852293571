import { app } from '@azure/functions';

import { adminAuthLevel, adminHandler } from '../shared/adminAuth';
import { type Deps, deps } from '../shared/container';
import { ApprovalDecisionRequest } from '../shared/contracts/http';
import { json, readJsonBody } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

/**
 * POST /api/admin/signups/{signupId}/decision `{"decision":"approve"|"deny"}` → 200 `{decision, signupId}`:
 * an admin decides a sign-up waiting for approval as a sponsor would. Decided already → 409
 * `already_decided`; not waiting for approval → 409 `conflict`; unknown → 404.
 */
export const makeAdminSignupDecide = (d: Pick<Deps, 'approvalService' | 'adminAuth'>): AppHttpHandler =>
  adminHandler(
    'write',
    () => d.adminAuth,
    async (req, log, caller) => {
      const body = await readJsonBody(req, ApprovalDecisionRequest);
      const signupId = req.params.signupId ?? '';
      return json(200, await d.approvalService.decideById(signupId, body.decision, caller.actor, log));
    },
  );

app.http('adminSignupDecide', {
  route: 'api/admin/signups/{signupId}/decision',
  methods: ['POST'],
  authLevel: adminAuthLevel(),
  handler: httpFunction((req, log, ctx) => makeAdminSignupDecide(deps())(req, log, ctx)),
});
