import { app } from '@azure/functions';

import { adminAuthLevel, adminHandler } from '../shared/adminAuth';
import { type Deps, deps } from '../shared/container';
import { json } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

/** GET /api/admin/signups/{signupId}: the sign-up and its audit events. */
export const makeAdminSignupGet = (d: Pick<Deps, 'adminService' | 'adminAuth'>): AppHttpHandler =>
  adminHandler(
    'read',
    () => d.adminAuth,
    async (req) => json(200, await d.adminService.getSignup(req.params.signupId ?? '')),
  );

app.http('adminSignupGet', {
  route: 'api/admin/signups/{signupId}',
  methods: ['GET'],
  authLevel: adminAuthLevel(),
  handler: httpFunction((req, log, ctx) => makeAdminSignupGet(deps())(req, log, ctx)),
});
