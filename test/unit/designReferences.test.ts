/**
 * Every `req NN` in the repository must resolve to a numbered requirement in docs/DESIGN.md §3, and code
 * cites requirements or design sections, never tracker issues: an issue number is history that a reader of
 * the code cannot open. Markdown may still mention tracker issues (the threat model says who owns a gap).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const designPath = path.join(root, 'docs', 'DESIGN.md');

/** Build output, dependencies and local data; the rest of the tree is scanned, whatever folders it grows. */
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage', 'package', '.git', '.azurite', '.data']);
const SKIP_FILES = new Set(['package-lock.json']);
const TEXT_EXT = /\.(ts|tsx|js|cjs|mjs|json|md|ya?ml|bicep|sh|html|css)$/;
/** Extensionless scripts worth scanning. */
const TEXT_NAMES = new Set(['run']);

function scannedFiles(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIP_DIRS.has(entry.name) ? [] : scannedFiles(full);
    if (SKIP_FILES.has(entry.name) || full.startsWith(path.join(root, 'shared', 'data'))) return [];
    return TEXT_EXT.test(entry.name) || TEXT_NAMES.has(entry.name) ? [full] : [];
  });
}

const REQ_LIST = /\breqs?\s+(\d+(?:\s*(?:[–-]|,|and)\s*\d+)*)/gi;
const ISSUE = /\bissues?\s+#?\d+/gi;

/** The requirement numbers one text cites: `req 5`, `req 34–37`, `req 57, 58, 65`. */
export function citedRequirements(text: string): number[] {
  const numbers: number[] = [];
  for (const match of text.matchAll(REQ_LIST)) {
    for (const part of match[1]!.split(/\s*(?:,|and)\s*/)) {
      const [from, to] = part.split(/\s*[–-]\s*/).map(Number) as [number, number | undefined];
      for (let n = from; n <= (to ?? from); n++) numbers.push(n);
    }
  }
  return numbers;
}

/** Requirement numbers defined as table rows (`| 12 | … |`) in DESIGN.md's numbered-requirements section. */
export function definedRequirements(design: string): number[] {
  const section = design.split(/^## 3\. /m)[1]?.split(/^## /m)[0] ?? '';
  return [...section.matchAll(/^\|\s*(\d+)\s*\|/gm)].map((m) => Number(m[1]));
}

function lineHits(file: string, pattern: RegExp): { where: string; text: string }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, i) =>
      [...line.matchAll(pattern)].map((m) => ({
        where: `${path.relative(root, file)}:${i + 1}`,
        text: m[0],
      })),
    );
}

describe('the scanners', () => {
  test('expand single numbers, ranges (– or -) and lists', () => {
    expect(citedRequirements('(req 5) req 34–37; req 57, 58, 65 and reqs 1-2')).toEqual([
      5, 34, 35, 36, 37, 57, 58, 65, 1, 2,
    ]);
    expect(citedRequirements('a request 10 ms later, requirement 3')).toEqual([]);
  });

  test('find tracker references in any spelling the code used', () => {
    const text = '(issue 9 §3) … issues 4 and 5 … Issue 18 point 4 … issue #7 … the issue is';
    expect(text.match(ISSUE)).toEqual(['issue 9', 'issues 4', 'Issue 18', 'issue #7']);
  });

  test('read only the numbered-requirements section of the design document', () => {
    const design =
      '## 2. Threats\n| 99 | not a requirement |\n## 3. Numbered\n| 1 | a |\n|  2 | b |\n## 4. x\n| 3 | c |';
    expect(definedRequirements(design)).toEqual([1, 2]);
  });
});

describe('docs/DESIGN.md', () => {
  const design = readFileSync(designPath, 'utf8');
  const defined = definedRequirements(design);

  test('numbers its requirements 1–67 in order, without gaps or duplicates', () => {
    expect(defined).toEqual(Array.from({ length: 67 }, (_, i) => i + 1));
  });

  test('defines every `req NN` cited in sources, tests, docs and infra', () => {
    const known = new Set(defined);
    const files = scannedFiles();
    expect(files.length).toBeGreaterThan(100);
    const unknown = files.flatMap((file) =>
      lineHits(file, REQ_LIST)
        .filter((hit) => citedRequirements(hit.text).some((n) => !known.has(n)))
        .map((hit) => `${hit.where}: ${hit.text}`),
    );
    expect(unknown).toEqual([]);
  });

  test('code and test names cite requirements or design sections, never tracker issue numbers', () => {
    // This file is skipped: its scanner tests spell out the patterns they must find.
    const code = scannedFiles().filter((file) => !file.endsWith('.md') && file !== __filename);
    const references = code.flatMap((file) =>
      lineHits(file, ISSUE).map((hit) => `${hit.where}: ${hit.text}`),
    );
    expect(references).toEqual([]);
  });
});
