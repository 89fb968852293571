import { app, type HttpRequest } from '@azure/functions';
import { z } from 'zod';

import { adminAuthLevel, adminHandler } from '../shared/adminAuth';
import { type Deps, deps } from '../shared/container';
import { GUEST_STATES } from '../shared/domain/guestLedger';
import { AppError } from '../shared/errors';
import { json } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';
import { type ListGuestsInput, MAX_GUEST_PAGE } from '../shared/services/adminService';

const ListQuery = z.strictObject({
  state: z.enum(GUEST_STATES).optional(),
  top: z.coerce.number().int().min(1).max(MAX_GUEST_PAGE).optional(),
  continuationToken: z.string().max(2048).optional(),
  /** The function key, when sent as `?code=` (the host already checked it). */
  code: z.string().optional(),
});

function parseQuery(req: HttpRequest): ListGuestsInput {
  const raw: Record<string, string> = {};
  for (const [key, value] of req.query.entries()) if (value !== '') raw[key] = value;
  const result = ListQuery.safeParse(raw);
  if (!result.success) {
    const details = result.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`);
    throw new AppError('invalid_request', `The query is not valid: ${details.slice(0, 5).join('; ')}.`);
  }
  const { code: _code, ...query } = result.data;
  return query;
}

/** GET /api/admin/guests: one page of the guest ledger (no addresses: the ledger holds none). */
export const makeAdminGuestsList = (d: Pick<Deps, 'adminService' | 'adminAuth'>): AppHttpHandler =>
  adminHandler(
    'read',
    () => d.adminAuth,
    async (req) => json(200, await d.adminService.listGuests(parseQuery(req))),
  );

app.http('adminGuestsList', {
  route: 'api/admin/guests',
  methods: ['GET'],
  authLevel: adminAuthLevel(),
  handler: httpFunction((req, log, ctx) => makeAdminGuestsList(deps())(req, log, ctx)),
});
