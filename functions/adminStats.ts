import { app } from '@azure/functions';

import { adminAuthLevel, adminHandler } from '../shared/adminAuth';
import { type Deps, deps } from '../shared/container';
import { json } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

/** GET /api/admin/stats: counts by status, top domains, send budgets and queue depths. */
export const makeAdminStats = (d: Pick<Deps, 'adminService' | 'adminAuth'>): AppHttpHandler =>
  adminHandler(
    'read',
    () => d.adminAuth,
    async (_req, log) => json(200, await d.adminService.stats(log)),
  );

app.http('adminStats', {
  route: 'api/admin/stats',
  methods: ['GET'],
  authLevel: adminAuthLevel(),
  handler: httpFunction((req, log, ctx) => makeAdminStats(deps())(req, log, ctx)),
});
