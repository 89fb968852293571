import { app } from '@azure/functions';

import { adminAuthLevel, adminHandler } from '../shared/adminAuth';
import { type Deps, deps } from '../shared/container';
import { AppError } from '../shared/errors';
import { API_HEADERS } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

/**
 * DELETE /api/admin/signups/{signupId}[?deleteGuest=true]: erases the sign-up's personal data (204).
 * The Entra guest stays unless `deleteGuest=true`, which deletes it only when this service created it.
 */
export const makeAdminSignupDelete = (d: Pick<Deps, 'adminService' | 'adminAuth'>): AppHttpHandler =>
  adminHandler(
    'write',
    () => d.adminAuth,
    async (req, log, caller) => {
      const flag = req.query.get('deleteGuest');
      if (flag !== null && flag !== 'true' && flag !== 'false') {
        throw new AppError('invalid_request', 'deleteGuest must be true or false.');
      }
      await d.adminService.erase(
        req.params.signupId ?? '',
        { actor: caller.actor, deleteGuest: flag === 'true' },
        log,
      );
      return { status: 204, headers: { ...API_HEADERS } };
    },
  );

app.http('adminSignupDelete', {
  route: 'api/admin/signups/{signupId}',
  methods: ['DELETE'],
  authLevel: adminAuthLevel(),
  handler: httpFunction((req, log, ctx) => makeAdminSignupDelete(deps())(req, log, ctx)),
});
