import { app } from '@azure/functions';
import { z } from 'zod';

import { type Deps, deps } from '../shared/container';
import { clientIp, json, readJsonBody } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

const StartBody = z.strictObject({
  email: z.string().max(320),
  locale: z.string().max(35).optional(),
  /** The solved proof-of-work challenge (base64 ALTCHA payload), required unless CHALLENGE_MODE=off. */
  altcha: z.string().max(4096).optional(),
});

export const makeSignupStart =
  (d: Pick<Deps, 'signupService' | 'config'>): AppHttpHandler =>
  async (req, log, ctx) => {
    const body = await readJsonBody(req, StartBody);
    const started = await d.signupService.start(
      {
        email: body.email,
        locale: body.locale,
        acceptLanguage: req.headers.get('accept-language') ?? undefined,
        ip: clientIp(req, d.config.TRUSTED_PROXY_HOPS),
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
    () => deps().config.CORS_ALLOWED_ORIGINS,
  ),
});
