/**
 * `npm run package` output: the esbuild bundle must register every function when the Azure Functions
 * Node.js worker loads it, and the zip must have the layout Flex Consumption expects.
 *
 * The worker is replaced by a stub `@azure/functions-core` (the module the worker provides at run time)
 * that records each `registerFunction` call; the bundle is loaded in a fresh `node` process with nothing
 * but that stub on its module path, so anything the bundle failed to include would throw.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { buildPackage, WORKER_PROVIDED, type PackageResult } from '../../scripts/package';

const root = path.resolve(__dirname, '..', '..');

/** Function names each functions/*.ts module registers, read from its `app.<trigger>('name', ...)` calls. */
function functionsDeclaredInSource(): Map<string, string[]> {
  const dir = path.join(root, 'functions');
  const byFile = new Map<string, string[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
    const source = readFileSync(path.join(dir, file), 'utf8');
    const names = [...source.matchAll(/\bapp\s*\.\s*[A-Za-z]+\s*\(\s*['"`]([^'"`]+)['"`]/g)].map(
      (m) => m[1] ?? '',
    );
    byFile.set(file, names);
  }
  return byFile;
}

const STUB = `
const names = [];
module.exports = {
  setProgrammingModel() {},
  getProgrammingModel() { return undefined; },
  registerFunction(metadata) { names.push(metadata.name); return { dispose() {} }; },
  registerHook() { return { dispose() {} }; },
  log() {},
  registeredNames: names,
};
`;

const LOADER = `
const bundle = process.argv[1];
require(bundle);
process.stdout.write(JSON.stringify(require('@azure/functions-core').registeredNames));
process.exit(0);
`;

/** Loads the bundle in a fresh Node process with only the stub worker API resolvable. */
function registeredNamesInFreshProcess(bundlePath: string, stubRoot: string): string[] {
  const child = spawnSync(process.execPath, ['-e', LOADER, bundlePath], {
    cwd: path.dirname(bundlePath),
    env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(stubRoot, 'node_modules') },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (child.status !== 0) {
    throw new Error(`bundle failed to load (exit ${String(child.status)}):\n${child.stderr}`);
  }
  return JSON.parse(child.stdout) as string[];
}

describe('production package (npm run package)', () => {
  let work: string;
  let stubRoot: string;
  let webDir: string;
  let result: PackageResult;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'rms-package-'));
    stubRoot = path.join(work, 'stub');
    mkdirSync(path.join(stubRoot, 'node_modules', '@azure', 'functions-core'), { recursive: true });
    writeFileSync(path.join(stubRoot, 'node_modules', '@azure', 'functions-core', 'index.js'), STUB);
    // A stand-in for the landing page build (dist/web), which `npm test` does not produce.
    webDir = path.join(work, 'web');
    mkdirSync(path.join(webDir, 'assets'), { recursive: true });
    writeFileSync(path.join(webDir, 'manifest.json'), '{"version":1}');
    writeFileSync(path.join(webDir, 'assets', 'app-0123.js'), 'void 0;');
    result = await buildPackage({
      rootDir: root,
      outDir: path.join(work, 'package'),
      zipPath: path.join(work, 'rms-signup.zip'),
      webDir,
    });
  });

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('registers every function declared in functions/*.ts when loaded by a fresh Node process', () => {
    const declared = functionsDeclaredInSource();
    expect(declared.size).toBeGreaterThan(0);
    for (const [file, names] of declared) {
      expect({ file, registers: names.length > 0 }).toEqual({ file, registers: true });
    }
    const expected = [...declared.values()].flat().sort();

    const registered = registeredNamesInFreshProcess(result.bundlePath, stubRoot);

    expect([...registered].sort()).toEqual(expected);
    expect(new Set(registered).size).toBe(registered.length);
  });

  it('writes a zip with host.json, package.json and dist/index.js at its root', () => {
    expect(result.zipPath).not.toBeNull();
    const entries = unzipSync(readFileSync(result.zipPath ?? ''));
    const names = Object.keys(entries);

    expect(names).toEqual(
      expect.arrayContaining(['host.json', 'package.json', 'dist/index.js', 'dist/index.js.map']),
    );
    expect(names.every((n) => n === 'host.json' || n === 'package.json' || n.startsWith('dist/'))).toBe(true);

    const text = (name: string) => Buffer.from(entries[name] ?? new Uint8Array()).toString('utf8');
    const pkg = JSON.parse(text('package.json')) as Record<string, unknown>;
    const rootPkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(pkg).toMatchObject({ name: rootPkg.name, version: rootPkg.version, main: 'dist/index.js' });
    expect(pkg).not.toHaveProperty('dependencies');
    expect(JSON.parse(text('host.json'))).toEqual(
      JSON.parse(readFileSync(path.join(root, 'host.json'), 'utf8')),
    );
    expect(Buffer.compare(Buffer.from(entries['dist/index.js'] ?? []), readFileSync(result.bundlePath))).toBe(
      0,
    );
  });

  it('ships the landing page build next to the bundle, where shared/web/assets.ts looks for it', () => {
    const entries = unzipSync(readFileSync(result.zipPath ?? ''));
    expect(result.webIncluded).toBe(true);
    expect(Object.keys(entries)).toEqual(
      expect.arrayContaining(['dist/web/manifest.json', 'dist/web/assets/app-0123.js']),
    );
    expect(Buffer.from(entries['dist/web/manifest.json'] ?? []).toString('utf8')).toBe(
      readFileSync(path.join(webDir, 'manifest.json'), 'utf8'),
    );
  });

  it('keeps dev and test code out, and needs no module at run time but Node built-ins and the worker API', () => {
    const devOnly =
      /^(?:dev|test)\/|^node_modules\/(?:azurite|maildev|playwright-core|jest|ts-jest|autocannon)\//;
    expect(result.inputs.filter((input) => devOnly.test(input))).toEqual([]);
    expect(result.inputs).toEqual(expect.arrayContaining(['functions/index.ts', 'functions/health.ts']));

    const bundle = readFileSync(result.bundlePath, 'utf8');
    const required = new Set([...bundle.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1] ?? ''));
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const external = [...required].filter((m) => !builtins.has(m));
    expect(external.sort()).toEqual([...WORKER_PROVIDED].sort());
    // import.meta.url is shimmed for CommonJS (ecosystem.md §6); a raw import.meta would not even parse.
    expect(bundle).not.toMatch(/import\.meta/);
  });

  it('refuses to bundle when production code imports dev-only code', async () => {
    const attempt = buildPackage({
      rootDir: root,
      outDir: path.join(work, 'rejected'),
      zipPath: null,
      entrySource: "import './dev/processes';",
    });
    await expect(attempt).rejects.toThrow(/dev\/test module "dev\/processes"/);
  });
});
