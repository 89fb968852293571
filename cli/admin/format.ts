/** Plain-text tables and summaries of the admin API's answers (pure). */
import type {
  AdminGuest,
  AdminGuestDetail,
  AdminSignup,
  AdminReadiness,
  AdminSignupDetail,
  AdminStats,
  PolicyView,
  SignupStatus,
} from '../../shared/contracts/http';

/** A plain text table: a header row, a rule, and left-aligned columns. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const when = (iso: unknown) =>
  typeof iso === 'string' && iso ? iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z') : '-';
const listOf = (items: unknown) => (Array.isArray(items) && items.length ? items.join(', ') : '(none)');

export function formatPolicy(view: PolicyView): string {
  const p = view.policy;
  const state = view.effective.pausedNow ? 'PAUSED' : p.signupsPaused ? 'open (the pause has ended)' : 'open';
  const lines = [
    `Sign-ups:          ${state}`,
    ...(p.signupsPaused
      ? [
          `Pause message:     ${p.pauseReason ?? '(default)'}`,
          `Pause until:       ${p.pauseUntil ? when(p.pauseUntil) : '(until resumed)'}`,
        ]
      : []),
    `Allowed domains:   ${listOf(p.allowedDomains)}`,
    `Blocked domains:   ${listOf(p.blockedDomains)}`,
    `Daily cap/domain:  ${p.domainDailyCap ?? '(none)'}`,
    `Last change:       ${p.updatedAt ? `${when(p.updatedAt)} by ${p.updatedBy ?? '?'}` : '(never changed)'}`,
    '',
    'From app settings (read-only here):',
    `  Organisation:    ${listOf(view.settings.organizationDomains)}`,
    `  Allowed:         ${listOf(view.settings.allowedDomains)}`,
    `  Blocked:         ${listOf(view.settings.blockedDomains)}`,
  ];
  if (p.pausedDomains.length) {
    lines.push(
      '',
      'Paused domains:',
      table(
        ['DOMAIN', 'UNTIL', 'MESSAGE'],
        p.pausedDomains.map((d) => [d.domain, d.until ? when(d.until) : '-', d.reason]),
      ),
    );
  }
  return lines.join('\n');
}

export function formatSignups(items: AdminSignup[], continuationToken?: string): string {
  if (items.length === 0)
    return continuationToken ? '(no sign-ups on this page; more may follow)' : '(no sign-ups)';
  const rows = items.map((s) => [
    s.signupId,
    s.status,
    s.address,
    when(s.createdAt),
    s.outcome ?? '-',
    `${s.attempts.failedSubmissions}/${s.attempts.provisionAttempts}`,
    (s.lastError ?? '').slice(0, 60),
  ]);
  const out = [table(['ID', 'STATUS', 'ADDRESS', 'CREATED', 'OUTCOME', 'FAIL/PROV', 'LAST ERROR'], rows)];
  out.push(
    '',
    `${items.length} sign-up${items.length === 1 ? '' : 's'}${continuationToken ? '; more: add --all' : ''}`,
  );
  return out.join('\n');
}

export function formatSignup(detail: AdminSignupDetail): string {
  const s = detail.signup;
  const lines = [
    `Sign-up:      ${s.signupId}`,
    `Address:      ${s.address}`,
    `Status:       ${s.status}${s.outcome ? ` (${s.outcome})` : ''}`,
    `Created:      ${when(s.createdAt)}`,
    `Verified:     ${when(s.verifiedAt)}`,
    `Finished:     ${when(s.finishedAt)}`,
    `Attempts:     ${s.attempts.codeRequests} code request(s), ${s.attempts.failedSubmissions} failed code(s), ${s.attempts.provisionAttempts} provisioning attempt(s)`,
    `Entra user:   ${s.directoryUserId ?? '-'}`,
    `Last error:   ${s.lastError ?? '-'}`,
    '',
    'Audit trail:',
  ];
  const details = (d?: Record<string, unknown>) =>
    d
      ? Object.entries(d)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(' ')
      : '';
  lines.push(
    detail.events.length
      ? table(
          ['TIME', 'EVENT', 'ACTOR', 'DETAILS'],
          detail.events.map((e) => [when(e.at), e.type, e.actor, details(e.details)]),
        )
      : '(none)',
  );
  return lines.join('\n');
}

export function formatGuests(items: AdminGuest[], continuationToken?: string): string {
  if (items.length === 0)
    return continuationToken ? '(no guests on this page; more may follow)' : '(no guests)';
  const rows = items.map((g) => [
    g.objectId,
    g.state,
    g.address,
    when(g.createdAt),
    when(g.lastRenewedAt),
    g.expiresAt ? when(g.expiresAt) : 'never',
  ]);
  return [
    table(['OBJECT ID', 'STATE', 'ADDRESS', 'CREATED', 'LAST RENEWED', 'EXPIRES'], rows),
    '',
    `${items.length} guest${items.length === 1 ? '' : 's'}${continuationToken ? '; more: add --all' : ''}`,
  ].join('\n');
}

export function formatGuest(detail: AdminGuestDetail): string {
  const g = detail.guest;
  const lines = [
    `Guest:        ${g.objectId}`,
    `Address:      ${g.address}`,
    `State:        ${g.state}`,
    `Created:      ${when(g.createdAt)} (sign-up ${g.createdBySignupId})`,
    `Redeemed:     ${when(g.redeemedAt)}`,
    `Last renewed: ${when(g.lastRenewedAt)}`,
    `Expires:      ${g.expiresAt ? when(g.expiresAt) : 'never'}`,
    `Disabled:     ${when(g.disabledAt)}`,
    `Reminders:    ${g.remindersSent}`,
    '',
    'Lifecycle:',
  ];
  lines.push(
    detail.events.length
      ? table(
          ['TIME', 'EVENT', 'ACTOR'],
          detail.events.map((e) => [when(e.at), e.type, e.actor]),
        )
      : '(none)',
  );
  return lines.join('\n');
}

export function formatStats(stats: AdminStats): string {
  const statuses = Object.keys(stats.last30d.byStatus) as SignupStatus[];
  const counts = table(
    ['STATUS', 'LAST 24 H', 'LAST 30 D'],
    [
      ...statuses.map((s) => [
        s,
        String(stats.last24h.byStatus[s] ?? 0),
        String(stats.last30d.byStatus[s] ?? 0),
      ]),
      ['total', String(stats.last24h.total), String(stats.last30d.total)],
    ],
  );
  const budget = (b: Record<string, { used: number; limit: number }>) =>
    Object.entries(b)
      .map(([window, { used, limit }]) => `${used}/${limit} per ${window}`)
      .join(', ');
  const queues = table(
    ['QUEUE', 'MESSAGES'],
    Object.entries(stats.queueDepths).map(([q, n]) => [
      q,
      n === null ? 'unknown' : `${n}${q.endsWith('-poison') && n > 0 ? '  <- investigate' : ''}`,
    ]),
  );
  return [
    `Stats at ${when(stats.generatedAt)}`,
    '',
    counts,
    '',
    'Top domains (30 d):',
    stats.topDomains.length
      ? table(
          ['DOMAIN', 'SIGN-UPS'],
          stats.topDomains.map((d) => [d.domain, String(d.count)]),
        )
      : '(none)',
    '',
    `Email budget:  ${budget(stats.emailBudget)}`,
    `Graph budget:  ${budget(stats.graphBudget)}`,
    `Bounces:       ${stats.emailBounces.lastHour} last hour, ${stats.emailBounces.last24h} last 24 h; ${stats.emailBounces.suppressed} addresses suppressed`,
    '',
    queues,
    '',
    table(
      ['GUEST STATE', 'GUESTS'],
      Object.entries(stats.guests).map(([state, n]) => [state, String(n)]),
    ),
  ].join('\n');
}

/** One line per check (PASS/WARN/FAIL), the fix under each that did not pass, and a summary. */
export function formatReadiness(readiness: AdminReadiness): string {
  const mark = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;
  const lines = readiness.checks.flatMap((c) => [
    `${mark[c.status]}  ${c.id}: ${c.message}`,
    ...(c.fix ? [`      fix: ${c.fix}`] : []),
  ]);
  const failed = readiness.checks.filter((c) => c.status === 'fail').length;
  const warned = readiness.checks.filter((c) => c.status === 'warn').length;
  return [...lines, '', `${readiness.checks.length} checks: ${failed} failed, ${warned} warnings.`].join(
    '\n',
  );
}
