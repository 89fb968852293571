import { app } from '@azure/functions';

import { type Deps, deps } from '../shared/container';
import { json } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

/** A fresh proof-of-work challenge for the next start or resend (never cached: each is solved once). */
export const makeSignupChallenge =
  (d: Pick<Deps, 'challengeService'>): AppHttpHandler =>
  async () =>
    json(200, await d.challengeService.issue());

app.http('signupChallenge', {
  route: 'api/challenge',
  methods: ['GET', 'OPTIONS'],
  authLevel: 'anonymous',
  handler: httpFunction(
    (req, log, ctx) => makeSignupChallenge(deps())(req, log, ctx),
    () => deps().http.corsAllowedOrigins,
  ),
});
