/** Phase `journeys`: end-to-end start → email → verify → ready latency, and storage/Graph calls per sign-up. */
import { rmSync } from 'node:fs';
import { prepareAppRoot } from '../dev/functions-host/hostMain';
import { azuriteConnectionString, freePort } from '../dev/stack/processes';
import { CountingProxy, type StorageCall, tally } from './countingProxy';
import { sleep } from '../dev/stack/client';
import { REPO_ROOT, spawnHost } from '../dev/stack/hostProcess';
import { clearQueues } from './common';
import { SmtpSink } from './smtpSink';
import { median, percentile } from '../dev/stats';
import { COUNT_SIGNUPS, E2E_JOURNEYS, QUICK, RUNS, type Stack, log, waitForEmptyQueues } from './context';
import { nextAddress, nextIp } from './load';

export interface JourneyTimes {
  toEmailMs: number;
  toReadyMs: number;
  statusPolls: number;
}

export async function postJson(
  url: string,
  body: unknown,
  ip: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/**
 * One person: start, the code email arrives, verify, then status polls until `ready` (every `pollMs`, or on
 * the landing page's schedule 1 s, 2 s, 3 s, 4 s, 5 s, 5 s … when pollMs is 'page').
 */
export async function journey(url: string, sink: SmtpSink, pollMs: number | 'page'): Promise<JourneyTimes> {
  const email = nextAddress('e2e');
  const ip = nextIp();
  const t0 = performance.now();
  const started = await postJson(`${url}/api/signups`, { email }, ip);
  if (started.status !== 202) throw new Error(`start answered ${started.status}`);
  const signupId = String(started.json.signupId);
  const mail = await sink.waitFor(email, (e) => e.code !== undefined, 60_000);
  const toEmailMs = performance.now() - t0;
  const t2 = performance.now();
  const verified = await postJson(`${url}/api/signups/${signupId}/verify`, { code: mail.code }, ip);
  if (verified.status !== 200) throw new Error(`verify answered ${verified.status}`);
  let statusPolls = 0;
  for (let attempt = 0; ; attempt++) {
    await sleep(pollMs === 'page' ? Math.min(attempt + 1, 5) * 1000 : pollMs);
    statusPolls++;
    const res = await fetch(`${url}/api/signups/${signupId}`);
    const view = (await res.json()) as { status?: string };
    if (view.status === 'ready') break;
    if (view.status === 'failed') throw new Error('a benchmark sign-up failed');
    if (performance.now() - t2 > 120_000)
      throw new Error('a benchmark sign-up did not become ready in 120 s');
  }
  const toReadyMs = performance.now() - t2;
  // The account-ready email ends the journey's background work.
  await sink.waitFor(email, (e) => e.code === undefined, 60_000);
  return { toEmailMs, toReadyMs, statusPolls };
}

/** `users` people in parallel, each pausing 0–2 s between journeys so the queue pollers are met in any phase. */
export async function journeys(
  url: string,
  sink: SmtpSink,
  total: number,
  users: number,
  pollMs: number | 'page',
): Promise<JourneyTimes[]> {
  const results: JourneyTimes[] = [];
  let left = total;
  await Promise.all(
    Array.from({ length: users }, async () => {
      while (left > 0) {
        left--;
        await sleep(Math.random() * 2000);
        results.push(await journey(url, sink, pollMs));
      }
    }),
  );
  return results;
}

/** End-to-end latency, then storage transactions and Graph requests per sign-up through counting proxies. */
export async function journeyPhase(stack: Stack) {
  await clearQueues(stack.azurite.connectionString);
  const tableProxy = await CountingProxy.start('table', stack.azurite.tablePort);
  const queueProxy = await CountingProxy.start('queue', stack.azurite.queuePort);
  const proxied = azuriteConnectionString(stack.azurite.blobPort, queueProxy.port, tableProxy.port);
  const host = await spawnHost({
    port: await freePort(),
    settings: { ...stack.settings, AzureWebJobsStorage: proxied },
    logLevel: 'error',
  });
  const calls = (): StorageCall[] => [...tableProxy.calls, ...queueProxy.calls];
  const resetCalls = () => {
    tableProxy.reset();
    queueProxy.reset();
  };
  try {
    log(`end to end: ${RUNS} × ${E2E_JOURNEYS} journeys, 2 people at a time, status polled every 100 ms`);
    const e2eRuns: Array<{ emailP50: number; emailP95: number; readyP50: number; readyP95: number }> = [];
    await journeys(host.url, stack.sink, 2, 1, 100); // warm-up
    for (let run = 0; run < RUNS; run++) {
      const times = await journeys(host.url, stack.sink, E2E_JOURNEYS, 2, 100);
      const email = times.map((t) => t.toEmailMs);
      const ready = times.map((t) => t.toReadyMs);
      e2eRuns.push({
        emailP50: percentile(email, 50),
        emailP95: percentile(email, 95),
        readyP50: percentile(ready, 50),
        readyP95: percentile(ready, 95),
      });
      log(
        `  run ${run + 1}: email p50 ${percentile(email, 50).toFixed(0)} ms p95 ${percentile(email, 95).toFixed(0)} ms; ready p50 ${percentile(ready, 50).toFixed(0)} ms p95 ${percentile(ready, 95).toFixed(0)} ms`,
      );
    }

    // What the queue poll interval costs: the same journeys on a host whose maxPollingInterval is 500 ms.
    const fastRoot = prepareAppRoot(REPO_ROOT, { queues: { maxPollingInterval: '00:00:00.500' } });
    const fastHost = await spawnHost({
      port: await freePort(),
      settings: stack.settings,
      appRoot: fastRoot,
      logLevel: 'error',
    });
    let whatIf: { emailP95: number; readyP95: number; readyP50: number; emailP50: number };
    try {
      await journeys(fastHost.url, stack.sink, 2, 1, 100);
      const times = await journeys(fastHost.url, stack.sink, E2E_JOURNEYS, 2, 100);
      const email = times.map((t) => t.toEmailMs);
      const ready = times.map((t) => t.toReadyMs);
      whatIf = {
        emailP50: percentile(email, 50),
        emailP95: percentile(email, 95),
        readyP50: percentile(ready, 50),
        readyP95: percentile(ready, 95),
      };
      log(
        `  maxPollingInterval 500 ms: email p95 ${whatIf.emailP95.toFixed(0)} ms; ready p50 ${whatIf.readyP50.toFixed(0)} p95 ${whatIf.readyP95.toFixed(0)} ms`,
      );
    } finally {
      await fastHost.stop();
      rmSync(fastRoot, { recursive: true, force: true });
    }

    log('storage transactions: idle polling first');
    await waitForEmptyQueues(stack.azurite.connectionString);
    await sleep(6000); // let the pollers back off to maxPollingInterval
    resetCalls();
    const idleMs = QUICK ? 6000 : 20_000;
    await sleep(idleMs);
    const idleCalls = calls().length;
    const idleRatePerS = idleCalls / (idleMs / 1000);

    log(
      `storage transactions: ${COUNT_SIGNUPS} sign-ups, 4 at a time, status polled on the landing page's schedule`,
    );
    await fetch(`${stack.graph.url}/_emulator/requests`, { method: 'DELETE' });
    resetCalls();
    const t0 = Date.now();
    const times = await journeys(host.url, stack.sink, COUNT_SIGNUPS, 4, 'page');
    await waitForEmptyQueues(stack.azurite.connectionString);
    const durationS = (Date.now() - t0) / 1000;
    const during = calls();
    const statusPolls = times.reduce((s, t) => s + t.statusPolls, 0);
    const graphLog = (await (await fetch(`${stack.graph.url}/_emulator/requests`)).json()) as Array<{
      method: string;
      path: string;
      status: number;
    }>;
    const graphCalls = graphLog.filter((r) => r.path.startsWith('/v1.0/'));

    // What one status read costs, measured alone.
    await sleep(3000);
    resetCalls();
    const probe = await postJson(`${host.url}/api/signups`, { email: nextAddress('probe') }, nextIp());
    await waitForEmptyQueues(stack.azurite.connectionString);
    await sleep(3000);
    const quietStart = Date.now();
    resetCalls();
    const reads = 50;
    for (let i = 0; i < reads; i++) await fetch(`${host.url}/api/signups/${String(probe.json.signupId)}`);
    const readWindowS = (Date.now() - quietStart) / 1000;
    const statusCalls = calls().filter((c) => c.op !== 'receive-empty').length;
    const perStatusRead = statusCalls / reads;
    void readWindowS;

    const polls = during.filter((c) => c.op === 'receive-empty').length;
    const work = during.filter((c) => c.op !== 'receive-empty');
    const pollsAttributed = Math.max(0, polls - idleRatePerS * durationS);
    const statusCost = statusPolls * perStatusRead;
    const workPerSignup = (work.length - statusCost) / COUNT_SIGNUPS;
    const perSignup = workPerSignup + pollsAttributed / COUNT_SIGNUPS;
    const breakdown = tally(work, (c) => `${c.service} ${c.op} ${c.resource}`).map(
      ([k, n]) => [k, n / COUNT_SIGNUPS] as [string, number],
    );
    const graphBreakdown = tally(
      graphCalls.map((g) => ({
        service: 'table',
        op: `${g.method} ${g.path.replace(/[0-9a-f-]{36}/g, '{id}')}`,
        resource: String(g.status),
        status: g.status,
        at: 0,
      })),
      (c) => `${c.op} → ${c.resource}`,
    );
    return {
      e2e: {
        runs: e2eRuns,
        emailP50: median(e2eRuns.map((r) => r.emailP50)),
        emailP95: median(e2eRuns.map((r) => r.emailP95)),
        readyP50: median(e2eRuns.map((r) => r.readyP50)),
        readyP95: median(e2eRuns.map((r) => r.readyP95)),
        whatIf,
      },
      storage: {
        signups: COUNT_SIGNUPS,
        durationS,
        idleRatePerS,
        perSignup,
        workPerSignup,
        pollsPerSignup: pollsAttributed / COUNT_SIGNUPS,
        statusPollsPerSignup: statusPolls / COUNT_SIGNUPS,
        perStatusRead,
        breakdown,
      },
      graph: {
        perGuest: graphCalls.length / COUNT_SIGNUPS,
        breakdown: graphBreakdown,
      },
    };
  } finally {
    await host.stop();
    await Promise.allSettled([tableProxy.stop(), queueProxy.stop()]);
  }
}
