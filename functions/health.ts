import { app } from '@azure/functions';

import { type Deps, deps } from '../shared/container';
import { json } from '../shared/http';
import { type AppHttpHandler, httpFunction } from '../shared/httpFunction';

export const makeHealth =
  (d: Pick<Deps, 'checkStorage' | 'missingManagedGroups'>): AppHttpHandler =>
  async (_req, log) => {
    try {
      await d.checkStorage();
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
    // Every group the service may write (PARTNER_GROUP_IDS) must exist: a typo must not surface only
    // when the first partner signs up.
    const missing = await d.missingManagedGroups().catch(() => ['(Graph unreachable)']);
    if (missing.length > 0) {
      log.event('managed_group_missing', { groups: missing.join(',') }, 'error');
      return json(503, {
        status: 'unavailable',
        error: { code: 'partner_group_missing', message: 'A group in PARTNER_GROUP_IDS does not exist.' },
      });
    }
    return json(200, { status: 'ok' });
  };

app.http('health', {
  route: 'api/health',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: httpFunction((req, log, ctx) => makeHealth(deps())(req, log, ctx)),
});
