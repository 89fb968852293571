import { app } from '@azure/functions';

import { adminAuthLevel, adminHandler } from '../shared/adminAuth';
import { type Deps, deps } from '../shared/container';
import { json, readJsonBody } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';
import { PolicyInput } from '../shared/services/adminService';

/** Domain lists make this body larger than the public API's 4 KiB. */
const MAX_POLICY_BODY_BYTES = 64 * 1024;

/** PUT /api/admin/policy: replaces the run-time policy; `If-Match` makes it conditional (412 on mismatch). */
export const makeAdminPolicyPut = (d: Pick<Deps, 'adminService' | 'adminAuth'>): AppHttpHandler =>
  adminHandler(
    'write',
    () => d.adminAuth,
    async (req, log, caller) => {
      const body = await readJsonBody(req, PolicyInput, { maxBytes: MAX_POLICY_BODY_BYTES });
      const ifMatch = req.headers.get('if-match') ?? undefined;
      const view = await d.adminService.putPolicy(body, { actor: caller.actor, ifMatch }, log);
      return json(200, view, view.etag ? { ETag: view.etag } : {});
    },
  );

app.http('adminPolicyPut', {
  route: 'api/admin/policy',
  methods: ['PUT'],
  authLevel: adminAuthLevel(),
  handler: httpFunction((req, log, ctx) => makeAdminPolicyPut(deps())(req, log, ctx)),
});
