import { app } from '@azure/functions';
import { z } from 'zod';

import { adminAuthLevel, adminHandler } from '../shared/adminAuth';
import { type Deps, deps } from '../shared/container';
import { json, readJsonBody } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

const RevokeBody = z.strictObject({
  email: z.string().max(320),
  deleteGuest: z.boolean().optional(),
  reason: z
    .string()
    .max(500)
    .regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters')
    .optional(),
});

/**
 * POST /api/admin/revocations `{email, deleteGuest?, reason?}` → 201 with the revocation (its email hash
 * only): the guest leaves every managed group, is deleted if asked and ours, and cannot enrol again.
 */
export const makeAdminRevocationsPost = (d: Pick<Deps, 'revocationService' | 'adminAuth'>): AppHttpHandler =>
  adminHandler(
    'write',
    () => d.adminAuth,
    async (req, log, caller) => {
      const body = await readJsonBody(req, RevokeBody);
      return json(201, await d.revocationService.revoke(body, caller.actor, log));
    },
  );

app.http('adminRevocationsPost', {
  route: 'api/admin/revocations',
  methods: ['POST'],
  authLevel: adminAuthLevel(),
  handler: httpFunction((req, log, ctx) => makeAdminRevocationsPost(deps())(req, log, ctx)),
});
