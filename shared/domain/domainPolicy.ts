/**
 * Which email domains may self-sign-up (the admin domain policy in docs/ADMIN.md, req 30).
 *
 * Order, first match wins:
 *   1. the organisation's own domains → refused: those people already have an organisation account;
 *   2. the admin's block list → refused;
 *   3. the admin's allow list, when it is not empty → a listed domain is allowed, anything else refused.
 *      An explicit allow entry wins over the built-in lists below: the admin knows the partner (and it is
 *      the run-time fix for a false positive in a third-party list);
 *   4. reserved names (RFC 2606/6761 and friends: example.com/.net/.org, .test, .invalid…) → refused:
 *      they cannot receive mail;
 *   5. built-in relay and alias (forwarding) services → refused: unlimited anonymous addresses;
 *   6. built-in disposable domains → refused;
 *   7. built-in consumer (personal mail) domains → refused;
 *   8. otherwise allowed.
 * A listed domain matches itself and its subdomains (`mail.contoso.com` matches `contoso.com`); all
 * comparisons use the lower-case ASCII (punycode) form. Messages are English; the page localises by
 * `reason`.
 */
import { AppError } from './errors';
import { parseDomainName, type EmailAddress } from './emailAddress';

export type DomainRefusal =
  'consumer' | 'disposable' | 'relay' | 'reserved' | 'organization' | 'blocked' | 'not_allowed';

export interface DomainPolicyInput {
  organizationDomains: readonly string[];
  allowedDomains: readonly string[];
  blockedDomains: readonly string[];
  /** Shown in the `organization` message; defaults to "this organisation". */
  organizationName?: string;
}

export type DomainVerdict = { allowed: true } | { allowed: false; reason: DomainRefusal; message: string };

const WORK_ADDRESS_HINT = 'Please use your work email address — the one the protected file was shared with.';

export const REFUSAL_MESSAGES: Readonly<Record<Exclude<DomainRefusal, 'organization'>, string>> = {
  consumer: `Personal email addresses (like Gmail or Outlook.com) can’t be used. ${WORK_ADDRESS_HINT}`,
  disposable: `Temporary or disposable email addresses can’t be used. ${WORK_ADDRESS_HINT}`,
  relay: `Email forwarding and alias addresses (such as Hide My Email or Firefox Relay) can’t be used. ${WORK_ADDRESS_HINT}`,
  reserved: `This is an example address that cannot receive email. ${WORK_ADDRESS_HINT}`,
  blocked: `Addresses from this domain can’t be used to sign up here. ${WORK_ADDRESS_HINT}`,
  not_allowed:
    'Sign-up here is open only to addresses from invited partner organisations, and this address is not one of them. Please use the email address the protected file was shared with, or ask the person who shared it.',
};

export function organizationMessage(organizationName?: string): string {
  const name = organizationName?.trim() || 'this organisation';
  return `You already have an account with ${name}: sign in with your organisation account.`;
}

/**
 * Personal-mail brands whose every registrable domain is a consumer service (`hotmail.com.ar`,
 * `yahoo.co.jp`, `gmx.ch`…), so country variants missing from the list are still caught. Generic words
 * such as `live`, `outlook` or `mail` are not here: other people own `live.xx` domains; the list covers
 * Microsoft's.
 */
// prettier-ignore
const CONSUMER_BRANDS: ReadonlySet<string> = new Set([
  'gmail', 'googlemail', 'hotmail', 'yahoo', 'ymail', 'gmx', 'yandex', 'protonmail',
]);

const ALLOWED: DomainVerdict = { allowed: true };

/**
 * Names that can never receive mail: RFC 2606 (example.com/.net/.org and the .example, .invalid,
 * .localhost, .test endings), RFC 6761, RFC 6762 (.local), RFC 7686 (.onion), RFC 8375 (home.arpa) and
 * RFC 9476 (.alt). Most endings already fail address parsing (no ICANN TLD); listing them keeps the rule
 * in one place whatever the parser accepts.
 */
// prettier-ignore
export const RESERVED_DOMAINS: ReadonlySet<string> = new Set([
  'example.com', 'example.net', 'example.org', 'example', 'invalid', 'localhost', 'test', 'local', 'onion',
  'alt', 'home.arpa',
]);

export function checkDomain(address: EmailAddress, policy: DomainPolicyInput): DomainVerdict {
  const domain = address.domain;
  if (matches(domain, policySet(policy.organizationDomains))) {
    return { allowed: false, reason: 'organization', message: organizationMessage(policy.organizationName) };
  }
  if (matches(domain, policySet(policy.blockedDomains))) return refuse('blocked');
  if (policy.allowedDomains.length > 0) {
    return matches(domain, policySet(policy.allowedDomains)) ? ALLOWED : refuse('not_allowed');
  }
  const builtIn = builtInLists();
  if (matches(domain, RESERVED_DOMAINS)) return refuse('reserved');
  if (matches(domain, builtIn.relay)) return refuse('relay');
  if (matches(domain, builtIn.disposable)) return refuse('disposable');
  if (matches(domain, builtIn.consumer) || isConsumerBrand(address.registrableDomain))
    return refuse('consumer');
  return ALLOWED;
}

/**
 * Normalises a domain an admin typed (config, admin API) exactly like address domains: trimmed, one
 * leading '@' and one trailing dot dropped, lower-cased, IDNA-converted to ASCII, ICANN TLD and script
 * checks. A bare public suffix (`xyz`, `co.uk`) is accepted so a whole ending can be blocked.
 * Throws AppError('invalid_request') with a specific message.
 */
export function normalizeDomain(input: string): string {
  const trimmed = input.trim().replace(/^@/, '').replace(/\.$/, '');
  if (trimmed.includes('@'))
    throw new AppError('invalid_request', 'Enter only the domain, like contoso.com, not an email address.');
  if (trimmed.startsWith('*.')) {
    throw new AppError('invalid_request', 'Enter the domain without “*.”: subdomains are always included.');
  }
  const parsed = parseDomainName(trimmed);
  if (!parsed.ok) throw new AppError('invalid_request', parsed.message);
  return parsed.domain.ascii;
}

function refuse(reason: Exclude<DomainRefusal, 'organization'>): DomainVerdict {
  return { allowed: false, reason, message: REFUSAL_MESSAGES[reason] };
}

/** True when the domain or one of its parent domains is in the set: one Set lookup per label. */
function matches(domain: string, listed: ReadonlySet<string>): boolean {
  if (listed.size === 0) return false;
  for (let candidate = domain; ;) {
    if (listed.has(candidate)) return true;
    const dot = candidate.indexOf('.');
    if (dot < 0) return false;
    candidate = candidate.slice(dot + 1);
  }
}

function isConsumerBrand(registrableDomain: string): boolean {
  const name = registrableDomain.slice(0, registrableDomain.indexOf('.'));
  return CONSUMER_BRANDS.has(name);
}

// Policy lists come from config / the admin store and are normally the same array objects for a while;
// normalising them is cached per array. Entries that fail normalisation (config should have rejected
// them with normalizeDomain) are kept lower-cased: they cannot equal a valid address domain, so they
// match nothing rather than breaking every sign-up.
const policySets = new WeakMap<readonly string[], ReadonlySet<string>>();

function policySet(list: readonly string[]): ReadonlySet<string> {
  let set = policySets.get(list);
  if (!set) {
    set = new Set(list.map(normalizeLeniently).filter((entry) => entry !== ''));
    policySets.set(list, set);
  }
  return set;
}

function normalizeLeniently(entry: string): string {
  try {
    return normalizeDomain(entry);
  } catch {
    return entry.trim().toLowerCase();
  }
}

// The list files (300 KB of JSON) are read on first use, not when the module loads, so start-up does not
// pay for them. The production bundle ships them as files next to it (build/package.ts), which needs
// these require() calls to stay literal and inside a function.
type ListFiles = {
  consumer: typeof import('../data/consumer-domains.json');
  disposable: typeof import('../data/disposable-domains.json');
  relay: typeof import('../data/relay-domains.json');
};
let listFiles: ListFiles | undefined;

function builtInListFiles(): ListFiles {
  listFiles ??= {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
    consumer: require('../data/consumer-domains.json') as ListFiles['consumer'],
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
    disposable: require('../data/disposable-domains.json') as ListFiles['disposable'],
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
    relay: require('../data/relay-domains.json') as ListFiles['relay'],
  };
  return listFiles;
}

type BuiltInSets = Record<keyof ListFiles, ReadonlySet<string>>;
let builtIn: BuiltInSets | undefined;

/** The built-in lists as Sets, built once on first use (~14,000 entries). */
function builtInLists(): BuiltInSets {
  if (!builtIn) {
    const { consumer, disposable, relay } = builtInListFiles();
    builtIn = {
      consumer: new Set(consumer.domains),
      disposable: new Set(disposable.domains),
      relay: new Set(relay.domains),
    };
  }
  return builtIn;
}

/** Versions of the built-in lists, for the admin page and logs. */
export function builtInListInfo(): {
  name: string;
  count: number;
  generated: string;
  sources: { package: string; version: string }[];
}[] {
  const { consumer, disposable, relay } = builtInListFiles();
  return [consumer, disposable, relay].map(({ name, count, generated, sources }) => ({
    name,
    count,
    generated,
    sources: sources.map(({ package: pkg, version }) => ({ package: pkg, version })),
  }));
}

/** True when `domain` (ASCII) is one of `listed` or a subdomain of one (admin-entered lists). */
export function domainMatchesAny(domain: string, listed: readonly string[]): boolean {
  return matches(domain, policySet(listed));
}
