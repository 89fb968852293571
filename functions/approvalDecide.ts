import { app } from '@azure/functions';
import { type Deps, deps } from '../shared/container';
import { ApprovalDecisionRequest } from '../shared/contracts/http';
import { json, readJsonBody } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

/**
 * POST /api/approvals/{token} `{"decision":"approve"|"deny"}` → 200 `{decision, signupId}`; a second
 * decision → 409 `already_decided`; an unknown, foreign or expired token → 404 `approval_not_found`.
 */
export const makeApprovalDecide =
  (d: Pick<Deps, 'approvalService'>): AppHttpHandler =>
  async (req, log) => {
    const body = await readJsonBody(req, ApprovalDecisionRequest);
    return json(200, await d.approvalService.decide(req.params.token ?? '', body.decision, log));
  };

app.http('approvalDecide', {
  route: 'api/approvals/{token}',
  methods: ['POST', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: httpFunction(
    (req, log, ctx) => makeApprovalDecide(deps())(req, log, ctx),
    () => deps().http.corsAllowedOrigins,
  ),
});
