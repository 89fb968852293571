/**
 * An in-memory subset of Microsoft Graph v1.0 for dev and tests only: invitations, users, group members,
 * the quirks the provisioner must survive (400 conflicts, replication lag, 429 + Retry-After, injected faults)
 * and control endpoints under /_emulator for tests. Not a security boundary: any non-empty bearer token passes.
 *
 * Behaviour mirrors the Graph docs (see docs/ or mission-anchors §3):
 * - `eq` on mail, userPrincipalName, otherMails/any and proxyAddresses/any works without advanced query
 *   parameters; `ne`, `not` and `endsWith` need `ConsistencyLevel: eventual` + `$count=true`
 *   (400 Request_UnsupportedQuery otherwise); `$count=true` without the header is silently ignored and
 *   `/users/$count` without it is a 400, as documented in "Advanced query capabilities on directory objects".
 * - String comparisons are case-insensitive, literals use doubled single quotes.
 * - Without `$select`, users come back with Graph's default property set (which has no `userType`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { createLocalIdentityProvider, type LocalIdentityProvider } from './identityProvider';

// ---------------------------------------------------------------------------------------------------------
// Public types

export interface WriteLimit {
  writes: number;
  perSeconds: number;
}

export interface GraphEmulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  tenantDomain?: string;
  tenantId?: string;
  /** Extra verified domains accepted in member UPNs (the tenant domain always is). */
  verifiedDomains?: string[];
  /** Off by default. Only writes (POST/PATCH/PUT/DELETE) count. */
  writeLimit?: WriteLimit | null;
  /** Objects created through the API answer 404 on GET by id and as group-add targets for this long. */
  replicationLagMs?: number;
}

export interface EmulatedUser {
  id: string;
  userType: 'Guest' | 'Member';
  mail: string | null;
  otherMails: string[];
  proxyAddresses: string[];
  userPrincipalName: string;
  displayName: string;
  mailNickname: string;
  externalUserState: string | null;
  externalUserStateChangeDateTime: string | null;
  creationType: string | null;
  accountEnabled: boolean;
  createdDateTime: string;
  /** Epoch ms before which the object is still "replicating" (404 on reads by id). */
  visibleAt: number;
}

export interface EmulatedGroup {
  id: string;
  displayName: string;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  members: Set<string>;
  visibleAt: number;
}

export interface EmulatedInvitation {
  id: string;
  userId: string;
  ticket: string;
  invitedUserEmailAddress: string;
  inviteRedirectUrl: string;
  createdDateTime: string;
}

export interface RequestLogEntry {
  method: string;
  /** Decoded path without the query string, e.g. `/v1.0/groups/g1/members/$ref`. */
  path: string;
  /** Decoded query string without the leading `?` ('' when none). */
  query: string;
  /** 0 while in flight or when the connection was dropped by a fault. */
  status: number;
  time: string;
  /** A few request headers worth asserting on (never Authorization). */
  headers: Record<string, string>;
}

export interface FaultSpec {
  /** Any method when omitted or '*'. */
  method?: string;
  /** Exact path, or a prefix ending in `*`, e.g. `/v1.0/groups/*`. */
  path: string;
  /** Status to answer with; when omitted (with delayMs) the request is served normally after the delay. */
  status?: number;
  times?: number;
  retryAfterSeconds?: number;
  code?: string;
  message?: string;
  /** Wait this long before answering (to exercise client timeouts). */
  delayMs?: number;
  /** Destroy the socket instead of answering (a network error for the client). */
  dropConnection?: boolean;
}

interface ActiveFault extends FaultSpec {
  id: string;
  remaining: number;
}

export interface SeedUserInput {
  userType?: 'Guest' | 'Member';
  mail: string;
  id?: string;
  displayName?: string;
  userPrincipalName?: string;
  otherMails?: string[];
  proxyAddresses?: string[];
  externalUserState?: string | null;
  accountEnabled?: boolean;
  /** Group ids the user is made a member of. */
  groups?: string[];
}

export interface EmulatorConfig {
  writeLimit: WriteLimit | null;
  replicationLagMs: number;
}

export interface GraphEmulator {
  url: string;
  port: number;
  state: GraphEmulatorState;
  /** The local OpenID provider on the same port (dev/identityProvider.ts). */
  idp: LocalIdentityProvider;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// Address rules shared with the in-memory fake

/** Characters Graph refuses in invitedUserEmailAddress (invitation resource docs). */
const INVITATION_FORBIDDEN = /[~!#$%^&*()+=[\]{}\\/|;:"<>?,\s]/;
const UPN_ALLOWED = /[A-Za-z0-9'.\-_!#^~]/;
const DOMAIN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Why Graph would refuse this address in POST /invitations, or undefined when it is acceptable. */
export function invitedAddressProblem(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1 || address.indexOf('@') !== at)
    return 'it must have one @ with text on both sides';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || domain.length > 253) return 'it is too long';
  if (/[^\x21-\x7e]/.test(address)) return 'it contains characters outside printable ASCII';
  if (INVITATION_FORBIDDEN.test(local)) return 'the user name contains a character Graph does not permit';
  if (/^[.-]|[.-]$/.test(local) || local.includes('..'))
    return 'a period or hyphen starts or ends the user name';
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label)))
    return 'the domain is not valid';
  const tld = labels[labels.length - 1] ?? '';
  if (!/^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]+)$/.test(tld)) return 'the top-level domain is not valid';
  return undefined;
}

/** `alice@fabrikam.com` → `alice_fabrikam.com#EXT#@contoso.onmicrosoft.com`, as Graph names invited guests. */
export function guestUserPrincipalName(address: string, tenantDomain: string): string {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  const mapped = [...`${local}_${domain}`].map((ch) => (UPN_ALLOWED.test(ch) ? ch : '_')).join('');
  return `${mapped}#EXT#@${tenantDomain}`;
}

function sameText(a: string | null | undefined, b: string | null | undefined): boolean {
  return typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
}

// ---------------------------------------------------------------------------------------------------------
// State

const MAX_LOG_ENTRIES = 20_000;

export class GraphEmulatorState {
  readonly users = new Map<string, EmulatedUser>();
  readonly groups = new Map<string, EmulatedGroup>();
  readonly invitations = new Map<string, EmulatedInvitation>();
  readonly requests: RequestLogEntry[] = [];
  faults: ActiveFault[] = [];
  config: EmulatorConfig;
  private writeTimes: number[] = [];

  constructor(
    readonly tenantId: string,
    readonly tenantDomain: string,
    readonly verifiedDomains: string[],
    private readonly initialConfig: EmulatorConfig,
  ) {
    this.config = { ...initialConfig };
  }

  reset(): void {
    this.users.clear();
    this.groups.clear();
    this.invitations.clear();
    this.requests.length = 0;
    this.faults = [];
    this.writeTimes = [];
    this.config = { ...this.initialConfig };
  }

  /** Users whose mail, UPN, otherMails or SMTP proxy address equals the address (case-insensitive). */
  usersByAddress(address: string): EmulatedUser[] {
    return [...this.users.values()].filter(
      (u) =>
        sameText(u.mail, address) ||
        sameText(u.userPrincipalName, address) ||
        u.otherMails.some((m) => sameText(m, address)) ||
        u.proxyAddresses.some((p) => sameText(p.replace(/^smtp:/i, ''), address)),
    );
  }

  /** Groups exist on first use, like a pre-provisioned access group would. */
  group(id: string): EmulatedGroup {
    let group = this.groups.get(id);
    if (!group) {
      group = {
        id,
        displayName: id,
        mailNickname: id,
        mailEnabled: false,
        securityEnabled: true,
        members: new Set(),
        visibleAt: 0,
      };
      this.groups.set(id, group);
    }
    return group;
  }

  seedUser(input: SeedUserInput): EmulatedUser {
    const userType = input.userType ?? 'Member';
    const at = input.mail.lastIndexOf('@');
    const local = at > 0 ? input.mail.slice(0, at) : input.mail;
    const domain = at > 0 ? input.mail.slice(at + 1) : '';
    const verified = [this.tenantDomain, ...this.verifiedDomains].some((d) => sameText(d, domain));
    const upn =
      input.userPrincipalName ??
      (userType === 'Guest'
        ? guestUserPrincipalName(input.mail, this.tenantDomain)
        : verified
          ? input.mail
          : `${local.replace(/[^A-Za-z0-9'.\-_!#^~]/g, '_')}@${this.tenantDomain}`);
    const user: EmulatedUser = {
      id: input.id ?? randomUUID(),
      userType,
      mail: input.mail,
      otherMails: input.otherMails ?? (userType === 'Guest' ? [input.mail] : []),
      proxyAddresses: input.proxyAddresses ?? [`SMTP:${input.mail}`],
      userPrincipalName: upn,
      displayName: input.displayName ?? local,
      mailNickname: local.replace(/[^A-Za-z0-9'.\-_!#^~]/g, '_').slice(0, 64),
      externalUserState:
        userType === 'Guest'
          ? input.externalUserState === undefined
            ? 'Accepted'
            : input.externalUserState
          : null,
      externalUserStateChangeDateTime: userType === 'Guest' ? new Date().toISOString() : null,
      creationType: userType === 'Guest' ? 'Invitation' : null,
      accountEnabled: input.accountEnabled ?? true,
      createdDateTime: new Date().toISOString(),
      visibleAt: 0,
    };
    this.users.set(user.id, user);
    for (const groupId of input.groups ?? []) this.group(groupId).members.add(user.id);
    return user;
  }

  deleteUser(id: string): boolean {
    if (!this.users.delete(id)) return false;
    for (const group of this.groups.values()) group.members.delete(id);
    return true;
  }

  /** Sliding-window write budget; a rejected write does not use up budget. */
  takeWrite(now: number): { ok: true; usedFraction?: number } | { ok: false; retryAfterSeconds: number } {
    const limit = this.config.writeLimit;
    if (!limit) return { ok: true };
    const windowMs = limit.perSeconds * 1000;
    this.writeTimes = this.writeTimes.filter((t) => t > now - windowMs);
    const oldest = this.writeTimes[0];
    if (this.writeTimes.length >= limit.writes && oldest !== undefined) {
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMs - now) / 1000)) };
    }
    this.writeTimes.push(now);
    return { ok: true, usedFraction: this.writeTimes.length / limit.writes };
  }

  log(entry: RequestLogEntry): void {
    this.requests.push(entry);
    if (this.requests.length > MAX_LOG_ENTRIES)
      this.requests.splice(0, this.requests.length - MAX_LOG_ENTRIES);
  }

  takeFault(method: string, path: string): ActiveFault | undefined {
    const fault = this.faults.find(
      (f) =>
        (!f.method || f.method === '*' || f.method.toUpperCase() === method) &&
        (f.path.endsWith('*') ? path.startsWith(f.path.slice(0, -1)) : f.path === path),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }
}

// ---------------------------------------------------------------------------------------------------------
// HTTP plumbing

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Array<{ code: string; message: string; target?: string }>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const JSON_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
const MAX_BODY_BYTES = 1_000_000;

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: URL;
  path: string;
  requestId: string;
  clientRequestId: string;
}

function graphDate(): string {
  return new Date().toISOString().slice(0, 19);
}

function sendJson(ex: Exchange, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (ex.res.headersSent || ex.res.destroyed) return;
  const payload = body === undefined ? '' : JSON.stringify(body);
  ex.res.writeHead(status, {
    ...(body === undefined ? {} : { 'Content-Type': JSON_TYPE }),
    'request-id': ex.requestId,
    'client-request-id': ex.clientRequestId,
    ...headers,
  });
  ex.res.end(payload);
}

function sendError(ex: Exchange, problem: HttpProblem): void {
  sendJson(
    ex,
    problem.status,
    {
      error: {
        code: problem.code,
        message: problem.message,
        ...(problem.details ? { details: problem.details } : {}),
        innerError: {
          date: graphDate(),
          'request-id': ex.requestId,
          'client-request-id': ex.clientRequestId,
        },
      },
    },
    problem.headers,
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpProblem(413, 'RequestEntityTooLarge', 'The request body is too large.');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpProblem(
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpProblem(400, 'BadRequest', 'The request payload must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

function defaultErrorCode(status: number): string {
  const codes: Record<number, string> = {
    400: 'BadRequest',
    401: 'InvalidAuthenticationToken',
    403: 'Authorization_RequestDenied',
    404: 'Request_ResourceNotFound',
    409: 'Conflict',
    429: 'TooManyRequests',
    500: 'InternalServerError',
    502: 'BadGateway',
    503: 'ServiceNotAvailable',
    504: 'GatewayTimeout',
  };
  return codes[status] ?? 'UnknownError';
}

function notFound(id: string): HttpProblem {
  return new HttpProblem(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// OData $filter: a small parser for the subset the provisioner (and a curious developer) uses

type Predicate = (user: EmulatedUser) => boolean;

interface ParsedFilter {
  predicate: Predicate;
  /** Operators that only work with advanced query parameters, e.g. `endsWith`. */
  advancedOperators: string[];
}

type Token =
  | { kind: 'string'; value: string }
  | { kind: 'word'; value: string }
  | { kind: 'punct'; value: '(' | ')' | ',' | ':' };

const STRING_PROPERTIES: Record<string, keyof EmulatedUser> = {
  id: 'id',
  mail: 'mail',
  userprincipalname: 'userPrincipalName',
  displayname: 'displayName',
  usertype: 'userType',
  externaluserstate: 'externalUserState',
  creationtype: 'creationType',
  mailnickname: 'mailNickname',
};
const COLLECTION_PROPERTIES: Record<string, 'otherMails' | 'proxyAddresses'> = {
  othermails: 'otherMails',
  proxyaddresses: 'proxyAddresses',
};

function invalidFilter(detail: string): HttpProblem {
  return new HttpProblem(400, 'BadRequest', `Invalid filter clause: ${detail}`);
}

function unsupportedProperty(name: string): HttpProblem {
  return new HttpProblem(
    400,
    'Request_UnsupportedQuery',
    `Unsupported or invalid query filter clause specified for property '${name}' of resource 'User'.`,
  );
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === "'") {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) throw invalidFilter('unterminated string literal.');
        const c = text[i] ?? '';
        if (c === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += c;
        i += 1;
      }
      tokens.push({ kind: 'string', value });
    } else if (ch === '(' || ch === ')' || ch === ',' || ch === ':') {
      tokens.push({ kind: 'punct', value: ch });
      i += 1;
    } else {
      const match = /^[A-Za-z0-9_$./@-]+/.exec(text.slice(i));
      if (!match) throw invalidFilter(`unexpected character '${ch}'.`);
      tokens.push({ kind: 'word', value: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

type Literal = string | boolean | null;

class FilterParser {
  private pos = 0;
  readonly advancedOperators: string[] = [];
  constructor(private readonly tokens: Token[]) {}

  parse(): Predicate {
    const predicate = this.orExpression();
    if (this.pos < this.tokens.length) throw invalidFilter('unexpected text after the expression.');
    return predicate;
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const token = this.tokens[this.pos];
    if (!token) throw invalidFilter('the expression ends too early.');
    this.pos += 1;
    return token;
  }

  private isWord(value: string): boolean {
    const token = this.peek();
    return token?.kind === 'word' && token.value.toLowerCase() === value;
  }

  private expectPunct(value: string): void {
    const token = this.next();
    if (token.kind !== 'punct' || token.value !== value) throw invalidFilter(`expected '${value}'.`);
  }

  private orExpression(): Predicate {
    const parts = [this.andExpression()];
    while (this.isWord('or')) {
      this.pos += 1;
      parts.push(this.andExpression());
    }
    return parts.length === 1 ? (parts[0] as Predicate) : (u) => parts.some((p) => p(u));
  }

  private andExpression(): Predicate {
    const parts = [this.unary()];
    while (this.isWord('and')) {
      this.pos += 1;
      parts.push(this.unary());
    }
    return parts.length === 1 ? (parts[0] as Predicate) : (u) => parts.every((p) => p(u));
  }

  private unary(): Predicate {
    if (this.isWord('not')) {
      this.pos += 1;
      this.advancedOperators.push('not');
      const inner = this.unary();
      return (u) => !inner(u);
    }
    return this.primary();
  }

  private literal(): Literal {
    const token = this.next();
    if (token.kind === 'string') return token.value;
    if (token.kind === 'word') {
      const word = token.value.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
    }
    throw invalidFilter('expected a literal value.');
  }

  private primary(): Predicate {
    const token = this.next();
    if (token.kind === 'punct' && token.value === '(') {
      const inner = this.orExpression();
      this.expectPunct(')');
      return inner;
    }
    if (token.kind !== 'word') throw invalidFilter('expected a property name.');
    const word = token.value;
    const lower = word.toLowerCase();

    if (lower === 'startswith' || lower === 'endswith') return this.stringFunction(lower);

    const slash = lower.indexOf('/');
    if (slash !== -1) {
      const [collectionName, lambda] = [word.slice(0, slash), lower.slice(slash + 1)];
      const collection = COLLECTION_PROPERTIES[collectionName.toLowerCase()];
      if (!collection) throw unsupportedProperty(collectionName);
      if (lambda !== 'any') throw invalidFilter(`'${lambda}' is not a supported lambda operator.`);
      return this.anyLambda(collection);
    }

    const operator = this.next();
    if (operator.kind !== 'word' || !['eq', 'ne'].includes(operator.value.toLowerCase())) {
      throw invalidFilter(`unsupported operator after '${word}'.`);
    }
    const negate = operator.value.toLowerCase() === 'ne';
    if (negate) this.advancedOperators.push('ne');
    const value = this.literal();
    let test: Predicate;
    if (lower === 'accountenabled') {
      if (typeof value !== 'boolean') throw invalidFilter("'accountEnabled' compares with true or false.");
      test = (u) => u.accountEnabled === value;
    } else {
      const property = STRING_PROPERTIES[lower];
      if (!property) throw unsupportedProperty(word);
      if (typeof value === 'boolean') throw invalidFilter(`'${word}' compares with a string.`);
      test = (u) => {
        const actual = u[property] as string | null;
        return value === null ? actual === null : sameText(actual, value);
      };
    }
    return negate ? (u) => !test(u) : test;
  }

  private stringFunction(name: 'startswith' | 'endswith'): Predicate {
    this.expectPunct('(');
    const propertyToken = this.next();
    if (propertyToken.kind !== 'word') throw invalidFilter('expected a property name.');
    const property = STRING_PROPERTIES[propertyToken.value.toLowerCase()];
    if (!property) throw unsupportedProperty(propertyToken.value);
    this.expectPunct(',');
    const value = this.literal();
    if (typeof value !== 'string') throw invalidFilter(`${name} compares with a string.`);
    this.expectPunct(')');
    if (name === 'endswith') this.advancedOperators.push('endsWith');
    const needle = value.toLowerCase();
    return (u) => {
      const actual = (u[property] as string | null)?.toLowerCase();
      if (actual === undefined) return false;
      return name === 'startswith' ? actual.startsWith(needle) : actual.endsWith(needle);
    };
  }

  private anyLambda(collection: 'otherMails' | 'proxyAddresses'): Predicate {
    this.expectPunct('(');
    const variable = this.next();
    if (variable.kind !== 'word') throw invalidFilter('expected a lambda variable.');
    this.expectPunct(':');
    const again = this.next();
    if (again.kind !== 'word' || again.value !== variable.value)
      throw invalidFilter(`expected '${variable.value}'.`);
    const operator = this.next();
    if (operator.kind !== 'word' || operator.value.toLowerCase() !== 'eq') {
      throw invalidFilter(`only 'eq' is supported inside ${collection}/any in this emulator.`);
    }
    const value = this.literal();
    if (typeof value !== 'string') throw invalidFilter(`${collection} compares with a string.`);
    this.expectPunct(')');
    return (u) => u[collection].some((item) => sameText(item, value));
  }
}

function parseFilter(text: string): ParsedFilter {
  const parser = new FilterParser(tokenize(text));
  const predicate = parser.parse();
  return { predicate, advancedOperators: parser.advancedOperators };
}

// ---------------------------------------------------------------------------------------------------------
// Representations

const USER_PROPERTIES = [
  'id',
  'accountEnabled',
  'businessPhones',
  'createdDateTime',
  'creationType',
  'displayName',
  'externalUserState',
  'externalUserStateChangeDateTime',
  'givenName',
  'jobTitle',
  'mail',
  'mailNickname',
  'mobilePhone',
  'officeLocation',
  'otherMails',
  'preferredLanguage',
  'proxyAddresses',
  'surname',
  'userPrincipalName',
  'userType',
] as const;
type UserProperty = (typeof USER_PROPERTIES)[number];

/** What Graph returns for a user when no $select is given (note: no userType, no otherMails). */
const DEFAULT_USER_PROPERTIES: UserProperty[] = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];

function parseSelect(raw: string | null): UserProperty[] {
  if (raw === null || raw.trim() === '') return DEFAULT_USER_PROPERTIES;
  return raw.split(',').map((name) => {
    const wanted = name.trim().toLowerCase();
    const found = USER_PROPERTIES.find((p) => p.toLowerCase() === wanted);
    if (!found)
      throw new HttpProblem(
        400,
        'BadRequest',
        `Could not find a property named '${name.trim()}' on type 'microsoft.graph.user'.`,
      );
    return found;
  });
}

function userView(user: EmulatedUser, properties: UserProperty[]): Record<string, unknown> {
  const full: Record<UserProperty, unknown> = {
    id: user.id,
    accountEnabled: user.accountEnabled,
    businessPhones: [],
    createdDateTime: user.createdDateTime,
    creationType: user.creationType,
    displayName: user.displayName,
    externalUserState: user.externalUserState,
    externalUserStateChangeDateTime: user.externalUserStateChangeDateTime,
    givenName: null,
    jobTitle: null,
    mail: user.mail,
    mailNickname: user.mailNickname,
    mobilePhone: null,
    officeLocation: null,
    otherMails: [...user.otherMails],
    preferredLanguage: null,
    proxyAddresses: [...user.proxyAddresses],
    surname: null,
    userPrincipalName: user.userPrincipalName,
    userType: user.userType,
  };
  return Object.fromEntries(properties.map((p) => [p, full[p]]));
}

function groupView(group: EmulatedGroup): Record<string, unknown> {
  return {
    id: group.id,
    displayName: group.displayName,
    mailNickname: group.mailNickname,
    mailEnabled: group.mailEnabled,
    securityEnabled: group.securityEnabled,
    groupTypes: [],
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// ---------------------------------------------------------------------------------------------------------
// The server

export async function startGraphEmulator(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const host = options.host ?? '127.0.0.1';
  const tenantDomain = options.tenantDomain ?? 'contoso.onmicrosoft.com';
  const state = new GraphEmulatorState(
    options.tenantId ?? randomUUID(),
    tenantDomain,
    options.verifiedDomains ?? [],
    {
      writeLimit: options.writeLimit ?? null,
      replicationLagMs: options.replicationLagMs ?? 0,
    },
  );
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = '';
  const idp = createLocalIdentityProvider({ tenantId: state.tenantId, baseUrl: () => baseUrl });

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const isVisible = (object: { visibleAt: number }) => object.visibleAt <= Date.now();

  // ----- Graph routes ------------------------------------------------------------------------------------

  async function createInvitation(ex: Exchange): Promise<void> {
    const body = await readJsonObject(ex.req);
    const email = body.invitedUserEmailAddress;
    const redirect = body.inviteRedirectUrl;
    if (email === undefined || email === null || email === '') {
      throw new HttpProblem(400, 'BadRequest', "The property 'invitedUserEmailAddress' is required.");
    }
    if (typeof email !== 'string')
      throw new HttpProblem(400, 'BadRequest', "The property 'invitedUserEmailAddress' must be a string.");
    if (redirect === undefined || redirect === null || redirect === '') {
      throw new HttpProblem(400, 'BadRequest', "The property 'inviteRedirectUrl' is required.");
    }
    if (typeof redirect !== 'string' || !/^https?:\/\/[^\s]+$/i.test(redirect)) {
      throw new HttpProblem(
        400,
        'BadRequest',
        "The property 'inviteRedirectUrl' must be an absolute http(s) URL.",
      );
    }
    if (body.sendInvitationMessage !== undefined && typeof body.sendInvitationMessage !== 'boolean') {
      throw new HttpProblem(400, 'BadRequest', "The property 'sendInvitationMessage' must be a boolean.");
    }
    const requestedType = body.invitedUserType ?? 'Guest';
    if (typeof requestedType !== 'string' || !['guest', 'member'].includes(requestedType.toLowerCase())) {
      throw new HttpProblem(400, 'BadRequest', "The property 'invitedUserType' must be 'Guest' or 'Member'.");
    }
    const displayName = body.invitedUserDisplayName;
    if (displayName !== undefined && displayName !== null && typeof displayName !== 'string') {
      throw new HttpProblem(400, 'BadRequest', "The property 'invitedUserDisplayName' must be a string.");
    }
    const problem = invitedAddressProblem(email);
    if (problem)
      throw new HttpProblem(400, 'BadRequest', `The invited user email address is invalid: ${problem}.`);

    const existing = state.usersByAddress(email);
    if (existing.some((u) => u.userType === 'Member' && u.creationType !== 'Invitation')) {
      throw new HttpProblem(
        400,
        'BadRequest',
        "Non-external user already exists with the given mail address and can't be invited.",
      );
    }
    // Re-inviting an existing guest returns that guest (new invitation id, same user id), as Graph does.
    let user = existing.find((u) => u.creationType === 'Invitation' || u.userType === 'Guest');
    if (!user) {
      const at = email.lastIndexOf('@');
      user = {
        id: randomUUID(),
        userType: requestedType.toLowerCase() === 'member' ? 'Member' : 'Guest',
        mail: email,
        otherMails: [email],
        proxyAddresses: [`SMTP:${email}`],
        userPrincipalName: guestUserPrincipalName(email, tenantDomain),
        displayName: typeof displayName === 'string' && displayName !== '' ? displayName : email.slice(0, at),
        mailNickname: guestUserPrincipalName(email, tenantDomain).split('#EXT#')[0]?.slice(0, 64) ?? '',
        externalUserState: 'PendingAcceptance',
        externalUserStateChangeDateTime: new Date().toISOString(),
        creationType: 'Invitation',
        accountEnabled: true,
        createdDateTime: new Date().toISOString(),
        visibleAt: Date.now() + state.config.replicationLagMs,
      };
      state.users.set(user.id, user);
    }

    const invitation: EmulatedInvitation = {
      id: randomUUID(),
      userId: user.id,
      ticket: randomBytes(18).toString('base64url'),
      invitedUserEmailAddress: email,
      inviteRedirectUrl: redirect,
      createdDateTime: new Date().toISOString(),
    };
    state.invitations.set(invitation.id, invitation);
    // Same shape as Graph's redeem link (rd= wraps the invitations service URL), but served by this emulator.
    const inner = `${baseUrl}/invitations/redeem/?tenant=${state.tenantId}&user=${invitation.id}&ticket=${encodeURIComponent(invitation.ticket)}&ver=2.0`;
    sendJson(ex, 201, {
      '@odata.context': `${baseUrl}/v1.0/$metadata#invitations/$entity`,
      id: invitation.id,
      inviteRedeemUrl: `${baseUrl}/redeem?rd=${encodeURIComponent(inner)}`,
      invitedUserDisplayName: typeof displayName === 'string' ? displayName : null,
      invitedUserType: user.userType,
      invitedUserEmailAddress: email,
      sendInvitationMessage: body.sendInvitationMessage ?? false,
      resetRedemption: false,
      inviteRedirectUrl: redirect,
      status: user.externalUserState === 'Accepted' ? 'Completed' : 'PendingAcceptance',
      invitedUserMessageInfo: { messageLanguage: null, customizedMessageBody: null, ccRecipients: [] },
      invitedUser: { id: user.id },
    });
  }

  function listUsers(ex: Exchange): void {
    const params = ex.url.searchParams;
    const eventual = (ex.req.headers.consistencylevel ?? '').toString().toLowerCase() === 'eventual';
    const countRequested = (params.get('$count') ?? '').toLowerCase() === 'true';
    const properties = parseSelect(params.get('$select'));
    const topRaw = params.get('$top');
    let top = 100;
    if (topRaw !== null) {
      top = Number(topRaw);
      if (!Number.isInteger(top) || top < 1 || top > 999) {
        throw new HttpProblem(
          400,
          'Request_BadRequest',
          `Invalid page size specified: '${topRaw}'. Must be between 1 and 999 inclusive.`,
        );
      }
    }
    let users = [...state.users.values()];
    const filterText = params.get('$filter');
    if (filterText !== null && filterText.trim() !== '') {
      const filter = parseFilter(filterText);
      const [operator] = filter.advancedOperators;
      if (operator && !(eventual && countRequested)) {
        throw new HttpProblem(
          400,
          'Request_UnsupportedQuery',
          `Operator '${operator}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
        );
      }
      users = users.filter(filter.predicate);
    }
    const select = params.get('$select');
    const context = `${baseUrl}/v1.0/$metadata#users${select ? `(${properties.join(',')})` : ''}`;
    sendJson(ex, 200, {
      '@odata.context': context,
      // Documented: $count=true without ConsistencyLevel: eventual is silently ignored.
      ...(countRequested && eventual ? { '@odata.count': users.length } : {}),
      value: users.slice(0, top).map((u) => userView(u, properties)),
    });
  }

  function countUsers(ex: Exchange): void {
    const eventual = (ex.req.headers.consistencylevel ?? '').toString().toLowerCase() === 'eventual';
    if (!eventual) throw new HttpProblem(400, 'Request_BadRequest', '$count is not currently supported.');
    if (ex.res.headersSent) return;
    ex.res.writeHead(200, {
      'Content-Type': 'text/plain;charset=utf-8',
      'request-id': ex.requestId,
      'client-request-id': ex.clientRequestId,
    });
    ex.res.end(String(state.users.size));
  }

  function findUserByKey(key: string): EmulatedUser | undefined {
    return state.users.get(key) ?? [...state.users.values()].find((u) => sameText(u.userPrincipalName, key));
  }

  function getUser(ex: Exchange, key: string): void {
    const user = findUserByKey(key);
    if (!user || !isVisible(user)) throw notFound(key);
    const properties = parseSelect(ex.url.searchParams.get('$select'));
    sendJson(ex, 200, {
      '@odata.context': `${baseUrl}/v1.0/$metadata#users/$entity`,
      ...userView(user, properties),
    });
  }

  function deleteUser(ex: Exchange, key: string): void {
    const user = findUserByKey(key);
    if (!user) throw notFound(key);
    state.deleteUser(user.id);
    sendJson(ex, 204, undefined);
  }

  async function createUser(ex: Exchange): Promise<void> {
    const body = await readJsonObject(ex.req);
    const invalid = (property: string) =>
      new HttpProblem(
        400,
        'Request_BadRequest',
        `Invalid value specified for property '${property}' of resource 'User'.`,
        [
          {
            code: 'InvalidValue',
            message: `Invalid value specified for property '${property}' of resource 'User'.`,
            target: property,
          },
        ],
      );
    if (typeof body.accountEnabled !== 'boolean') throw invalid('accountEnabled');
    if (typeof body.displayName !== 'string' || body.displayName.trim() === '') throw invalid('displayName');
    if (typeof body.mailNickname !== 'string' || body.mailNickname === '' || body.mailNickname.length > 64)
      throw invalid('mailNickname');
    const password = (body.passwordProfile as { password?: unknown } | undefined)?.password;
    if (
      typeof body.passwordProfile !== 'object' ||
      body.passwordProfile === null ||
      typeof password !== 'string' ||
      password === ''
    ) {
      throw new HttpProblem(400, 'Request_BadRequest', 'A password must be specified to create a new user.');
    }
    const upn = body.userPrincipalName;
    if (typeof upn !== 'string') throw invalid('userPrincipalName');
    const at = upn.lastIndexOf('@');
    const prefix = upn.slice(0, at);
    const domain = upn.slice(at + 1);
    if (at <= 0 || ![...prefix].every((ch) => UPN_ALLOWED.test(ch))) {
      throw new HttpProblem(400, 'Request_BadRequest', 'Property userPrincipalName is invalid.', [
        {
          code: 'InvalidValue',
          message: 'Property userPrincipalName is invalid.',
          target: 'userPrincipalName',
        },
      ]);
    }
    if (![tenantDomain, ...state.verifiedDomains].some((d) => sameText(d, domain))) {
      const message =
        'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.';
      throw new HttpProblem(400, 'Request_BadRequest', message, [
        { code: 'InvalidValue', message, target: 'userPrincipalName' },
      ]);
    }
    const conflict = (property: string) => {
      const message = `Another object with the same value for property ${property} already exists.`;
      return new HttpProblem(400, 'Request_BadRequest', message, [
        { code: 'ObjectConflict', message, target: property },
      ]);
    };
    const users = [...state.users.values()];
    if (users.some((u) => sameText(u.userPrincipalName, upn))) throw conflict('userPrincipalName');
    const mail = typeof body.mail === 'string' && body.mail !== '' ? body.mail : null;
    if (mail && users.some((u) => u.proxyAddresses.some((p) => sameText(p.replace(/^smtp:/i, ''), mail))))
      throw conflict('proxyAddresses');
    const otherMails = Array.isArray(body.otherMails)
      ? body.otherMails.filter((m): m is string => typeof m === 'string')
      : [];
    const user: EmulatedUser = {
      id: randomUUID(),
      userType: body.userType === 'Guest' ? 'Guest' : 'Member',
      mail,
      otherMails,
      proxyAddresses: mail ? [`SMTP:${mail}`] : [],
      userPrincipalName: upn,
      displayName: body.displayName,
      mailNickname: body.mailNickname,
      externalUserState: null,
      externalUserStateChangeDateTime: null,
      creationType: null,
      accountEnabled: body.accountEnabled,
      createdDateTime: new Date().toISOString(),
      visibleAt: Date.now() + state.config.replicationLagMs,
    };
    state.users.set(user.id, user);
    sendJson(ex, 201, {
      '@odata.context': `${baseUrl}/v1.0/$metadata#users/$entity`,
      ...userView(user, DEFAULT_USER_PROPERTIES),
    });
  }

  async function createGroup(ex: Exchange): Promise<void> {
    const body = await readJsonObject(ex.req);
    for (const [property, type] of [
      ['displayName', 'string'],
      ['mailNickname', 'string'],
      ['mailEnabled', 'boolean'],
      ['securityEnabled', 'boolean'],
    ] as const) {
      if (typeof body[property] !== type) {
        throw new HttpProblem(
          400,
          'Request_BadRequest',
          `Invalid value specified for property '${property}' of resource 'Group'.`,
        );
      }
    }
    const group: EmulatedGroup = {
      id: randomUUID(),
      displayName: body.displayName as string,
      mailNickname: body.mailNickname as string,
      mailEnabled: body.mailEnabled as boolean,
      securityEnabled: body.securityEnabled as boolean,
      members: new Set(),
      visibleAt: Date.now() + state.config.replicationLagMs,
    };
    state.groups.set(group.id, group);
    sendJson(ex, 201, { '@odata.context': `${baseUrl}/v1.0/$metadata#groups/$entity`, ...groupView(group) });
  }

  async function addGroupMember(ex: Exchange, groupId: string): Promise<void> {
    const body = await readJsonObject(ex.req);
    const ref = body['@odata.id'];
    const match =
      typeof ref === 'string'
        ? /^https?:\/\/[^/]+\/(?:v1\.0|beta)\/(?:directoryObjects|users)\/([^/?#]+)$/i.exec(ref)
        : null;
    if (!match?.[1]) {
      throw new HttpProblem(400, 'Request_BadRequest', "Invalid object identifier '" + String(ref) + "'.");
    }
    const memberId = decodeURIComponent(match[1]);
    const group = state.group(groupId);
    if (!isVisible(group)) throw notFound(groupId);
    const user = state.users.get(memberId);
    if (!user || !isVisible(user)) throw notFound(memberId);
    if (group.members.has(memberId)) {
      throw new HttpProblem(
        400,
        'Request_BadRequest',
        "One or more added object references already exist for the following modified properties: 'members'.",
      );
    }
    group.members.add(memberId);
    sendJson(ex, 204, undefined);
  }

  function removeGroupMember(ex: Exchange, groupId: string, memberId: string): void {
    const group = state.group(groupId);
    if (!group.members.delete(memberId)) throw notFound(memberId);
    sendJson(ex, 204, undefined);
  }

  function listGroupMembers(ex: Exchange, groupId: string): void {
    const group = state.group(groupId);
    if (!isVisible(group)) throw notFound(groupId);
    const members = [...group.members].flatMap((id) => {
      const user = state.users.get(id);
      return user
        ? [{ '@odata.type': '#microsoft.graph.user', ...userView(user, DEFAULT_USER_PROPERTIES) }]
        : [];
    });
    sendJson(ex, 200, { '@odata.context': `${baseUrl}/v1.0/$metadata#directoryObjects`, value: members });
  }

  async function routeGraph(ex: Exchange): Promise<void> {
    const segments = ex.path.split('/').filter((s) => s !== '');
    if (segments[0] !== 'v1.0')
      throw new HttpProblem(400, 'BadRequest', `Invalid version: ${segments[0] ?? ''}`);
    const [resource, id, sub, ref, extra] = segments.slice(1);
    const method = ex.method;
    const notAllowed = () =>
      new HttpProblem(
        405,
        'Request_BadRequest',
        'Specified HTTP method is not allowed for the request target.',
      );

    if (resource === 'invitations' && id === undefined) {
      if (method !== 'POST') throw notAllowed();
      return createInvitation(ex);
    }
    if (resource === 'users') {
      if (id === undefined) {
        if (method === 'GET') return listUsers(ex);
        if (method === 'POST') return createUser(ex);
        throw notAllowed();
      }
      if (id === '$count' && sub === undefined) {
        if (method !== 'GET') throw notAllowed();
        return countUsers(ex);
      }
      if (sub === undefined) {
        if (method === 'GET') return getUser(ex, id);
        if (method === 'DELETE') return deleteUser(ex, id);
        throw notAllowed();
      }
    }
    if (resource === 'groups') {
      if (id === undefined) {
        if (method === 'POST') return createGroup(ex);
        if (method === 'GET') {
          return sendJson(ex, 200, {
            '@odata.context': `${baseUrl}/v1.0/$metadata#groups`,
            value: [...state.groups.values()].map(groupView),
          });
        }
        throw notAllowed();
      }
      if (sub === undefined) {
        if (method !== 'GET') throw notAllowed();
        const group = state.group(id);
        if (!isVisible(group)) throw notFound(id);
        return sendJson(ex, 200, {
          '@odata.context': `${baseUrl}/v1.0/$metadata#groups/$entity`,
          ...groupView(group),
        });
      }
      if (sub === 'members' && ref === undefined) {
        if (method !== 'GET') throw notAllowed();
        return listGroupMembers(ex, id);
      }
      if (sub === 'members' && ref === '$ref' && extra === undefined) {
        if (method !== 'POST') throw notAllowed();
        return addGroupMember(ex, id);
      }
      if (sub === 'members' && ref !== undefined && extra === '$ref') {
        if (method !== 'DELETE') throw notAllowed();
        return removeGroupMember(ex, id, ref);
      }
    }
    throw new HttpProblem(
      400,
      'BadRequest',
      `Resource not found for the segment '${segments[segments.length - 1] ?? ''}'.`,
    );
  }

  // ----- Redemption (what the guest's browser opens) -----------------------------------------------------

  function redeem(ex: Exchange): void {
    const rd = ex.url.searchParams.get('rd');
    let invitation: EmulatedInvitation | undefined;
    try {
      const inner = new URL(rd ?? '');
      const candidate = state.invitations.get(inner.searchParams.get('user') ?? '');
      if (candidate && candidate.ticket === inner.searchParams.get('ticket')) invitation = candidate;
    } catch {
      invitation = undefined;
    }
    const user = invitation ? state.users.get(invitation.userId) : undefined;
    const page = (status: number, title: string, body: string) => {
      ex.res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      ex.res.end(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`,
      );
    };
    if (!invitation || !user) {
      page(
        404,
        'Invitation not found (emulator)',
        '<p>This redemption link is not valid in this emulator.</p>',
      );
      return;
    }
    if (user.externalUserState !== 'Accepted') {
      user.externalUserState = 'Accepted';
      user.externalUserStateChangeDateTime = new Date().toISOString();
    }
    const target = escapeHtml(invitation.inviteRedirectUrl);
    page(
      200,
      'Invitation redeemed (emulator)',
      `<p>The guest account is now active.</p><p><a href="${target}">Continue to ${target}</a></p>`,
    );
  }

  // ----- Control endpoints (no auth, not logged) ---------------------------------------------------------

  async function routeControl(ex: Exchange): Promise<void> {
    const route = `${ex.method} ${ex.path}`;
    switch (route) {
      case 'GET /_emulator/health':
        return sendJson(ex, 200, {
          status: 'ok',
          users: state.users.size,
          groups: state.groups.size,
          tenantId: state.tenantId,
          tenantDomain,
        });
      case 'GET /_emulator/requests':
        return sendJson(ex, 200, state.requests);
      case 'DELETE /_emulator/requests':
        state.requests.length = 0;
        return sendJson(ex, 204, undefined);
      case 'POST /_emulator/reset':
        state.reset();
        return sendJson(ex, 204, undefined);
      case 'GET /_emulator/faults':
        return sendJson(ex, 200, state.faults);
      case 'DELETE /_emulator/faults':
        state.faults = [];
        return sendJson(ex, 204, undefined);
      case 'POST /_emulator/faults': {
        const body = await readJsonObject(ex.req);
        const fault = parseFault(body);
        state.faults.push(fault);
        return sendJson(ex, 201, fault);
      }
      case 'GET /_emulator/config':
        return sendJson(ex, 200, state.config);
      case 'POST /_emulator/config': {
        const body = await readJsonObject(ex.req);
        if ('writeLimit' in body) state.config.writeLimit = parseWriteLimit(body.writeLimit);
        if ('replicationLagMs' in body) {
          const lag = body.replicationLagMs;
          if (typeof lag !== 'number' || !Number.isFinite(lag) || lag < 0)
            throw new HttpProblem(400, 'BadRequest', 'replicationLagMs must be a number ≥ 0.');
          state.config.replicationLagMs = lag;
        }
        return sendJson(ex, 200, state.config);
      }
      case 'GET /_emulator/users':
        return sendJson(ex, 200, [...state.users.values()]);
      case 'POST /_emulator/users': {
        const body = await readJsonObject(ex.req);
        const user = state.seedUser(parseSeed(body));
        return sendJson(ex, 201, user);
      }
      default:
        throw new HttpProblem(404, 'NotFound', `No emulator control endpoint ${route}.`);
    }
  }

  // ----- Dispatch ----------------------------------------------------------------------------------------

  function exchangeFor(req: IncomingMessage, res: ServerResponse): Exchange {
    const url = new URL(req.url ?? '/', baseUrl);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      path = url.pathname;
    }
    const requestId = randomUUID();
    const clientRequestId = (req.headers['client-request-id'] ?? requestId).toString();
    return { req, res, method: (req.method ?? 'GET').toUpperCase(), url, path, requestId, clientRequestId };
  }

  async function handle(ex: Exchange): Promise<void> {
    const { req, res, method, url, path } = ex;

    if (await idp.handle(req, res, url)) return;
    if (path.startsWith('/_emulator/')) return routeControl(ex);
    if (path === '/redeem' && method === 'GET') return redeem(ex);

    const entry: RequestLogEntry = {
      method,
      path,
      query: (() => {
        try {
          return decodeURIComponent(url.search.slice(1).replace(/\+/g, ' '));
        } catch {
          return url.search.slice(1);
        }
      })(),
      status: 0,
      time: new Date().toISOString(),
      headers: pickHeaders(req),
    };
    state.log(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });

    const auth = req.headers.authorization ?? '';
    if (!/^Bearer\s+\S+/i.test(auth)) {
      throw new HttpProblem(401, 'InvalidAuthenticationToken', 'Access token is empty.', undefined, {
        'WWW-Authenticate': 'Bearer',
      });
    }

    const fault = state.takeFault(method, path);
    if (fault) {
      if (fault.delayMs) await delay(fault.delayMs);
      if (fault.dropConnection) {
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) {
        throw new HttpProblem(
          fault.status,
          fault.code ?? defaultErrorCode(fault.status),
          fault.message ?? `Injected fault (${fault.status}).`,
          undefined,
          fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {},
        );
      }
    }

    if (method !== 'GET' && method !== 'HEAD') {
      const budget = state.takeWrite(Date.now());
      if (!budget.ok) {
        throw new HttpProblem(
          429,
          'TooManyRequests',
          'Too many requests. Please retry after the number of seconds in the Retry-After header.',
          undefined,
          {
            'Retry-After': String(budget.retryAfterSeconds),
            'x-ms-throttle-scope': `Tenant_Application/Write/emulator/${state.tenantId}`,
            'x-ms-throttle-information': 'WriteLimitExceeded',
          },
        );
      }
      // Graph sends this header once usage passes 80% of a limit (an early warning the service can alert on).
      if (budget.usedFraction !== undefined && budget.usedFraction >= 0.8) {
        res.setHeader('x-ms-throttle-limit-percentage', budget.usedFraction.toFixed(2));
      }
    }
    await routeGraph(ex);
  }

  const server = http.createServer((req, res) => {
    const ex = exchangeFor(req, res);
    handle(ex).catch((error: unknown) => {
      const problem =
        error instanceof HttpProblem
          ? error
          : new HttpProblem(
              500,
              'InternalServerError',
              `Emulator error: ${error instanceof Error ? error.message : String(error)}`,
            );
      sendError(ex, problem);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7072, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: baseUrl,
    port,
    state,
    idp,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Control-body parsing

const LOGGED_HEADERS = [
  'x-ms-throttle-priority',
  'consistencylevel',
  'client-request-id',
  'retry-attempt',
  'content-type',
];

function pickHeaders(req: IncomingMessage): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of LOGGED_HEADERS) {
    const value = req.headers[name];
    if (value !== undefined) picked[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return picked;
}

function parseWriteLimit(value: unknown): WriteLimit | null {
  if (value === null || value === undefined || value === false) return null;
  const limit = value as Partial<WriteLimit>;
  if (
    typeof limit.writes !== 'number' ||
    typeof limit.perSeconds !== 'number' ||
    !Number.isInteger(limit.writes) ||
    limit.writes < 1 ||
    !(limit.perSeconds > 0)
  ) {
    throw new HttpProblem(
      400,
      'BadRequest',
      'writeLimit must be null or { writes: integer ≥ 1, perSeconds: number > 0 }.',
    );
  }
  return { writes: limit.writes, perSeconds: limit.perSeconds };
}

function parseFault(body: Record<string, unknown>): ActiveFault {
  const bad = (message: string) => new HttpProblem(400, 'BadRequest', message);
  if (typeof body.path !== 'string' || !body.path.startsWith('/'))
    throw bad('path must be a string starting with /.');
  if (body.method !== undefined && typeof body.method !== 'string') throw bad('method must be a string.');
  if (
    body.status !== undefined &&
    (typeof body.status !== 'number' ||
      !Number.isInteger(body.status) ||
      body.status < 200 ||
      body.status > 599)
  ) {
    throw bad('status must be an HTTP status code.');
  }
  if (body.status === undefined && !body.delayMs && !body.dropConnection)
    throw bad('give a status, a delayMs or dropConnection.');
  const times = body.times ?? 1;
  if (typeof times !== 'number' || !Number.isInteger(times) || times < 1)
    throw bad('times must be an integer ≥ 1.');
  for (const key of ['retryAfterSeconds', 'delayMs'] as const) {
    const value = body[key];
    if (value !== undefined && (typeof value !== 'number' || !(value >= 0)))
      throw bad(`${key} must be a number ≥ 0.`);
  }
  return {
    id: randomUUID(),
    path: body.path,
    remaining: times,
    times,
    ...(typeof body.method === 'string' ? { method: body.method.toUpperCase() } : {}),
    ...(typeof body.status === 'number' ? { status: body.status } : {}),
    ...(typeof body.retryAfterSeconds === 'number' ? { retryAfterSeconds: body.retryAfterSeconds } : {}),
    ...(typeof body.code === 'string' ? { code: body.code } : {}),
    ...(typeof body.message === 'string' ? { message: body.message } : {}),
    ...(typeof body.delayMs === 'number' ? { delayMs: body.delayMs } : {}),
    ...(body.dropConnection === true ? { dropConnection: true } : {}),
  };
}

function parseSeed(body: Record<string, unknown>): SeedUserInput {
  const bad = (message: string) => new HttpProblem(400, 'BadRequest', message);
  if (typeof body.mail !== 'string' || !body.mail.includes('@')) throw bad('mail is required.');
  if (body.userType !== undefined && body.userType !== 'Guest' && body.userType !== 'Member')
    throw bad("userType must be 'Guest' or 'Member'.");
  const strings = (value: unknown, name: string): string[] | undefined => {
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
      throw bad(`${name} must be an array of strings.`);
    return value;
  };
  const optionalString = (value: unknown, name: string): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw bad(`${name} must be a string.`);
    return value;
  };
  const seed: SeedUserInput = { mail: body.mail };
  if (body.userType !== undefined) seed.userType = body.userType;
  const id = optionalString(body.id, 'id');
  if (id !== undefined) seed.id = id;
  const displayName = optionalString(body.displayName, 'displayName');
  if (displayName !== undefined) seed.displayName = displayName;
  const upn = optionalString(body.userPrincipalName, 'userPrincipalName');
  if (upn !== undefined) seed.userPrincipalName = upn;
  const otherMails = strings(body.otherMails, 'otherMails');
  if (otherMails) seed.otherMails = otherMails;
  const proxyAddresses = strings(body.proxyAddresses, 'proxyAddresses');
  if (proxyAddresses) seed.proxyAddresses = proxyAddresses;
  const groups = strings(body.groups, 'groups');
  if (groups) seed.groups = groups;
  if (body.externalUserState !== undefined) {
    if (body.externalUserState !== null && typeof body.externalUserState !== 'string')
      throw bad('externalUserState must be a string or null.');
    seed.externalUserState = body.externalUserState;
  }
  if (body.accountEnabled !== undefined) {
    if (typeof body.accountEnabled !== 'boolean') throw bad('accountEnabled must be a boolean.');
    seed.accountEnabled = body.accountEnabled;
  }
  return seed;
}

// ---------------------------------------------------------------------------------------------------------
// Standalone: node dist/dev/graphEmulator.js

if (require.main === module) {
  const port = Number(process.env.GRAPH_EMULATOR_PORT ?? 7072);
  startGraphEmulator({
    port,
    host: process.env.GRAPH_EMULATOR_HOST ?? '127.0.0.1',
    ...(process.env.GRAPH_EMULATOR_TENANT_DOMAIN
      ? { tenantDomain: process.env.GRAPH_EMULATOR_TENANT_DOMAIN }
      : {}),
  })
    .then((emulator) => {
      console.log(`Graph emulator listening on ${emulator.url} (control endpoints under /_emulator)`);
      const stop = () => {
        void emulator.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    })
    .catch((error: unknown) => {
      console.error('Graph emulator failed to start:', error);
      process.exit(1);
    });
}
