import { app } from '@azure/functions';

import { adminAuthLevel, adminHandler } from '../shared/adminAuth';
import { type Deps, deps } from '../shared/container';
import { json } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

/** GET /api/admin/guests/{objectId}: one guest of the ledger and its lifecycle history. */
export const makeAdminGuestGet = (d: Pick<Deps, 'adminService' | 'adminAuth'>): AppHttpHandler =>
  adminHandler(
    'read',
    () => d.adminAuth,
    async (req) => json(200, await d.adminService.getGuest(req.params.objectId ?? '')),
  );

app.http('adminGuestGet', {
  route: 'api/admin/guests/{objectId}',
  methods: ['GET'],
  authLevel: adminAuthLevel(),
  handler: httpFunction((req, log, ctx) => makeAdminGuestGet(deps())(req, log, ctx)),
});
