/**
 * Regenerates shared/data/consumer-domains.json and shared/data/disposable-domains.json from the npm
 * packages named in shared/data/README.md, applying our curation (additions/exclusions below).
 *
 *   npm run build && node dist/scripts/update-domain-lists.js [--consumer-version X] [--disposable-version Y]
 *
 * Run it from the repository root. It only uses `npm pack` (the ordinary registry client) and `tar`; the
 * packages are not installed, so their install scripts never run (free-email-domains has a postinstall
 * that downloads lists from the internet, which is why we vendor its data instead of depending on it).
 * Review the printed diff summary and the changed JSON before committing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseHostname } from 'tldts';

const CONSUMER_PACKAGE = 'free-email-domains';
const CONSUMER_FILE = 'package/domains.json';
const DISPOSABLE_PACKAGE = 'disposable-email-domains-js';
const DISPOSABLE_FILE = 'package/dist/dict/disposable_email_blocklist.json';

/** Big personal-mail providers that must be refused even if the upstream list drops them. */
// prettier-ignore
export const CONSUMER_ADDITIONS: readonly string[] = [
  'gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'windowslive.com',
  'yahoo.com', 'ymail.com', 'rocketmail.com', 'aol.com', 'aim.com', 'icloud.com', 'me.com', 'mac.com',
  'gmx.com', 'gmx.net', 'gmx.de', 'web.de', 't-online.de', 'proton.me', 'protonmail.com', 'protonmail.ch',
  'pm.me', 'yandex.com', 'yandex.ru', 'ya.ru', 'mail.ru', 'qq.com', 'foxmail.com', '163.com', '126.com',
  'yeah.net', 'zoho.com', 'zohomail.com', 'fastmail.com', 'fastmail.fm', 'hey.com', 'tuta.com', 'tuta.io',
  'tutanota.com', 'tutanota.de', 'tutamail.com', 'keemail.me', 'mailbox.org', 'posteo.de', 'posteo.net',
  'mail.com', 'naver.com', 'hanmail.net', 'daum.net', 'rediffmail.com', 'libero.it', 'orange.fr',
  'free.fr', 'laposte.net', 'seznam.cz', 'wp.pl', 'o2.pl', 'interia.pl', 'rambler.ru', 'comcast.net',
  'att.net', 'verizon.net', 'sbcglobal.net', 'bellsouth.net', 'cox.net', 'charter.net', 'earthlink.net',
];

/**
 * Upstream entries that are organisations, not personal-mail services: refusing them would turn away
 * real employees or staff. Extend when a false positive is reported (the admin allow list is the
 * run-time escape hatch meanwhile).
 */
export const CONSUMER_EXCLUSIONS: readonly string[] = [
  'facebook.com', // Meta staff mail; facebook.com mailboxes for the public were closed in 2014
  'alibaba.com', // corporate (the consumer service is aliyun.com)
  'about.com', // a media company
  'nus.edu.sg', // National University of Singapore staff
];

interface DomainList {
  name: string;
  description: string;
  sources: { package: string; version: string; upstream: string; license: string }[];
  curation: string;
  generated: string;
  count: number;
  domains: string[];
}

function packageFile(spec: string, file: string, workDir: string): { version: string; entries: string[] } {
  const packed = execFileSync('npm', ['pack', spec, '--json', '--pack-destination', workDir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const info = (JSON.parse(packed) as { filename: string; version: string }[])[0];
  if (!info) throw new Error(`npm pack ${spec} returned nothing`);
  const extractDir = mkdtempSync(join(workDir, 'x-'));
  execFileSync('tar', ['-xzf', join(workDir, info.filename), '-C', extractDir]);
  const data: unknown = JSON.parse(readFileSync(join(extractDir, file), 'utf8'));
  if (!Array.isArray(data) || !data.every((entry): entry is string => typeof entry === 'string')) {
    throw new Error(`${spec}: ${file} is not a JSON array of strings; the package layout changed`);
  }
  return { version: info.version, entries: data };
}

/** Keeps plain lower-case ASCII host names under a real ICANN suffix; never a bare public suffix. */
function clean(entries: Iterable<string>): string[] {
  const kept = new Set<string>();
  for (const raw of entries) {
    const domain = raw.trim().toLowerCase().replace(/\.$/, '');
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) continue;
    const parsed = parseHostname(domain, { allowPrivateDomains: false });
    if (!parsed.isIcann || parsed.domain === null) continue;
    kept.add(domain);
  }
  return [...kept].sort();
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function readCurrent(path: string): Set<string> {
  if (!existsSync(path)) return new Set();
  const data = JSON.parse(readFileSync(path, 'utf8')) as { domains?: unknown };
  return new Set(
    Array.isArray(data.domains) ? data.domains.filter((d): d is string => typeof d === 'string') : [],
  );
}

function write(path: string, list: DomainList): void {
  const before = readCurrent(path);
  const after = new Set(list.domains);
  const added = list.domains.filter((d) => !before.has(d)).length;
  const removed = [...before].filter((d) => !after.has(d)).length;
  // One domain per line keeps reviews and git diffs readable.
  const body = JSON.stringify({ ...list, domains: [] }, null, 2).replace(
    '"domains": []',
    `"domains": [\n${list.domains.map((d) => `    ${JSON.stringify(d)}`).join(',\n')}\n  ]`,
  );
  writeFileSync(path, `${body}\n`);
  console.log(`${path}: ${list.count} domains (+${added} / -${removed})`);
}

function main(): void {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name?: string };
  if (pkg.name !== 'rms-signup') throw new Error('Run this from the repository root.');
  const workDir = mkdtempSync(join(tmpdir(), 'domain-lists-'));
  try {
    const today = new Date().toISOString().slice(0, 10);
    const consumerSpec = `${CONSUMER_PACKAGE}@${argument('--consumer-version') ?? 'latest'}`;
    const disposableSpec = `${DISPOSABLE_PACKAGE}@${argument('--disposable-version') ?? 'latest'}`;
    const consumerUpstream = packageFile(consumerSpec, CONSUMER_FILE, workDir);
    const disposableUpstream = packageFile(disposableSpec, DISPOSABLE_FILE, workDir);

    const disposable = clean(disposableUpstream.entries);
    const disposableSet = new Set(disposable);
    const excluded = new Set(CONSUMER_EXCLUSIONS);
    const consumer = clean([...consumerUpstream.entries, ...CONSUMER_ADDITIONS]).filter(
      (d) => !disposableSet.has(d) && !excluded.has(d),
    );

    write('shared/data/disposable-domains.json', {
      name: 'disposable',
      description: 'Temporary / throwaway mailbox domains. A listed domain also covers its subdomains.',
      sources: [
        {
          package: DISPOSABLE_PACKAGE,
          version: disposableUpstream.version,
          upstream: 'https://github.com/disposable-email-domains/disposable-email-domains',
          license: 'CC0-1.0',
        },
      ],
      curation: 'Lower-cased; entries without a registrable ICANN domain dropped.',
      generated: today,
      count: disposable.length,
      domains: disposable,
    });
    write('shared/data/consumer-domains.json', {
      name: 'consumer',
      description: 'Personal (free / ISP) mailbox domains. A listed domain also covers its subdomains.',
      sources: [
        {
          package: CONSUMER_PACKAGE,
          version: consumerUpstream.version,
          upstream: 'https://github.com/Kikobeats/free-email-domains (HubSpot free-domains list + additions)',
          license: 'MIT',
        },
      ],
      curation:
        'Minus domains already in disposable-domains.json, minus CONSUMER_EXCLUSIONS, plus CONSUMER_ADDITIONS ' +
        '(scripts/update-domain-lists.ts); lower-cased; entries without a registrable ICANN domain dropped.',
      generated: today,
      count: consumer.length,
      domains: consumer,
    });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (require.main === module) main();
