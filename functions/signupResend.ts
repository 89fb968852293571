import { app } from '@azure/functions';
import { z } from 'zod';

import { type Deps, deps } from '../shared/container';
import { clientIp, json, readJsonBody } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

const ResendBody = z.strictObject({ altcha: z.string().max(4096).optional() });

export const makeSignupResend =
  (d: Pick<Deps, 'signupService' | 'config'>): AppHttpHandler =>
  async (req, log) => {
    const body = await readJsonBody(req, ResendBody, { allowEmpty: true });
    const resent = await d.signupService.resend(
      {
        signupId: req.params.signupId ?? '',
        ip: clientIp(req, d.config.TRUSTED_PROXY_HOPS),
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
    () => deps().config.CORS_ALLOWED_ORIGINS,
  ),
});
