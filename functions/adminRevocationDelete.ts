import { app } from '@azure/functions';

import { adminAuthLevel, adminHandler } from '../shared/adminAuth';
import { type Deps, deps } from '../shared/container';
import { API_HEADERS } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

/** DELETE /api/admin/revocations/{emailHash}: lifts a revocation (204), so the address may enrol again. */
export const makeAdminRevocationDelete = (d: Pick<Deps, 'revocationService' | 'adminAuth'>): AppHttpHandler =>
  adminHandler(
    'write',
    () => d.adminAuth,
    async (req, log, caller) => {
      await d.revocationService.lift(req.params.emailHash ?? '', caller.actor, log);
      return { status: 204, headers: { ...API_HEADERS } };
    },
  );

app.http('adminRevocationDelete', {
  route: 'api/admin/revocations/{emailHash}',
  methods: ['DELETE'],
  authLevel: adminAuthLevel(),
  handler: httpFunction((req, log, ctx) => makeAdminRevocationDelete(deps())(req, log, ctx)),
});
