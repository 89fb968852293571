/**
 * The admin CLI: the /api/admin HTTP API from a terminal, with readable tables or `--json`.
 *
 *   npm run admin -- <command> [options]          (after `npm run build`)
 *
 * The base URL comes from RMS_SIGNUP_URL (default http://127.0.0.1:7071), the function key from
 * RMS_SIGNUP_ADMIN_KEY (default `dev-function-key`, the local dev host's key), and, where App Service
 * authentication fronts the app (ADMIN_REQUIRED_ROLE), an Entra access token from RMS_SIGNUP_TOKEN.
 * Parsing and formatting are pure functions (tested); `run` does the I/O through what it is given.
 */
import { parseArgs as parseNodeArgs } from 'node:util';

import type { PausedDomain, StoredPolicy } from '../shared/ports';

export const USAGE = `Usage: npm run admin -- <command> [options]

Commands:
  policy get                              Show the run-time policy, the settings' lists and what is in force
  policy set [options]                    Change the policy (reads it, applies the options, writes it back)
      --paused true|false                 Pause or reopen all sign-ups
      --reason TEXT                       Pause message shown to people (and kept in the audit)
      --until ISO                         The pause ends by itself at this time ("" clears it)
      --allow a.com,b.com                 Replace the allow list ("" clears it)
      --block a.com,b.com                 Replace the block list ("" clears it)
      --daily-cap N|none                  Sign-ups per domain per UTC day
      --pause-domain d.com:"reason"[:ISO] Pause one domain with a message (repeatable)
      --unpause-domain d.com              Remove a paused domain (repeatable)
      --note TEXT                         Why you change it (audit only)
  pause [--reason TEXT] [--until ISO]     Pause all sign-ups
  resume [--note TEXT]                    Reopen sign-ups
  signups list [--status S] [--domain D] [--from ISO] [--to ISO] [--top N] [--all]
  signups show <id>                       One sign-up and its audit trail
  signups retry <id>                      Re-queue provisioning of a failed sign-up
  signups erase <id> [--delete-guest]     Erase a sign-up's personal data (and the guest it created)
  stats                                   Counts, top domains, budgets and queue depths
  readiness                               Tenant readiness checks with fixes (exit 2 when one fails)

Global options:
  --json                                  Print the API's JSON instead of tables
  --url URL                               Default: RMS_SIGNUP_URL or http://127.0.0.1:7071
  --key KEY                               Default: RMS_SIGNUP_ADMIN_KEY or dev-function-key

Statuses: pending_verification, verified, provisioning, ready, failed, expired.`;

export const DEFAULT_URL = 'http://127.0.0.1:7071';
export const DEFAULT_KEY = 'dev-function-key';

export class UsageError extends Error {
  override name = 'UsageError';
}

// ---- arguments ----------------------------------------------------------------------------------------

export interface PolicyChanges {
  signupsPaused?: boolean;
  pauseReason?: string;
  /** null clears it. */
  pauseUntil?: string | null;
  allowedDomains?: string[];
  blockedDomains?: string[];
  /** null clears it. */
  domainDailyCap?: number | null;
  pauseDomains?: { domain: string; reason: string; until?: string }[];
  unpauseDomains?: string[];
  note?: string;
}

export type Command =
  | { kind: 'policy-get' }
  | { kind: 'policy-set'; changes: PolicyChanges }
  | { kind: 'signups-list'; query: Record<string, string>; all: boolean }
  | { kind: 'signups-show'; signupId: string }
  | { kind: 'signups-retry'; signupId: string }
  | { kind: 'signups-erase'; signupId: string; deleteGuest: boolean }
  | { kind: 'stats' }
  | { kind: 'readiness' }
  | { kind: 'help' };

export interface Invocation {
  command: Command;
  json: boolean;
  url?: string;
  key?: string;
}

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  url: { type: 'string' },
  key: { type: 'string' },
  paused: { type: 'string' },
  reason: { type: 'string' },
  until: { type: 'string' },
  allow: { type: 'string' },
  block: { type: 'string' },
  'daily-cap': { type: 'string' },
  'pause-domain': { type: 'string', multiple: true },
  'unpause-domain': { type: 'string', multiple: true },
  note: { type: 'string' },
  status: { type: 'string' },
  domain: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  top: { type: 'string' },
  all: { type: 'boolean' },
  'delete-guest': { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseNodeArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

const GLOBAL = ['json', 'help', 'url', 'key'];
const ISO_TAIL = /:(\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?)$/;

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** `d.com:"Paused for review"[:2026-12-01T00:00:00Z]` (the shell removes the quotes). */
export function parsePauseDomain(spec: string): { domain: string; reason: string; until?: string } {
  const colon = spec.indexOf(':');
  if (colon <= 0) throw new UsageError(`--pause-domain needs domain:reason, got "${spec}"`);
  const domain = spec.slice(0, colon).trim();
  let reason = spec.slice(colon + 1);
  let until: string | undefined;
  const tail = ISO_TAIL.exec(reason);
  if (tail?.[1]) {
    until = tail[1];
    reason = reason.slice(0, tail.index);
  }
  reason = reason.trim().replace(/^"(.*)"$/, '$1');
  if (!reason)
    throw new UsageError(
      `--pause-domain ${domain}: the reason (shown to people from that domain) is missing`,
    );
  return until ? { domain, reason, until } : { domain, reason };
}

function allowOnly(values: Values, allowed: string[], command: string): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || GLOBAL.includes(name) || allowed.includes(name)) continue;
    throw new UsageError(`--${name} does not apply to "${command}"`);
  }
}

function oneId(positionals: string[], command: string): string {
  const id = positionals[2];
  if (!id || positionals.length > 3) throw new UsageError(`"${command}" needs exactly one sign-up id`);
  return id;
}

function bool(value: string, name: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new UsageError(`--${name} must be true or false`);
}

export function parseArgs(argv: string[]): Invocation {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseNodeArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const base = { json: values.json === true, url: values.url, key: values.key };
  const [group, action] = positionals;
  const name = positionals.slice(0, 2).join(' ');
  if (values.help || !group || group === 'help') return { ...base, command: { kind: 'help' } };

  const command = ((): Command => {
    switch (group) {
      case 'policy':
        if (action === 'get' && positionals.length === 2) {
          allowOnly(values, [], name);
          return { kind: 'policy-get' };
        }
        if (action === 'set' && positionals.length === 2) {
          allowOnly(
            values,
            [
              'paused',
              'reason',
              'until',
              'allow',
              'block',
              'daily-cap',
              'pause-domain',
              'unpause-domain',
              'note',
            ],
            name,
          );
          return { kind: 'policy-set', changes: policyChanges(values) };
        }
        throw new UsageError('Use "policy get" or "policy set [options]"');
      case 'pause':
        if (positionals.length !== 1) throw new UsageError('"pause" takes options only');
        allowOnly(values, ['reason', 'until', 'note'], 'pause');
        return { kind: 'policy-set', changes: { ...policyChanges(values), signupsPaused: true } };
      case 'resume':
        if (positionals.length !== 1) throw new UsageError('"resume" takes options only');
        allowOnly(values, ['note'], 'resume');
        return {
          kind: 'policy-set',
          changes: { signupsPaused: false, pauseUntil: null, ...(values.note ? { note: values.note } : {}) },
        };
      case 'signups':
        switch (action) {
          case 'list': {
            if (positionals.length !== 2) throw new UsageError('"signups list" takes options only');
            allowOnly(values, ['status', 'domain', 'from', 'to', 'top', 'all'], name);
            const query: Record<string, string> = {};
            for (const key of ['status', 'domain', 'from', 'to', 'top'] as const) {
              const value = values[key];
              if (value !== undefined) query[key] = value;
            }
            if (query.top !== undefined && !/^\d+$/.test(query.top))
              throw new UsageError('--top must be a number (1–200)');
            return { kind: 'signups-list', query, all: values.all === true };
          }
          case 'show':
            allowOnly(values, [], name);
            return { kind: 'signups-show', signupId: oneId(positionals, name) };
          case 'retry':
            allowOnly(values, [], name);
            return { kind: 'signups-retry', signupId: oneId(positionals, name) };
          case 'erase':
            allowOnly(values, ['delete-guest'], name);
            return {
              kind: 'signups-erase',
              signupId: oneId(positionals, name),
              deleteGuest: values['delete-guest'] === true,
            };
          default:
            throw new UsageError('Use "signups list|show|retry|erase"');
        }
      case 'stats':
        if (positionals.length !== 1) throw new UsageError('"stats" takes no arguments');
        allowOnly(values, [], 'stats');
        return { kind: 'stats' };
      case 'readiness':
        if (positionals.length !== 1) throw new UsageError('"readiness" takes no arguments');
        allowOnly(values, [], 'readiness');
        return { kind: 'readiness' };
      default:
        throw new UsageError(`Unknown command "${group}"`);
    }
  })();
  return { ...base, command };
}

function policyChanges(values: Values): PolicyChanges {
  const changes: PolicyChanges = {};
  if (values.paused !== undefined) changes.signupsPaused = bool(values.paused, 'paused');
  if (values.reason !== undefined) changes.pauseReason = values.reason;
  if (values.until !== undefined) {
    if (values.until !== '' && Number.isNaN(Date.parse(values.until)))
      throw new UsageError('--until must be an ISO date-time like 2026-12-01T09:00:00Z');
    changes.pauseUntil = values.until === '' ? null : values.until;
  }
  if (values.allow !== undefined) changes.allowedDomains = list(values.allow);
  if (values.block !== undefined) changes.blockedDomains = list(values.block);
  const cap = values['daily-cap'];
  if (cap !== undefined) {
    if (cap === 'none' || cap === '') changes.domainDailyCap = null;
    else if (/^[1-9]\d*$/.test(cap)) changes.domainDailyCap = Number(cap);
    else throw new UsageError('--daily-cap must be a whole number ≥ 1, or none');
  }
  if (values['pause-domain']) changes.pauseDomains = values['pause-domain'].map(parsePauseDomain);
  if (values['unpause-domain'])
    changes.unpauseDomains = values['unpause-domain'].map((d) => d.trim().toLowerCase());
  if (values.note !== undefined) changes.note = values.note;
  if (Object.keys(changes).length === 0)
    throw new UsageError('"policy set" needs at least one option (see --help)');
  return changes;
}

// ---- the policy read–modify–write ---------------------------------------------------------------------

/** The PUT body: the current policy with the changes applied (a PUT replaces the whole policy). */
export function applyChanges(current: StoredPolicy, changes: PolicyChanges): Record<string, unknown> {
  const next: Record<string, unknown> = {
    signupsPaused: changes.signupsPaused ?? current.signupsPaused,
    allowedDomains: changes.allowedDomains ?? current.allowedDomains,
    blockedDomains: changes.blockedDomains ?? current.blockedDomains,
  };
  const pauseReason = changes.pauseReason ?? current.pauseReason;
  if (pauseReason) next.pauseReason = pauseReason;
  const pauseUntil = changes.pauseUntil === null ? undefined : (changes.pauseUntil ?? current.pauseUntil);
  if (pauseUntil) next.pauseUntil = new Date(pauseUntil).toISOString();
  const cap =
    changes.domainDailyCap === null ? undefined : (changes.domainDailyCap ?? current.domainDailyCap);
  if (cap !== undefined) next.domainDailyCap = cap;
  const drop = new Set([
    ...(changes.unpauseDomains ?? []),
    ...(changes.pauseDomains ?? []).map((p) => p.domain.toLowerCase()),
  ]);
  next.pausedDomains = [
    ...current.pausedDomains.filter((p) => !drop.has(p.domain)),
    ...(changes.pauseDomains ?? []).map((p) =>
      p.until ? { ...p, until: new Date(p.until).toISOString() } : p,
    ),
  ];
  const why = changes.note ?? changes.pauseReason;
  if (why) next.reason = why;
  return next;
}

// ---- formatting ---------------------------------------------------------------------------------------

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

interface PolicyView {
  policy: StoredPolicy;
  etag: string | null;
  settings: { organizationDomains: string[]; allowedDomains: string[]; blockedDomains: string[] };
  effective: { pausedNow: boolean; pauseUntil?: string; pausedDomains: PausedDomain[] };
}

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

interface AdminSignup {
  signupId: string;
  address: string;
  domain: string;
  status: string;
  outcome?: string;
  createdAt: string;
  verifiedAt?: string;
  finishedAt?: string;
  attempts: { codeRequests: number; failedSubmissions: number; provisionAttempts: number };
  lastError?: string;
  directoryUserId?: string;
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

interface AuditRow {
  type: string;
  at: string;
  actor: string;
  details?: Record<string, unknown>;
}

export function formatSignup(detail: { signup: AdminSignup; events: AuditRow[] }): string {
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

interface Stats {
  generatedAt: string;
  last24h: { total: number; byStatus: Record<string, number> };
  last30d: { total: number; byStatus: Record<string, number> };
  topDomains: { domain: string; count: number }[];
  emailBudget: Record<string, { used: number; limit: number }>;
  graphBudget: Record<string, { used: number; limit: number }>;
  queueDepths: Record<string, number | null>;
}

export interface Readiness {
  checks: Array<{ id: string; status: 'pass' | 'warn' | 'fail'; message: string; fix: string }>;
}

export function formatReadiness(readiness: Readiness): string {
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

export function formatStats(stats: Stats): string {
  const statuses = Object.keys(stats.last30d.byStatus);
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
    '',
    queues,
  ].join('\n');
}

// ---- HTTP ---------------------------------------------------------------------------------------------

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  fetch: typeof fetch;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What to tell a person for an API error: the server's message plus what to check. */
export function explain(error: ApiError): string {
  if (error.status === 0) return error.message; // never reached the app
  const head = `${error.status} ${error.code}: ${error.message}`;
  switch (error.status) {
    case 401:
      return `${head}\nCheck RMS_SIGNUP_ADMIN_KEY (or --key): it must be a function key of the app (locally: dev-function-key).`;
    case 403:
      return `${head}\nThe app requires an Entra app role (ADMIN_REQUIRED_ROLE): set RMS_SIGNUP_TOKEN to an access token of an account that holds it.`;
    case 412:
      return `${head}\nSomeone changed the policy at the same time: run the command again.`;
    default:
      return head;
  }
}

function client(invocation: Invocation, io: CliIo) {
  const base = (invocation.url ?? io.env.RMS_SIGNUP_URL ?? DEFAULT_URL).replace(/\/+$/, '');
  const key = invocation.key ?? io.env.RMS_SIGNUP_ADMIN_KEY ?? DEFAULT_KEY;
  const token = io.env.RMS_SIGNUP_TOKEN;
  return async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ data: T; headers: Headers }> {
    let res: Response;
    try {
      res = await io.fetch(`${base}${path}`, {
        method,
        headers: {
          'x-functions-key': key,
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause =
        (error as { cause?: { code?: string } }).cause?.code ??
        (error instanceof Error ? error.message : String(error));
      throw new ApiError(
        0,
        'unreachable',
        `Cannot reach ${base} (${cause}). Is the app running (npm start)? Set RMS_SIGNUP_URL or --url.`,
      );
    }
    const text = await res.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!res.ok) {
      const err = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(
        res.status,
        err?.code ?? 'http_error',
        err?.message ?? (text.slice(0, 200) || res.statusText),
      );
    }
    return { data: data as T, headers: res.headers };
  };
}

const ids = (id: string) => encodeURIComponent(id);

export async function run(argv: string[], io: CliIo): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  const { command, json } = invocation;
  if (command.kind === 'help') {
    io.out(USAGE);
    return 0;
  }
  const call = client(invocation, io);
  const print = (data: unknown, human: () => string) =>
    io.out(json ? JSON.stringify(data, null, 2) : human());
  try {
    switch (command.kind) {
      case 'policy-get': {
        const { data } = await call<PolicyView>('GET', '/api/admin/policy');
        print(data, () => formatPolicy(data));
        break;
      }
      case 'policy-set': {
        const { data: current } = await call<PolicyView>('GET', '/api/admin/policy');
        const body = applyChanges(current.policy, command.changes);
        const { data } = await call<PolicyView>(
          'PUT',
          '/api/admin/policy',
          body,
          current.etag ? { 'if-match': current.etag } : {},
        );
        print(data, () => `Saved.\n\n${formatPolicy(data)}`);
        break;
      }
      case 'signups-list': {
        const items: AdminSignup[] = [];
        let token: string | undefined;
        do {
          const query = new URLSearchParams({
            ...command.query,
            ...(token ? { continuationToken: token } : {}),
          });
          const { data } = await call<{ items: AdminSignup[]; continuationToken?: string }>(
            'GET',
            `/api/admin/signups${query.size ? `?${query}` : ''}`,
          );
          items.push(...data.items);
          token = data.continuationToken;
        } while (token && command.all);
        if (command.all) items.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        print(token ? { items, continuationToken: token } : { items }, () => formatSignups(items, token));
        break;
      }
      case 'signups-show': {
        const { data } = await call<{ signup: AdminSignup; events: AuditRow[] }>(
          'GET',
          `/api/admin/signups/${ids(command.signupId)}`,
        );
        print(data, () => formatSignup(data));
        break;
      }
      case 'signups-retry': {
        const { data } = await call<{ signupId: string; status: string; retried: boolean }>(
          'POST',
          `/api/admin/signups/${ids(command.signupId)}/retry`,
        );
        print(data, () =>
          data.retried
            ? `Re-queued ${data.signupId} for provisioning.`
            : `${data.signupId} is already ${data.status}; nothing to retry.`,
        );
        break;
      }
      case 'signups-erase': {
        await call(
          'DELETE',
          `/api/admin/signups/${ids(command.signupId)}${command.deleteGuest ? '?deleteGuest=true' : ''}`,
        );
        const result = { signupId: command.signupId, erased: true, guestDeleted: command.deleteGuest };
        print(
          result,
          () =>
            `Erased ${command.signupId}${command.deleteGuest ? ' and deleted its guest account' : ' (the Entra guest, if any, was kept)'}.`,
        );
        break;
      }
      case 'stats': {
        const { data } = await call<Stats>('GET', '/api/admin/stats');
        print(data, () => formatStats(data));
        break;
      }
      case 'readiness': {
        const { data } = await call<Readiness>('GET', '/api/admin/readiness');
        print(data, () => formatReadiness(data));
        // A failed check is a misconfigured tenant: scripts (infra/deploy.sh) can tell from the exit code.
        return data.checks.some((c) => c.status === 'fail') ? 2 : 0;
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof ApiError) {
      io.err(explain(error));
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  run(process.argv.slice(2), {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    env: process.env,
    fetch,
  }).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
