import { app } from '@azure/functions';

import { adminAuthLevel, adminHandler } from '../shared/adminAuth';
import { type Deps, deps } from '../shared/container';
import { json } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

/** GET /api/admin/policy: the stored run-time policy, the settings' lists and what start enforces. */
export const makeAdminPolicyGet = (d: Pick<Deps, 'adminService' | 'adminAuth'>): AppHttpHandler =>
  adminHandler(
    'read',
    () => d.adminAuth,
    async () => {
      const view = await d.adminService.getPolicy();
      return json(200, view, view.etag ? { ETag: view.etag } : {});
    },
  );

app.http('adminPolicyGet', {
  route: 'api/admin/policy',
  methods: ['GET'],
  authLevel: adminAuthLevel(),
  handler: httpFunction((req, log, ctx) => makeAdminPolicyGet(deps())(req, log, ctx)),
});
