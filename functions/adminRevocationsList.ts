import { app } from '@azure/functions';

import { adminAuthLevel, adminHandler } from '../shared/adminAuth';
import { type Deps, deps } from '../shared/container';
import { json } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

/** GET /api/admin/revocations: every revoked address (email hash only), newest first. */
export const makeAdminRevocationsList = (d: Pick<Deps, 'revocationService' | 'adminAuth'>): AppHttpHandler =>
  adminHandler(
    'read',
    () => d.adminAuth,
    async () => json(200, { items: await d.revocationService.list() }),
  );

app.http('adminRevocationsList', {
  route: 'api/admin/revocations',
  methods: ['GET'],
  authLevel: adminAuthLevel(),
  handler: httpFunction((req, log, ctx) => makeAdminRevocationsList(deps())(req, log, ctx)),
});
