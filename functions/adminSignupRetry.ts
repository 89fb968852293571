import { app } from '@azure/functions';

import { adminAuthLevel, adminHandler } from '../shared/adminAuth';
import { type Deps, deps } from '../shared/container';
import { json } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

/** POST /api/admin/signups/{signupId}/retry: re-queues provisioning of a failed sign-up (idempotent). */
export const makeAdminSignupRetry = (d: Pick<Deps, 'adminService' | 'adminAuth'>): AppHttpHandler =>
  adminHandler(
    'write',
    () => d.adminAuth,
    async (req, log, caller) =>
      json(202, await d.adminService.retry(req.params.signupId ?? '', caller.actor, log)),
  );

app.http('adminSignupRetry', {
  route: 'api/admin/signups/{signupId}/retry',
  methods: ['POST'],
  authLevel: adminAuthLevel(),
  handler: httpFunction((req, log, ctx) => makeAdminSignupRetry(deps())(req, log, ctx)),
});
