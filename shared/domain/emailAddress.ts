/**
 * Email address validation and normalisation for self-sign-up (security-limits §6 D, req 26–29, 31).
 *
 * We accept only what Microsoft Graph accepts in `invitedUserEmailAddress` and what is safe to key flows
 * and limits by: a plain dot-atom local part and a real, single-script internet domain. Everything else
 * is refused with a specific, friendly message (AppError 'invalid_email'); the page shows it as text.
 */
import { toASCII, toUnicode } from 'tr46';
import { parse as parseHostname } from 'tldts';
import unhomoglyph from 'unhomoglyph';
import { AppError } from './errors';

export interface EmailAddress {
  /** As typed, trimmed. For display only (HTML-encode it when rendering). */
  display: string;
  /** Lower-cased local part + '@' + lower-cased ASCII (punycode) domain: what Graph and flows use. */
  canonical: string;
  /**
   * Keys per-mailbox limits and "one active flow per address". Equal to `canonical`: '+' tags are refused
   * (Graph rejects them, see below), so no two accepted addresses reach the same mailbox by tagging.
   */
  rateLimitKey: string;
  /** Lower-cased local part. */
  local: string;
  /** ASCII (punycode) lower-case domain. */
  domain: string;
  /** The same domain in Unicode, for display. */
  unicodeDomain: string;
  /** Registrable domain (public suffix + one label, ICANN section of the PSL), ASCII. */
  registrableDomain: string;
}

/** A validated domain name in both forms. `registrableDomain` is null for a bare public suffix. */
export interface DomainName {
  ascii: string;
  unicode: string;
  registrableDomain: string | null;
  publicSuffix: string;
}

export type DomainNameResult = { ok: true; domain: DomainName } | { ok: false; message: string };

// RFC 5321 §4.5.3.1 limits, in octets of the ASCII (wire) form.
const MAX_LOCAL_OCTETS = 64;
const MAX_ADDRESS_OCTETS = 254;
const MAX_DOMAIN_OCTETS = 253;
const MAX_LABEL_OCTETS = 63;
/** Hostile inputs are cut short before any Unicode work; far above any valid address. */
const MAX_INPUT_CHARS = 1024;

const IDNA_OPTIONS = {
  checkHyphens: true,
  checkBidi: true,
  checkJoiners: true,
  useSTD3ASCIIRules: true,
  transitionalProcessing: false,
} as const;

/**
 * Special-use names (RFC 6761, RFC 6762 `.local`, RFC 7686 `.onion`, RFC 8375 `home.arpa`, RFC 9476 `.alt`,
 * ICANN's `.internal`) never receive internet mail. `example.com/.net/.org` are real registered domains
 * and stay accepted (tests use them); `.example` is not.
 */
const SPECIAL_USE_SUFFIXES = [
  'test',
  'localhost',
  'invalid',
  'example',
  'local',
  'onion',
  'alt',
  'internal',
  'home.arpa',
];

const CONTROL = /\p{Cc}/u;
const WHITESPACE = /\p{White_Space}/u;
/** Invisible format characters (bidi overrides, soft hyphen, BOM…), except the joiners IDNA validates. */
const FORMAT = /(?![\u200C\u200D])\p{Cf}/u;
const WRAPPING = /["<>()]/;
const APOSTROPHES = /['`]/;
const LIST_SEPARATORS = /[,;]/;

/**
 * Graph's documented list of characters refused in `invitedUserEmailAddress` is
 * `~ ! # $ % ^ & * ( ) + = [ ] { } \ / | ; : " < > ? ,`; we also refuse `'` and `` ` `` (quotes, req 27).
 * What is left of RFC 5322 dot-atom: letters, digits, '.', '-' and '_'.
 */
const LOCAL_PART = /^[A-Za-z0-9._-]+$/;

/** Parses and normalises an address typed by a person. Throws AppError('invalid_email') with a specific message. */
export function parseEmailAddress(input: unknown): EmailAddress {
  const fail = (message: string): never => {
    throw new AppError('invalid_email', message);
  };
  if (typeof input !== 'string') return fail('Please enter your email address.');
  if (input.length > MAX_INPUT_CHARS) return fail('That email address is too long (at most 254 characters).');
  const display = input.trim();
  if (display === '') return fail('Please enter your email address.');

  const characterProblem = forbiddenCharacterMessage(display);
  if (characterProblem) return fail(characterProblem);

  const at = display.indexOf('@');
  if (at < 0) return fail('An email address needs an @ followed by a domain, like name@company.com.');
  if (display.indexOf('@', at + 1) >= 0) return fail('An email address can contain only one @.');
  const localTyped = display.slice(0, at);
  const domainTyped = display.slice(at + 1);

  const localProblem = localPartMessage(localTyped);
  if (localProblem) return fail(localProblem);
  if (domainTyped === '') return fail('Please add the domain after the @, like name@company.com.');

  const parsed = parseDomainName(domainTyped);
  if (!parsed.ok) return fail(parsed.message);
  const { ascii, unicode, registrableDomain, publicSuffix } = parsed.domain;
  if (registrableDomain === null) {
    const ending = toUnicodeForDisplay(publicSuffix);
    return fail(
      `“${ending}” is only the ending of a domain. Please enter the full domain, like name@company.${ending}.`,
    );
  }

  const local = localTyped.toLowerCase();
  const canonical = `${local}@${ascii}`;
  if (canonical.length > MAX_ADDRESS_OCTETS)
    return fail('That email address is too long (at most 254 characters).');

  return {
    display,
    canonical,
    rateLimitKey: canonical,
    local,
    domain: ascii,
    unicodeDomain: unicode,
    registrableDomain,
  };
}

function forbiddenCharacterMessage(text: string): string | undefined {
  if (CONTROL.test(text)) {
    return 'The email address contains invisible control characters (such as a line break). Please type it again.';
  }
  if (WHITESPACE.test(text)) return 'An email address can’t contain spaces.';
  if (FORMAT.test(text)) {
    return 'The email address contains invisible formatting characters. Please type it instead of pasting it.';
  }
  if (WRAPPING.test(text)) {
    return 'Please enter only the address itself, like name@company.com, without a name, quotes or brackets.';
  }
  if (APOSTROPHES.test(text))
    return "Email addresses with an apostrophe (') or backtick (`) can’t be used here.";
  if (LIST_SEPARATORS.test(text)) return 'Please enter one email address only.';
  if (text.includes('\\')) return 'An email address can’t contain a backslash (\\).';
  return undefined;
}

function localPartMessage(local: string): string | undefined {
  if (local === '') return 'Please add the part before the @ (your name or user name).';
  // Internationalised local parts (EAI / SMTPUTF8, RFC 6531) are refused: Entra B2B invitations and many
  // mail systems do not accept them, so the person could never receive or redeem the guest account.
  if (/[^\x00-\x7F]/.test(local)) {
    return 'The part before the @ can only use the letters a–z, digits, dots, hyphens and underscores. Addresses with other letters can’t be used for a guest account.';
  }
  if (Buffer.byteLength(local, 'utf8') > MAX_LOCAL_OCTETS) {
    return `The part before the @ is too long (at most ${MAX_LOCAL_OCTETS} characters).`;
  }
  // Microsoft Entra refuses plus-addressed invitations ("The Primary SMTP Address is an invalid value";
  // '+' is on Graph's list of refused characters), so a '+tag' is refused up front rather than after the
  // person has verified (req 31: the explicit policy is "rejected").
  if (local.includes('+')) {
    return 'Addresses with a “+” tag (like name+tag@company.com) can’t be used for a guest account. Please enter your address without the “+…” part.';
  }
  if (!LOCAL_PART.test(local)) {
    const offending = [...local].find((ch) => !LOCAL_PART.test(ch)) ?? '';
    return `The part before the @ can’t contain “${offending}”. Use only letters, digits, dots (.), hyphens (-) and underscores (_).`;
  }
  if (local.startsWith('.') || local.endsWith('.'))
    return 'The part before the @ can’t start or end with a dot.';
  if (local.includes('..')) return 'The part before the @ can’t contain two dots in a row.';
  if (local.startsWith('-') || local.endsWith('-'))
    return 'The part before the @ can’t start or end with a hyphen.';
  return undefined;
}

/**
 * Validates and converts a domain name (UTS #46 via tr46, no hand-rolled punycode), requires a real ICANN
 * top-level domain (tldts) and applies the UTS #39 script checks. Shared by addresses and admin-entered
 * domains; callers wrap the message in their own error code.
 */
export function parseDomainName(input: string): DomainNameResult {
  const fail = (message: string): DomainNameResult => ({ ok: false, message });
  if (input === '') return fail('Please enter a domain, like company.com.');
  if (input.length > MAX_INPUT_CHARS) return fail('The domain is too long (at most 253 characters).');
  const characterProblem = forbiddenCharacterMessage(input);
  if (characterProblem) return fail(characterProblem);
  if (input.startsWith('[') || /^\d+(\.\d+){3}$/.test(input)) {
    return fail('Addresses with an IP address instead of a domain name can’t be used.');
  }

  const ascii = toASCII(input, IDNA_OPTIONS);
  if (ascii === null) return fail(idnaFailureMessage(input));
  const labels = ascii.split('.');
  if (labels.some((label) => label === '')) {
    return fail('The domain can’t start or end with a dot or contain two dots in a row.');
  }
  if (labels.some((label) => label.length > MAX_LABEL_OCTETS)) {
    return fail(`Each part of the domain between dots can be at most ${MAX_LABEL_OCTETS} characters long.`);
  }
  if (ascii.length > MAX_DOMAIN_OCTETS)
    return fail(`The domain is too long (at most ${MAX_DOMAIN_OCTETS} characters).`);
  const special = SPECIAL_USE_SUFFIXES.find((suffix) => ascii === suffix || ascii.endsWith(`.${suffix}`));
  if (special)
    return fail(
      `“.${special}” is a reserved name that can’t receive email. Please use a real email address.`,
    );

  const host = parseHostname(ascii, { allowPrivateDomains: false });
  if (host.isIp) return fail('Addresses with an IP address instead of a domain name can’t be used.');
  const publicSuffix = host.publicSuffix ?? labels[labels.length - 1] ?? '';
  if (host.isIcann !== true) {
    return fail(
      `“.${toUnicodeForDisplay(publicSuffix)}” is not a domain ending we know. Please check the spelling of the domain.`,
    );
  }

  const unicode = toUnicode(ascii, IDNA_OPTIONS).domain;
  const unicodeLabels = unicode.split('.');
  // The public suffix is vetted by ICANN; the labels the registrant chose are what spoofers play with.
  const chosenLabels = unicodeLabels.slice(0, unicodeLabels.length - publicSuffix.split('.').length);
  for (const label of chosenLabels) {
    const problem = scriptProblem(label);
    if (problem) return fail(problem);
  }
  return { ok: true, domain: { ascii, unicode, registrableDomain: host.domain, publicSuffix } };
}

function idnaFailureMessage(input: string): string {
  const labels = input.split(/[.\u3002\uFF0E\uFF61]/);
  if (labels.some((label) => label === '')) {
    return 'The domain can’t start or end with a dot or contain two dots in a row.';
  }
  if (labels.some((label) => label.startsWith('-') || label.endsWith('-'))) {
    return 'A part of the domain can’t start or end with a hyphen (-).';
  }
  return 'The domain contains characters that can’t be used in a domain name. Please check it.';
}

function toUnicodeForDisplay(asciiName: string): string {
  const { domain, error } = toUnicode(asciiName, IDNA_OPTIONS);
  return error ? asciiName : domain;
}

// ---------------------------------------------------------------------------------------------------
// UTS #39 checks on each non-ASCII label: "Highly Restrictive" script mixing, and whole-label
// confusability with an ASCII label (the skeleton of §4, from Unicode's confusables.txt via unhomoglyph).

/**
 * Letters, marks and decimal digits, the hyphen, the IDNA2008 CONTEXTO punctuation (Catalan middle dot,
 * Greek keraia, Hebrew geresh/gershayim, katakana middle dot) and the joiners tr46 validates (CONTEXTJ).
 * UTS #46 lets symbols and emoji through; IDNA2008 and Graph-backed mail systems do not.
 */
const LABEL_CHARACTERS = /^[\p{L}\p{M}\p{Nd}\u00B7\u0375\u05F3\u05F4\u30FB\u200C\u200D-]+$/u;

const MIXED_SCRIPT_MESSAGE =
  'The domain looks like it mixes alphabets (for example Latin and Cyrillic letters), a common trick to imitate another address. Please type the address again using one alphabet.';
const CONFUSABLE_MESSAGE =
  'The domain uses letters that look like ordinary Latin letters but are not (for example a Cyrillic “а”), a common trick to imitate another address. Please type it again with your keyboard’s usual letters.';

function scriptProblem(label: string): string | undefined {
  if (!/[^\x00-\x7F]/.test(label)) return undefined;
  if (!LABEL_CHARACTERS.test(label))
    return 'The domain contains symbols or emoji that can’t be used in an email address.';
  if (!isHighlyRestrictive(label)) return MIXED_SCRIPT_MESSAGE;
  if (isAsciiConfusable(label)) return CONFUSABLE_MESSAGE;
  return undefined;
}

/** UTS #39 §4 skeleton: NFD, map each character to its prototype, NFD again. */
export function skeleton(text: string): string {
  return unhomoglyph(text.normalize('NFD')).normalize('NFD');
}

const ASCII_ONLY = /^[\x00-\x7F]*$/;
const LATIN_LABEL =
  /^[\p{Script_Extensions=Latin}\p{Script_Extensions=Common}\p{Script_Extensions=Inherited}]+$/u;

/**
 * A non-ASCII label whose skeleton is pure ASCII can pass for an ASCII label: whole-script look-alikes
 * such as Cyrillic `аррӏе` ≈ `apple`. Within Latin, only one-for-one look-alikes count (`ɑ`→a, `ı`→i,
 * `ɡ`→g): ligature-like letters whose skeleton is two letters (Danish `æ`→ae) are visibly different.
 */
function isAsciiConfusable(label: string): boolean {
  if (!ASCII_ONLY.test(skeleton(label))) return false;
  if (!LATIN_LABEL.test(label)) return true;
  return [...label].every((ch) => ASCII_ONLY.test(ch) || skeleton(ch).length === 1);
}

/** Script values that ECMAScript regexes know (Unicode 17); names the running engine lacks are skipped. */
// prettier-ignore
const SCRIPT_NAMES = [
  'Adlam', 'Ahom', 'Anatolian_Hieroglyphs', 'Arabic', 'Armenian', 'Avestan', 'Balinese', 'Bamum', 'Bassa_Vah',
  'Batak', 'Bengali', 'Beria_Erfe', 'Bhaiksuki', 'Bopomofo', 'Brahmi', 'Braille', 'Buginese', 'Buhid',
  'Canadian_Aboriginal', 'Carian', 'Caucasian_Albanian', 'Chakma', 'Cham', 'Cherokee', 'Chisoi', 'Chorasmian',
  'Coptic', 'Cuneiform', 'Cypriot', 'Cypro_Minoan', 'Cyrillic', 'Deseret', 'Devanagari', 'Dives_Akuru', 'Dogra',
  'Duployan', 'Egyptian_Hieroglyphs', 'Elbasan', 'Elymaic', 'Ethiopic', 'Garay', 'Georgian', 'Glagolitic',
  'Gothic', 'Grantha', 'Greek', 'Gujarati', 'Gunjala_Gondi', 'Gurmukhi', 'Gurung_Khema', 'Han', 'Hangul',
  'Hanifi_Rohingya', 'Hanunoo', 'Hatran', 'Hebrew', 'Hiragana', 'Imperial_Aramaic', 'Inscriptional_Pahlavi',
  'Inscriptional_Parthian', 'Javanese', 'Kaithi', 'Kannada', 'Katakana', 'Kawi', 'Kayah_Li', 'Kharoshthi',
  'Khitan_Small_Script', 'Khmer', 'Khojki', 'Khudawadi', 'Kirat_Rai', 'Lao', 'Latin', 'Lepcha', 'Limbu',
  'Linear_A', 'Linear_B', 'Lisu', 'Lycian', 'Lydian', 'Mahajani', 'Makasar', 'Malayalam', 'Mandaic',
  'Manichaean', 'Marchen', 'Masaram_Gondi', 'Medefaidrin', 'Meetei_Mayek', 'Mende_Kikakui', 'Meroitic_Cursive',
  'Meroitic_Hieroglyphs', 'Miao', 'Modi', 'Mongolian', 'Mro', 'Multani', 'Myanmar', 'Nabataean', 'Nag_Mundari',
  'Nandinagari', 'New_Tai_Lue', 'Newa', 'Nko', 'Nushu', 'Nyiakeng_Puachue_Hmong', 'Ogham', 'Ol_Chiki', 'Ol_Onal',
  'Old_Hungarian', 'Old_Italic', 'Old_North_Arabian', 'Old_Permic', 'Old_Persian', 'Old_Sogdian',
  'Old_South_Arabian', 'Old_Turkic', 'Old_Uyghur', 'Oriya', 'Osage', 'Osmanya', 'Pahawh_Hmong', 'Palmyrene',
  'Pau_Cin_Hau', 'Phags_Pa', 'Phoenician', 'Psalter_Pahlavi', 'Rejang', 'Runic', 'Samaritan', 'Saurashtra',
  'Sharada', 'Shavian', 'Siddham', 'Sidetic', 'SignWriting', 'Sinhala', 'Sogdian', 'Sora_Sompeng', 'Soyombo',
  'Sundanese', 'Sunuwar', 'Syloti_Nagri', 'Syriac', 'Tagalog', 'Tagbanwa', 'Tai_Le', 'Tai_Tham', 'Tai_Viet',
  'Tai_Yo', 'Takri', 'Tamil', 'Tangsa', 'Tangut', 'Telugu', 'Thaana', 'Thai', 'Tibetan', 'Tifinagh', 'Tirhuta',
  'Todhri', 'Tolong_Siki', 'Toto', 'Tulu_Tigalari', 'Ugaritic', 'Vai', 'Vithkuqi', 'Wancho', 'Warang_Citi',
  'Yezidi', 'Yi', 'Zanabazar_Square',
];

/** UTS #39 §5.2 "Highly Restrictive": one script, or covered by one of these sets. */
const HIGHLY_RESTRICTIVE_COVERS: readonly (readonly string[])[] = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'], // Japanese
  ['Latin', 'Han', 'Bopomofo'], // Chinese with phonetic annotation
  ['Latin', 'Han', 'Hangul'], // Korean
];

const SCRIPT_NEUTRAL = /^[\p{Script_Extensions=Common}\p{Script_Extensions=Inherited}]$/u;
let scriptMatchers: readonly { name: string; matches: RegExp }[] | undefined;

function knownScripts(): readonly { name: string; matches: RegExp }[] {
  scriptMatchers ??= SCRIPT_NAMES.flatMap((name) => {
    try {
      return [{ name, matches: new RegExp(`^\\p{Script_Extensions=${name}}$`, 'u') }];
    } catch {
      return []; // a script newer than this engine's Unicode data; its letters fail closed below
    }
  });
  return scriptMatchers;
}

/** Script_Extensions of one character; null for Common/Inherited (which go with any script). */
function scriptsOf(ch: string): ReadonlySet<string> | null {
  if (/^[a-zA-Z]$/.test(ch)) return new Set(['Latin']);
  if (SCRIPT_NEUTRAL.test(ch)) return null;
  return new Set(
    knownScripts()
      .filter(({ matches }) => matches.test(ch))
      .map(({ name }) => name),
  );
}

export function isHighlyRestrictive(label: string): boolean {
  const sets: ReadonlySet<string>[] = [];
  for (const ch of label) {
    const scripts = scriptsOf(ch);
    if (scripts === null) continue;
    if (scripts.size === 0) return false; // unknown script: refuse rather than guess
    sets.push(scripts);
  }
  const [first, ...rest] = sets;
  if (!first) return true;
  const shared = [...first].filter((script) => rest.every((scripts) => scripts.has(script)));
  if (shared.length > 0) return true;
  return HIGHLY_RESTRICTIVE_COVERS.some((cover) =>
    sets.every((scripts) => cover.some((s) => scripts.has(s))),
  );
}
