import { app } from '@azure/functions';

import { deps } from '../shared/container';
import { httpFunction } from '../shared/httpFunction';
import { makeLandingPageHandler } from './landingPage';

/**
 * GET /approvals/{token}: the landing page, which shows the sponsor the request and two buttons. Serving
 * the page decides nothing (mail scanners open links); only its POST to /api/approvals/{token} does.
 */
app.http('approvalPage', {
  route: 'approvals/{token}',
  methods: ['GET', 'HEAD'],
  authLevel: 'anonymous',
  handler: httpFunction(
    makeLandingPageHandler(
      () => deps().landingPage(),
      () => deps().consolePage(),
    ),
  ),
});
