/** The results table printed by `npm run bench` and the generated block of docs/BENCHMARKS.md. */
import { bundlePhase } from './bundle';
import { DURATION_S, GRAPH_LIMIT, PACING_BUDGET, PACING_SCALE, QUICK, RUNS, machine } from './context';
import { journeyPhase } from './journeys';
import { pacingPhase } from './pacing';
import { provisioningPhase } from './provisioning';
import { throughputPhase } from './throughput';

export type Results = {
  machine: ReturnType<typeof machine>;
  date: string;
  durationMin: number;
  throughput: Awaited<ReturnType<typeof throughputPhase>>;
  journeys: Awaited<ReturnType<typeof journeyPhase>>;
  pacing: Awaited<ReturnType<typeof pacingPhase>>;
  provisioning: Awaited<ReturnType<typeof provisioningPhase>>;
  bundle: Awaited<ReturnType<typeof bundlePhase>>;
};

export const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
export const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
export const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
export const mark = (ok: boolean) => (ok ? 'met' : '**missed**');

export function report(r: Results): { table: string; markdown: string } {
  const s = r.throughput.start;
  const ratio16 = s.ours16.rps / s.base16.rps;
  const ratio64 = s.ours64.rps / s.base64.rps;
  const rows: Array<[string, string, string, string]> = [
    ['Start, 16 connections: throughput', `${f0(s.ours16.rps)} req/s (baseline ${f0(s.base16.rps)})`, '', ''],
    [
      'Start, 16 connections: p50 / p95 / p99',
      `${f1(s.ours16.p50)} / ${f1(s.ours16.p95)} / ${f1(s.ours16.p99)} ms`,
      '',
      '',
    ],
    ['Start, 64 connections: throughput', `${f0(s.ours64.rps)} req/s (baseline ${f0(s.base64.rps)})`, '', ''],
    [
      'Start, 64 connections: p50 / p95 / p99',
      `${f1(s.ours64.p50)} / ${f1(s.ours64.p95)} / ${f1(s.ours64.p99)} ms`,
      'p99 < 50 ms',
      mark(s.ours64.p99 < 50),
    ],
    [
      'Baseline, 64 connections: p50 / p95 / p99',
      `${f1(s.base64.p50)} / ${f1(s.base64.p95)} / ${f1(s.base64.p99)} ms`,
      '',
      '',
    ],
    [
      `Start, 64 connections at a fixed ${r.throughput.fixedRate.rate} req/s: p50 / p95 / p99`,
      `${f1(r.throughput.fixedRate.ours.p50)} / ${f1(r.throughput.fixedRate.ours.p95)} / ${f1(r.throughput.fixedRate.ours.p99)} ms (baseline ${f1(r.throughput.fixedRate.base.p50)} / ${f1(r.throughput.fixedRate.base.p95)} / ${f1(r.throughput.fixedRate.base.p99)})`,
      'p99 < 50 ms',
      mark(r.throughput.fixedRate.ours.p99 < 50),
    ],
    [
      'Ours ÷ baseline throughput (16 / 64)',
      `${f2(ratio16)} / ${f2(ratio64)}`,
      '≥ 0.8',
      mark(ratio16 >= 0.8 && ratio64 >= 0.8),
    ],
    [
      'Start non-2xx / 5xx / connection errors (all runs)',
      `${s.ours16.non2xx + s.ours64.non2xx} / ${s.ours16.status5xx + s.ours64.status5xx} / ${s.ours16.errors + s.ours64.errors}`,
      '0',
      mark(s.ours16.non2xx + s.ours64.non2xx + s.ours16.errors + s.ours64.errors === 0),
    ],
    [
      'Verify, 16 connections: throughput, p50 / p95 / p99',
      `${f0(r.throughput.verify.v16.rps)} req/s, ${f1(r.throughput.verify.v16.p50)} / ${f1(r.throughput.verify.v16.p95)} / ${f1(r.throughput.verify.v16.p99)} ms`,
      '',
      '',
    ],
    [
      'Verify, 64 connections: throughput, p50 / p95 / p99',
      `${f0(r.throughput.verify.v64.rps)} req/s, ${f1(r.throughput.verify.v64.p50)} / ${f1(r.throughput.verify.v64.p95)} / ${f1(r.throughput.verify.v64.p99)} ms`,
      '',
      '',
    ],
    [
      'Verify non-2xx / connection errors (all runs)',
      `${r.throughput.verify.v16.non2xx + r.throughput.verify.v64.non2xx} / ${r.throughput.verify.v16.errors + r.throughput.verify.v64.errors}`,
      '0',
      mark(r.throughput.verify.v16.non2xx + r.throughput.verify.v64.non2xx === 0),
    ],
    [
      'End to end: start → code email, p50 / p95',
      `${f0(r.journeys.e2e.emailP50)} / ${f0(r.journeys.e2e.emailP95)} ms`,
      'p95 < 1500 ms',
      mark(r.journeys.e2e.emailP95 < 1500),
    ],
    [
      'End to end: verify → flow ready, p50 / p95',
      `${f0(r.journeys.e2e.readyP50)} / ${f0(r.journeys.e2e.readyP95)} ms`,
      'p95 < 2000 ms',
      mark(r.journeys.e2e.readyP95 < 2000),
    ],
    [
      'What if maxPollingInterval were 500 ms: email p95, ready p50 / p95',
      `${f0(r.journeys.e2e.whatIf.emailP95)} ms, ${f0(r.journeys.e2e.whatIf.readyP50)} / ${f0(r.journeys.e2e.whatIf.readyP95)} ms`,
      '',
      '',
    ],
    [
      'Storage transactions per completed sign-up',
      `${f1(r.journeys.storage.perSignup)} (work ${f1(r.journeys.storage.workPerSignup)} + polling ${f1(r.journeys.storage.pollsPerSignup)})`,
      '≤ 14',
      mark(r.journeys.storage.perSignup <= 14),
    ],
    [
      'Page status polls per sign-up (not included above)',
      `${f1(r.journeys.storage.statusPollsPerSignup)} polls × ${f1(r.journeys.storage.perStatusRead)} transactions`,
      '',
      '',
    ],
    [
      // A lookup and an invitation: the bench's guests are at no partner domain, so they join no group.
      'Graph requests per new guest',
      f2(r.journeys.graph.perGuest),
      '2',
      mark(Math.abs(r.journeys.graph.perGuest - 2) < 1e-9),
    ],
    [
      'Production bundle (package/dist/index.js)',
      `${f1(r.bundle.bundleBytes / 1024)} KiB (zip ${f1(r.bundle.zipBytes / 1024)} KiB, ${r.bundle.sources} sources)`,
      '',
      '',
    ],
    [
      'Bundle load in a fresh process (median of 10)',
      `${f0(r.bundle.requireMs)} ms require (${f0(r.bundle.processMs)} ms whole process); telemetry on ${f0(r.bundle.requireMsTelemetryOn)} ms`,
      '≤ 150 ms',
      mark(Math.max(r.bundle.requireMs, r.bundle.requireMsTelemetryOn) <= 150),
    ],
    [
      'Email pacing: sends per full window vs budget 60',
      `${r.pacing.windows.join(', ')} → ${f0(r.pacing.utilisation * 100)} % (min ${f0(r.pacing.minFull)})`,
      '≥ 90 %',
      mark(r.pacing.utilisation >= 0.9),
    ],
    [
      'Email pacing: windows over budget / most budget tokens in any 60 s / most sends begun in any 60 s',
      `${r.pacing.overBudgetWindows} / ${r.pacing.slidingMaxTokens} / ${r.pacing.slidingMax} (scaled clock: a token-to-send delay of d ms counts as ${PACING_SCALE}·d)`,
      '0 / ≤ 60',
      mark(r.pacing.overBudgetWindows === 0 && r.pacing.slidingMaxTokens <= PACING_BUDGET),
    ],
    [
      'Provisioning: Graph writes/s vs limit',
      `${f1(r.provisioning.ratePerS)} / ${f1(r.provisioning.limitPerS)} (${r.provisioning.writes} writes, most in any ${GRAPH_LIMIT.perSeconds} s: ${r.provisioning.peakInWindow})`,
      '≥ 90 % of limit',
      mark(r.provisioning.ratePerS >= 0.9 * r.provisioning.limitPerS),
    ],
    [
      'Provisioning: Graph 429 responses',
      String(r.provisioning.throttled),
      '0',
      mark(r.provisioning.throttled === 0),
    ],
  ];
  const width = Math.max(...rows.map((x) => x[0].length));
  const table = rows
    .map(
      ([name, value, target, ok]) =>
        `${name.padEnd(width)}  ${value}${target ? `   [target ${target}: ${ok.replace(/\*/g, '')}]` : ''}`,
    )
    .join('\n');
  const m = r.machine;
  const md: string[] = [];
  md.push(
    `Generated by \`npm run bench\` on ${r.date} in ${f1(r.durationMin)} min${QUICK ? ' (**BENCH_QUICK: short runs, not representative**)' : ''}.`,
  );
  md.push('');
  md.push(
    `Machine: ${m.nproc} vCPU (${m.cpu}), ${m.memory} RAM, ${m.os}; Node ${m.node}; load average ${f2(m.loadAtStart)} when the run began. Everything (Azurite, the host, the load generator, the SMTP sink and the Graph emulator) shares these ${m.nproc} vCPUs.`,
  );
  md.push(
    `Command: \`npm run bench\` (${RUNS} runs of ${DURATION_S} s per load figure; figures are medians of the runs).`,
  );
  md.push('');
  md.push('| Figure | Measured | Target | |');
  md.push('| --- | --- | --- | --- |');
  for (const [name, value, target, ok] of rows)
    md.push(`| ${name} | ${value} | ${target} | ${target ? ok : ''} |`);
  md.push('');
  md.push(
    'Runs (start, req/s): ' +
      (['ours16', 'base16', 'ours64', 'base64'] as const)
        .map((k) => `${k} ${s[k].runs.map((x) => f0(x.rps)).join('/')}`)
        .join('; ') +
      '.',
  );
  md.push(
    `Verify runs (req/s): 16 → ${r.throughput.verify.v16.runs.map((x) => f0(x.rps)).join('/')}; 64 → ${r.throughput.verify.v64.runs.map((x) => f0(x.rps)).join('/')} (${r.throughput.seededPerRun} seeded flows per run).`,
  );
  md.push(
    `End-to-end runs (email p95 / ready p95, ms): ${r.journeys.e2e.runs.map((x) => `${f0(x.emailP95)}/${f0(x.readyP95)}`).join('; ')}.`,
  );
  md.push('');
  md.push(
    `Storage transactions per completed sign-up (${r.journeys.storage.signups} sign-ups in ${f0(r.journeys.storage.durationS)} s; idle polling ${f2(r.journeys.storage.idleRatePerS)}/s subtracted; status reads subtracted at ${f1(r.journeys.storage.perStatusRead)} each):`,
  );
  md.push('');
  md.push(
    "| Request | Per sign-up (rows include the page's status reads, which the total above leaves out) |",
  );
  md.push('| --- | --- |');
  for (const [key, n] of r.journeys.storage.breakdown) md.push(`| ${key} | ${f2(n)} |`);
  md.push(
    `| queue receive-empty above the idle rate (polling attributed) | ${f2(r.journeys.storage.pollsPerSignup)} |`,
  );
  md.push('');
  md.push(
    'Graph requests during those sign-ups: ' +
      r.journeys.graph.breakdown.map(([k, n]) => `${k} × ${n}`).join('; ') +
      '.',
  );
  md.push('');
  md.push(
    `Email pacing outcomes: ${r.pacing.outcomes.map(([k, n]) => `${k} ${n}`).join(', ')}; ${r.pacing.sent} sent.`,
  );
  md.push(`Provisioning: ${r.provisioning.finished}/${r.provisioning.flows} flows finished.`);
  const missed = rows.filter((x) => x[3] === mark(false));
  md.push('');
  md.push(
    missed.length === 0
      ? 'All targets met in this run.'
      : `Targets missed in this run: ${missed.map((x) => x[0]).join('; ')} — see "Misses and their causes" below.`,
  );
  return { table, markdown: md.join('\n') };
}
