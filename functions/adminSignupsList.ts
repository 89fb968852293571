import { app, type HttpRequest } from '@azure/functions';
import { z } from 'zod';

import { adminAuthLevel, adminHandler } from '../shared/adminAuth';
import { type Deps, deps } from '../shared/container';
import { SIGNUP_STATUSES } from '../shared/domain/signupFlow';
import { AppError } from '../shared/errors';
import { json } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';
import { type ListSignupsInput, MAX_PAGE } from '../shared/services/adminService';

const instantOrDate = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

const ListQuery = z.strictObject({
  email: z.string().min(3).max(254).optional(),
  status: z.enum(SIGNUP_STATUSES).optional(),
  domain: z.string().min(1).max(300).optional(),
  from: instantOrDate.optional(),
  to: instantOrDate.optional(),
  top: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
  continuationToken: z.string().max(2048).optional(),
  /** The function key, when sent as `?code=` (the host already checked it). */
  code: z.string().optional(),
});

/** Query-string parameters, validated like a body: unknown or malformed ones are a 400 naming them. */
export function parseListQuery(req: HttpRequest): ListSignupsInput {
  const raw: Record<string, string> = {};
  for (const [key, value] of req.query.entries()) if (value !== '') raw[key] = value;
  const result = ListQuery.safeParse(raw);
  if (!result.success) {
    const details = result.error.issues
      .slice(0, 5)
      .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
      .join('; ');
    throw new AppError('invalid_request', `The query is not valid: ${details}.`);
  }
  const { code: _code, ...query } = result.data;
  return query;
}

/** GET /api/admin/signups: one page of sign-ups (masked addresses) and the token for the next. */
export const makeAdminSignupsList = (d: Pick<Deps, 'adminService' | 'adminAuth'>): AppHttpHandler =>
  adminHandler(
    'read',
    () => d.adminAuth,
    async (req) => json(200, await d.adminService.listSignups(parseListQuery(req))),
  );

app.http('adminSignupsList', {
  route: 'api/admin/signups',
  methods: ['GET'],
  authLevel: adminAuthLevel(),
  handler: httpFunction((req, log, ctx) => makeAdminSignupsList(deps())(req, log, ctx)),
});
