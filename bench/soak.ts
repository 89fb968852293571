/**
 * `npm run soak`: 10 minutes of start + verify at 64 concurrent people against the local stack (Azurite,
 * an SMTP sink, the Graph emulator, the dev host with every function as a child process). Not in CI.
 *
 * Each of the 64 people loops: start with a new address → wait for the code email → verify → next. The
 * host also runs the email and provisioning functions, so every accepted start becomes an email, a guest
 * and an account-ready email. Checks: zero 5xx; every accepted start has its code email or a recorded
 * deferral (an `email_deferred`/`email_dropped` event for its sign-up); no invocation fails; the host's
 * memory is stable (RSS peaks and the heap in use after a full GC, sampled every 10 s). Prints a summary and writes the soak block of docs/BENCHMARKS.md.
 *
 *   npm run soak
 *   SOAK_MINUTES=2 SOAK_CONNECTIONS=16 npm run soak      (a shorter look)
 *   SOAK_NO_WRITE=1 npm run soak                          (leave docs/BENCHMARKS.md alone)
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';

import { MEMORY_PREFIX } from '../dev/functions-host/hostMain';
import { requestJson, sleep } from '../dev/stack/client';
import { appSettings, killOnExit, track } from '../dev/stack/hostProcess';
import { createStack } from '../dev/stack/launcher';
import { freePort } from '../dev/stack/processes';
import { percentile } from '../dev/stats';
import { LOAD_TEST_SETTINGS, queueDepths, writeGeneratedBlock } from './common';
import { SmtpSink } from './smtpSink';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 64);
const SAMPLE_MS = 10_000;
const log = (message: string) => console.log(`[soak] ${message}`);

interface Started {
  email: string;
  signupId: string;
}

/** Resident set size of a process in MiB (Linux /proc), or NaN. */
function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const num = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const post = (url: string, body: unknown, ip: string) =>
  requestJson(url, { method: 'POST', body, ip, timeoutMs: 30_000 });

async function main(): Promise<void> {
  killOnExit();
  const stack = createStack({ mail: { kind: 'catcher', start: () => SmtpSink.start() } });
  await stack.start();
  const { azurite, smtp: sink } = stack;
  track(azurite.process);
  const settings = appSettings({
    ...stack.wiring,
    EMAIL_TRANSPORT: 'smtp',
    GRAPH_STATIC_TOKEN: 'soak-token',
    ...LOAD_TEST_SETTINGS,
  });
  const heapAfterGc: Array<[number, number]> = []; // minutes, MiB
  let began = Date.now();
  const errorSamples = new Set<string>();
  const deferred = new Set<string>();
  const dropped = new Map<string, string>();
  let hostErrors = 0;
  const host = await stack.spawnHost({
    port: await freePort(),
    settings,
    logLevel: 'information',
    nodeArgs: ['--expose-gc'],
    onLine: (line) => {
      if (line.startsWith('error ')) {
        hostErrors++;
        if (errorSamples.size < 5) errorSamples.add(line.slice(0, 300));
      }
      if (line.startsWith(MEMORY_PREFIX)) {
        const memory = JSON.parse(line.slice(MEMORY_PREFIX.length)) as { heapUsed: number };
        heapAfterGc.push([(Date.now() - began) / 60_000, memory.heapUsed / 2 ** 20]);
        return;
      }
      if (!line.includes('"event":"email_')) return;
      const json = line.slice(line.indexOf('{'));
      try {
        const event = JSON.parse(json) as { event: string; signupId?: string; reason?: string };
        if (event.event === 'email_deferred' && event.signupId) deferred.add(event.signupId);
        if (event.event === 'email_dropped' && event.signupId)
          dropped.set(event.signupId, event.reason ?? '?');
      } catch {
        // not an event line
      }
    },
  });
  began = Date.now();
  const endAt = began + MINUTES * 60_000;
  const statuses = new Map<string, number>();
  const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
  const accepted: Started[] = [];
  const startMs: number[] = [];
  const verifyMs: number[] = [];
  let emailTimeouts = 0;
  const rss: Array<[number, number, number]> = []; // minutes, host MiB, Azurite MiB
  const sampler = setInterval(() => {
    const point: [number, number, number] = [
      (Date.now() - began) / 60_000,
      rssMiB(host.child.pid),
      rssMiB(azurite.process.pid),
    ];
    rss.push(point);
    host.child.kill('SIGUSR2'); // the host answers with its heap in use after a full GC
    const heap = heapAfterGc[heapAfterGc.length - 1]?.[1] ?? Number.NaN;
    log(
      `${point[0].toFixed(1)} min: ${accepted.length} accepted, host RSS ${point[1].toFixed(0)} MiB (heap after GC ${heap.toFixed(1)} MiB), Azurite ${point[2].toFixed(0)} MiB, emails ${sink.count}`,
    );
  }, SAMPLE_MS);

  log(`${MINUTES} min at ${CONNECTIONS} people against ${host.url}`);
  let n = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, worker) => {
      const ip = `10.64.${worker >> 8}.${worker & 255}`;
      while (Date.now() < endAt) {
        const email = `soak.${began.toString(36)}.${n++}@fabrikam.com`;
        const started = await post(`${host.url}/api/signups`, { email }, ip);
        count(`start ${started.status}`);
        startMs.push(started.ms);
        if (started.status !== 202) {
          await sleep(500);
          continue;
        }
        const signupId = String(started.json.signupId);
        accepted.push({ email, signupId });
        let code: string | undefined;
        try {
          code = (await sink.waitFor(email, (e) => e.code !== undefined, 60_000)).code;
        } catch {
          emailTimeouts++;
          continue;
        }
        const verified = await post(`${host.url}/api/signups/${signupId}/verify`, { code }, ip);
        count(`verify ${verified.status}`);
        verifyMs.push(verified.ms);
      }
    }),
  );
  log('load stopped; draining the queues (up to 2 min)');
  const drainUntil = Date.now() + 120_000;
  while (Date.now() < drainUntil) {
    const depths = await queueDepths(azurite.connectionString);
    if (Object.values(depths).every((d) => d === 0)) break;
    await sleep(1000);
  }
  clearInterval(sampler);

  const missing = accepted.filter(
    (s) =>
      !sink.emailsTo(s.email).some((e) => e.code !== undefined) &&
      !deferred.has(s.signupId) &&
      !dropped.has(s.signupId),
  );
  const withoutEmail = accepted.filter((s) => !sink.emailsTo(s.email).some((e) => e.code !== undefined));
  const fivexx = [...statuses.entries()].filter(([k]) => / 5\d\d$/.test(k)).reduce((s, [, v]) => s + v, 0);
  const connectionErrors = [...statuses.entries()]
    .filter(([k]) => / 0$/.test(k))
    .reduce((s, [, v]) => s + v, 0);
  // RSS is a sawtooth (the heap grows until a major GC), so it is judged by its peaks: the highest sample
  // of the last third against the highest of the middle third. The heap in use right after a full GC is
  // what a leak would grow: its slope over the second half and its end value against the warm value.
  const third = MINUTES / 3;
  const peak = (from: number, to: number) =>
    Math.max(...rss.filter(([m]) => m >= from && m < to).map(([, h]) => h));
  const middlePeak = peak(third, 2 * third);
  const lastPeak = peak(2 * third, Infinity);
  const rssStable = lastPeak <= middlePeak * 1.2;
  const heapWarm = heapAfterGc.find(([m]) => m >= Math.min(2, third))?.[1] ?? Number.NaN;
  const heapEnd = heapAfterGc[heapAfterGc.length - 1]?.[1] ?? Number.NaN;
  const heapSlope = slope(heapAfterGc.filter(([m]) => m >= MINUTES / 2));
  const heapStable = heapSlope < 1 && heapEnd <= heapWarm * 1.25 + 5;
  const elapsedMin = (Date.now() - began) / 60_000;
  const rows: Array<[string, string, boolean | undefined]> = [
    ['Duration, people', `${MINUTES} min of load (+ drain), ${CONNECTIONS} concurrent`, undefined],
    [
      'Starts accepted (202), rate',
      `${accepted.length} (${(accepted.length / (MINUTES * 60)).toFixed(1)}/s)`,
      undefined,
    ],
    [
      'Responses by status',
      [...statuses.entries()]
        .sort()
        .map(([k, v]) => `${k}: ${v}`)
        .join(', '),
      undefined,
    ],
    ['5xx responses', String(fivexx), fivexx === 0],
    ['Connection errors', String(connectionErrors), connectionErrors === 0],
    [
      'Start latency p50 / p99',
      `${percentile(startMs, 50).toFixed(0)} / ${percentile(startMs, 99).toFixed(0)} ms`,
      undefined,
    ],
    [
      'Verify latency p50 / p99',
      `${percentile(verifyMs, 50).toFixed(0)} / ${percentile(verifyMs, 99).toFixed(0)} ms`,
      undefined,
    ],
    [
      'Accepted starts whose code email arrived',
      `${accepted.length - withoutEmail.length} of ${accepted.length}`,
      undefined,
    ],
    [
      'Accepted starts without code email or recorded deferral',
      `${missing.length} (email waits over 60 s: ${emailTimeouts}; deferred ${deferred.size}, dropped ${dropped.size})`,
      missing.length === 0,
    ],
    [
      'Host RSS peak: middle third → last third',
      `${middlePeak.toFixed(0)} → ${lastPeak.toFixed(0)} MiB (≤ +20 %)`,
      rssStable,
    ],
    [
      'Host heap in use after a full GC: warm → end, slope over the second half',
      `${heapWarm.toFixed(1)} → ${heapEnd.toFixed(1)} MiB, ${heapSlope.toFixed(2)} MiB/min (< 1 MiB/min)`,
      heapStable,
    ],
    [
      'Failed invocations in the host log (error lines)',
      `${hostErrors}${errorSamples.size ? `, e.g. ${[...errorSamples].map((e) => e.slice(0, 200)).join(' | ')}` : ''}`,
      hostErrors === 0,
    ],
  ];
  const table = rows
    .map(([k, v, ok]) => `${k.padEnd(58)} ${v}${ok === undefined ? '' : ok ? '   [ok]' : '   [FAILED]'}`)
    .join('\n');
  console.log(`\n${table}\n`);
  const md = [
    `Generated by \`npm run soak\` on ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} (${elapsedMin.toFixed(1)} min including the drain); ${os.cpus().length} vCPU (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${(os.loadavg()[0] ?? 0).toFixed(2)} at the end.`,
    '',
    '| Check | Result | |',
    '| --- | --- | --- |',
    ...rows.map(([k, v, ok]) => `| ${k} | ${v} | ${ok === undefined ? '' : ok ? 'ok' : '**failed**'} |`),
    '',
    `Host RSS samples (MiB, every 10 s): ${rss.map(([, h]) => h.toFixed(0)).join(' ')}.`,
    '',
    `Host heap in use after a full GC (MiB, every 10 s): ${heapAfterGc.map(([, h]) => h.toFixed(1)).join(' ')}.`,
  ].join('\n');
  if (process.env.SOAK_NO_WRITE !== '1') {
    writeGeneratedBlock('soak', md);
    log('wrote the soak block of docs/BENCHMARKS.md');
  }

  await stack.stop();
  const ok = fivexx === 0 && missing.length === 0 && rssStable && heapStable && hostErrors === 0;
  log(ok ? 'passed' : 'FAILED');
  process.exitCode = ok ? 0 : 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
