import { app } from '@azure/functions';

import { adminAuthLevel, adminHandler } from '../shared/adminAuth';
import { type Deps, deps } from '../shared/container';
import { json } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

/** GET /api/admin/readiness: whether the tenant is set up for B2B sign-up, check by check, with fixes. */
export const makeAdminReadiness = (d: Pick<Deps, 'readinessService' | 'adminAuth'>): AppHttpHandler =>
  adminHandler(
    'read',
    () => d.adminAuth,
    async () => json(200, await d.readinessService.check()),
  );

app.http('adminReadiness', {
  route: 'api/admin/readiness',
  methods: ['GET'],
  authLevel: adminAuthLevel(),
  handler: httpFunction((req, log, ctx) => makeAdminReadiness(deps())(req, log, ctx)),
});
