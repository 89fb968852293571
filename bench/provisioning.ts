/** Phase `provisioning`: a backlog of verified flows provisioned under the emulator's Graph write limit. */
import { freePort } from '../dev/stack/processes';
import { createQueueClient, createTableClient } from '../shared/adapters/storageClients';
import { TableSignupStore } from '../shared/adapters/tableStores';
import { QUEUES, TABLES } from '../shared/storageNames';
import { sleep } from '../dev/stack/client';
import { spawnHost } from '../dev/stack/hostProcess';
import { clearQueues } from './common';
import { APP_GRAPH_WRITES_PER_SECOND, GRAPH_LIMIT, PROVISION_BACKLOG, type Stack, log } from './context';
import { inParallel, nextAddress, pendingFlow } from './load';

/** Provisioning a backlog of verified flows while the emulator enforces a Graph write limit. */
export async function provisioningPhase(stack: Stack) {
  await clearQueues(stack.azurite.connectionString);
  const host = await spawnHost({
    port: await freePort(),
    settings: { ...stack.settings, GRAPH_WRITES_PER_SECOND: String(APP_GRAPH_WRITES_PER_SECOND) },
    logLevel: 'error',
  });
  try {
    const cs = stack.azurite.connectionString;
    const signups = new TableSignupStore(createTableClient({ connectionString: cs }, TABLES.signups));
    const queue = createQueueClient({ connectionString: cs }, QUEUES.provision);
    const now = new Date();
    const ids: string[] = [];
    for (let i = 0; i < PROVISION_BACKLOG; i++) {
      const flow = pendingFlow(stack.settings.CODE_HMAC_SECRET ?? '', nextAddress('prov'), now);
      ids.push(flow.signupId);
      await signups.create({ ...flow, status: 'verified', verifiedAt: now.toISOString() });
    }
    await fetch(`${stack.graph.url}/_emulator/requests`, { method: 'DELETE' });
    await fetch(`${stack.graph.url}/_emulator/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeLimit: GRAPH_LIMIT }),
    });
    log(
      `provisioning: ${PROVISION_BACKLOG} verified flows, emulator limit ${GRAPH_LIMIT.writes} writes / ${GRAPH_LIMIT.perSeconds} s, app budget ${APP_GRAPH_WRITES_PER_SECOND}/s`,
    );
    const t0 = Date.now();
    await inParallel(ids, 32, async (signupId) => {
      await queue.sendMessage(Buffer.from(JSON.stringify({ signupId })).toString('base64'));
    });
    let finished = 0;
    while (Date.now() - t0 < 600_000) {
      finished = 0;
      for (const id of ids) {
        const flow = await signups.get(id);
        if (flow?.value.status === 'ready' || flow?.value.status === 'failed') finished++;
      }
      if (finished === ids.length) break;
      await sleep(1000);
    }
    const logEntries = (await (await fetch(`${stack.graph.url}/_emulator/requests`)).json()) as Array<{
      method: string;
      path: string;
      status: number;
      time: string;
    }>;
    const writes = logEntries.filter((r) => r.path.startsWith('/v1.0/') && r.method !== 'GET');
    const ok = writes
      .filter((r) => r.status >= 200 && r.status < 300)
      .map((r) => Date.parse(r.time))
      .sort((a, b) => a - b);
    const throttled = writes.filter((r) => r.status === 429).length;
    const spanS = ok.length > 1 ? ((ok[ok.length - 1] ?? 0) - (ok[0] ?? 0)) / 1000 : Number.NaN;
    let peak = 0;
    for (let i = 0, j = 0; i < ok.length; i++) {
      while ((ok[i] ?? 0) - (ok[j] ?? 0) >= GRAPH_LIMIT.perSeconds * 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    return {
      flows: ids.length,
      finished,
      writes: ok.length,
      throttled,
      ratePerS: ok.length / spanS,
      limitPerS: GRAPH_LIMIT.writes / GRAPH_LIMIT.perSeconds,
      peakInWindow: peak,
    };
  } finally {
    await fetch(`${stack.graph.url}/_emulator/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writeLimit: null }),
    });
    await host.stop();
  }
}
