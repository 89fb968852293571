import { app } from '@azure/functions';

import { type Deps, deps } from '../shared/container';
import { json } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

export const makeSignupStatus =
  (d: Pick<Deps, 'signupService'>): AppHttpHandler =>
  async (req, log) =>
    json(200, await d.signupService.status(req.params.signupId ?? '', log));

app.http('signupStatus', {
  route: 'api/signups/{signupId}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: httpFunction(
    (req, log, ctx) => makeSignupStatus(deps())(req, log, ctx),
    () => deps().http.corsAllowedOrigins,
  ),
});
