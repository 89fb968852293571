import { app } from '@azure/functions';

import { type Deps, deps } from '../shared/container';
import { json } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

export const makeHealth =
  (d: Pick<Deps, 'checkStorage'>): AppHttpHandler =>
  async (_req, log) => {
    try {
      await d.checkStorage();
      return json(200, { status: 'ok' });
    } catch (error) {
      log.event(
        'health_storage_unreachable',
        { error: error instanceof Error ? error.message : String(error) },
        'warn',
      );
      return json(503, {
        status: 'unavailable',
        error: { code: 'storage_unavailable', message: 'Storage is not reachable.' },
      });
    }
  };

app.http('health', {
  route: 'api/health',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: httpFunction((req, log, ctx) => makeHealth(deps())(req, log, ctx)),
});
