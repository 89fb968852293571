import { app } from '@azure/functions';

import { type Deps, deps } from '../shared/container';
import { ResendRequest } from '../shared/contracts/http';
import { clientIp, json, readJsonBody } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

export const makeSignupResend =
  (d: Pick<Deps, 'signupService' | 'http'>): AppHttpHandler =>
  async (req, log) => {
    const body = await readJsonBody(req, ResendRequest, { allowEmpty: true });
    const resent = await d.signupService.resend(
      {
        signupId: req.params.signupId ?? '',
        ip: clientIp(req, d.http.trustedProxyHops),
        altcha: body.altcha,
      },
      log,
    );
    return json(202, resent);
  };

app.http('signupResend', {
  route: 'api/signups/{signupId}/resend',
  methods: ['POST', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: httpFunction(
    (req, log, ctx) => makeSignupResend(deps())(req, log, ctx),
    () => deps().http.corsAllowedOrigins,
  ),
});
