import { app } from '@azure/functions';

import { type Deps, deps } from '../shared/container';
import { json } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

/** GET /api/approvals/{token}: the request a sponsor decides about. Never decides anything itself. */
export const makeApprovalGet =
  (d: Pick<Deps, 'approvalService'>): AppHttpHandler =>
  async (req) =>
    json(200, await d.approvalService.get(req.params.token ?? ''));

app.http('approvalGet', {
  route: 'api/approvals/{token}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: httpFunction(
    (req, log, ctx) => makeApprovalGet(deps())(req, log, ctx),
    () => deps().http.corsAllowedOrigins,
  ),
});
