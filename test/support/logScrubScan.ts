/** What the whole-suite log scrub looks for (test/support/logScrub.ts collects, globalTeardown scans). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface ScrubFinding {
  kind: 'code' | 'address' | 'secret';
  file: string;
  /** The offending line with the finding itself redacted, so the report does not leak it again. */
  line: string;
}

export interface ScrubRules {
  /** Values that must never appear (HMAC secret, keys, passwords). */
  secrets: string[];
  /** Addresses that are the organisation's own (sender, support contact), not a person's. */
  allowedAddresses: string[];
}

// A full address: some local part right before the @ (a masked one, `j•••@…`, has bullets there).
const ADDRESS = /[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
// A code: six digits alone in a string value, or after `code` in a URL fragment or a JSON key.
const CODE_VALUE = /"[^"]*"\s*:\s*"\d{6}"/g;
const CODE_NEAR_KEY = /code[^0-9A-Za-z]{1,4}\d{6}(?!\d)/gi;

export function scanLines(lines: string[], file: string, rules: ScrubRules): ScrubFinding[] {
  const allowed = new Set(rules.allowedAddresses.map((a) => a.toLowerCase()));
  const secrets = rules.secrets.filter((s) => s.length >= 8);
  const findings: ScrubFinding[] = [];
  for (const line of lines) {
    const addresses = [...line.matchAll(ADDRESS)]
      .map((m) => m[0])
      .filter((a) => !allowed.has(a.toLowerCase()));
    if (addresses.length > 0) findings.push({ kind: 'address', file, line: redact(line, addresses) });
    const codes = [...line.matchAll(CODE_VALUE), ...line.matchAll(CODE_NEAR_KEY)].map((m) => m[0]);
    if (codes.length > 0) findings.push({ kind: 'code', file, line: redact(line, codes) });
    const leaked = secrets.filter((s) => line.includes(s));
    if (leaked.length > 0) findings.push({ kind: 'secret', file, line: redact(line, leaked) });
  }
  return findings;
}

export function scanDirectory(
  dir: string,
  rules: ScrubRules,
): { lines: number; files: number; findings: ScrubFinding[] } {
  let lines = 0;
  const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
  const findings: ScrubFinding[] = [];
  for (const file of files) {
    const content = readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    lines += content.length;
    findings.push(...scanLines(content, file, rules));
  }
  return { lines, files: files.length, findings };
}

function redact(line: string, found: string[]): string {
  return found.reduce((l, f) => l.split(f).join('[REDACTED]'), line).slice(0, 300);
}
