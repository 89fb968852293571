import { app } from '@azure/functions';

import { type Deps, deps } from '../shared/container';
import { VerifyRequest } from '../shared/contracts/http';
import { clientIp, json, readJsonBody } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

export const makeSignupVerify =
  (d: Pick<Deps, 'signupService' | 'http'>): AppHttpHandler =>
  async (req, log) => {
    const body = await readJsonBody(req, VerifyRequest);
    const verified = await d.signupService.verify(
      {
        signupId: req.params.signupId ?? '',
        code: body.code,
        ip: clientIp(req, d.http.trustedProxyHops),
      },
      log,
    );
    return json(200, verified);
  };

app.http('signupVerify', {
  route: 'api/signups/{signupId}/verify',
  methods: ['POST', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: httpFunction(
    (req, log, ctx) => makeSignupVerify(deps())(req, log, ctx),
    () => deps().http.corsAllowedOrigins,
  ),
});
