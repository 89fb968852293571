import { app } from '@azure/functions';

import { type Deps, deps } from '../shared/container';
import { StartRequest } from '../shared/contracts/http';
import { clientIp, json, readJsonBody } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

export const makeSignupStart =
  (d: Pick<Deps, 'signupService' | 'http'>): AppHttpHandler =>
  async (req, log, ctx) => {
    const body = await readJsonBody(req, StartRequest);
    const started = await d.signupService.start(
      {
        email: body.email,
        locale: body.locale,
        acceptLanguage: req.headers.get('accept-language') ?? undefined,
        ip: clientIp(req, d.http.trustedProxyHops),
        correlationId: ctx.invocationId,
        altcha: body.altcha,
      },
      log,
    );
    return json(202, started);
  };

app.http('signupStart', {
  route: 'api/signups',
  methods: ['POST', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: httpFunction(
    (req, log, ctx) => makeSignupStart(deps())(req, log, ctx),
    () => deps().http.corsAllowedOrigins,
  ),
});
