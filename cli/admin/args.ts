/** The admin CLI's arguments: commands and options parsed into an `Invocation` (pure). */
import { parseArgs as parseNodeArgs } from 'node:util';

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
      --enrolment MODE                    open, partners, proof_of_send or approval
      --proof-days N                      proof_of_send: mail delivered within N days counts
      --approvers a@x.com,b@x.com         Who approves non-partner sign-ups ("" clears it)
      --partner d.com[:groupId,…[:sponsor@x.com,…]]  Add or replace a partner (repeatable)
      --remove-partner d.com              Remove a partner (repeatable)
      --note TEXT                         Why you change it (audit only)
  pause [--reason TEXT] [--until ISO]     Pause all sign-ups
  resume [--note TEXT]                    Reopen sign-ups
  signups list [--email ADDRESS] [--status S] [--domain D] [--from ISO] [--to ISO] [--top N] [--all]
  signups show <id>                       One sign-up and its audit trail
  signups retry <id>                      Re-queue provisioning of a failed sign-up
  signups decide <id> approve|deny        Decide a sign-up waiting for approval
  signups erase <id> [--delete-guest]     Erase a sign-up's personal data (and the guest it created)
  stats                                   Counts, top domains, budgets and queue depths
  readiness                               Tenant readiness checks with fixes (exit 2 when one fails)
  revocations list                        Revoked addresses (email hashes only)
  revocations add <email> [--delete-guest] [--reason TEXT]
                                          Revoke: leave every partner group, never enrol again
  revocations lift <emailHash>            Lift a revocation

Global options:
  --json                                  Print the API's JSON instead of tables
  --url URL                               Default: RMS_SIGNUP_URL or http://127.0.0.1:7071
  --key KEY                               Default: RMS_SIGNUP_ADMIN_KEY or dev-function-key

Statuses: pending_verification, verified, pending_approval, provisioning, ready, failed, expired,
not_eligible.`;

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
  enrolment?: 'open' | 'partners' | 'proof_of_send' | 'approval';
  proofOfSendDays?: number;
  approvers?: string[];
  partners?: { domain: string; groupIds: string[]; sponsors: string[] }[];
  removePartners?: string[];
  note?: string;
}

export type Command =
  | { kind: 'policy-get' }
  | { kind: 'policy-set'; changes: PolicyChanges }
  | { kind: 'signups-list'; query: Record<string, string>; all: boolean }
  | { kind: 'signups-show'; signupId: string }
  | { kind: 'signups-retry'; signupId: string }
  | { kind: 'signups-decide'; signupId: string; decision: 'approve' | 'deny' }
  | { kind: 'signups-erase'; signupId: string; deleteGuest: boolean }
  | { kind: 'stats' }
  | { kind: 'readiness' }
  | { kind: 'revocations-list' }
  | { kind: 'revocations-add'; email: string; deleteGuest: boolean; reason?: string }
  | { kind: 'revocations-lift'; emailHash: string }
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
  email: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  top: { type: 'string' },
  all: { type: 'boolean' },
  'delete-guest': { type: 'boolean' },
  enrolment: { type: 'string' },
  'proof-days': { type: 'string' },
  approvers: { type: 'string' },
  partner: { type: 'string', multiple: true },
  'remove-partner': { type: 'string', multiple: true },
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
              'enrolment',
              'proof-days',
              'approvers',
              'partner',
              'remove-partner',
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
            allowOnly(values, ['email', 'status', 'domain', 'from', 'to', 'top', 'all'], name);
            const query: Record<string, string> = {};
            for (const key of ['email', 'status', 'domain', 'from', 'to', 'top'] as const) {
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
          case 'decide': {
            allowOnly(values, [], name);
            const [, , signupId, decision, ...rest] = positionals;
            if (!signupId || (decision !== 'approve' && decision !== 'deny') || rest.length > 0)
              throw new UsageError('"signups decide" needs a sign-up id and approve or deny');
            return { kind: 'signups-decide', signupId, decision };
          }
          case 'erase':
            allowOnly(values, ['delete-guest'], name);
            return {
              kind: 'signups-erase',
              signupId: oneId(positionals, name),
              deleteGuest: values['delete-guest'] === true,
            };
          default:
            throw new UsageError('Use "signups list|show|retry|decide|erase"');
        }
      case 'revocations':
        return revocationCommand(values, positionals, name);
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
  Object.assign(changes, accessChanges(values));
  if (values.note !== undefined) changes.note = values.note;
  if (Object.keys(changes).length === 0)
    throw new UsageError('"policy set" needs at least one option (see --help)');
  return changes;
}

const ENROLMENT = ['open', 'partners', 'proof_of_send', 'approval'] as const;

/** The access-model options of `policy set`. */
function accessChanges(values: Values): PolicyChanges {
  const changes: PolicyChanges = {};
  if (values.enrolment !== undefined) {
    const mode = ENROLMENT.find((m) => m === values.enrolment);
    if (!mode) throw new UsageError(`--enrolment must be one of ${ENROLMENT.join(', ')}`);
    changes.enrolment = mode;
  }
  const days = values['proof-days'];
  if (days !== undefined) {
    if (!/^[1-9]\d*$/.test(days)) throw new UsageError('--proof-days must be a whole number ≥ 1');
    changes.proofOfSendDays = Number(days);
  }
  if (values.approvers !== undefined) changes.approvers = list(values.approvers);
  if (values.partner) changes.partners = values.partner.map(parsePartner);
  if (values['remove-partner'])
    changes.removePartners = values['remove-partner'].map((d) => d.trim().toLowerCase());
  return changes;
}

/** `d.com[:groupId,groupId[:sponsor@x.com,sponsor@y.com]]` */
export function parsePartner(spec: string): { domain: string; groupIds: string[]; sponsors: string[] } {
  const [domain = '', groups = '', sponsors = '', ...rest] = spec.split(':');
  if (!domain.trim() || rest.length > 0)
    throw new UsageError(`--partner needs domain[:groupIds[:sponsors]], got "${spec}"`);
  return { domain: domain.trim().toLowerCase(), groupIds: list(groups), sponsors: list(sponsors) };
}

function revocationCommand(values: Values, positionals: string[], name: string): Command {
  const [, action, target] = positionals;
  switch (action) {
    case 'list':
      if (positionals.length !== 2) throw new UsageError('"revocations list" takes no arguments');
      allowOnly(values, [], name);
      return { kind: 'revocations-list' };
    case 'add':
      allowOnly(values, ['delete-guest', 'reason'], name);
      if (!target || positionals.length !== 3) throw new UsageError('"revocations add" needs one address');
      return {
        kind: 'revocations-add',
        email: target,
        deleteGuest: values['delete-guest'] === true,
        ...(values.reason ? { reason: values.reason } : {}),
      };
    case 'lift':
      allowOnly(values, [], name);
      if (!target || positionals.length !== 3)
        throw new UsageError('"revocations lift" needs one email hash');
      return { kind: 'revocations-lift', emailHash: target };
    default:
      throw new UsageError('Use "revocations list|add|lift"');
  }
}
