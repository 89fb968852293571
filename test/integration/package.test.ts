/**
 * `npm run package` output: the esbuild bundle must register every function when the Azure Functions
 * Node.js worker loads it, and the zip must have the layout Flex Consumption expects.
 *
 * The worker is replaced by a stub `@azure/functions-core` (the module the worker provides at run time)
 * that records each `registerFunction` call; the bundle is loaded in a fresh `node` process with nothing
 * but that stub on its module path, so anything the bundle failed to include would throw.
 *
 * What the bundle loads only on first use (nodemailer, zod's translations, the domain lists: files next to
 * it, see build/package.ts) is checked twice: the real bundle must not load any of it at start-up, and a
 * probe bundle built the same way must load and use each of it when the code that needs it runs.
 */
import { execFile, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { buildPackage, WORKER_PROVIDED, type PackageResult } from '../../build/package';
import { SmtpCatcher } from '../support/smtpCatcher';

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

/** Files of the bundle's folder in require.cache, but the bundle itself (relative, '/'-separated). */
const LOADED_FILES = `
const loadedFiles = (bundle) => {
  const path = require('node:path');
  const dir = path.dirname(bundle);
  return Object.keys(require.cache)
    .filter((f) => f.startsWith(dir + path.sep) && f !== bundle)
    .map((f) => path.relative(dir, f).split(path.sep).join('/'))
    .sort();
};
`;

const LOADER = `${LOADED_FILES}
const bundle = process.argv[1];
require(bundle);
const registered = require('@azure/functions-core').registeredNames;
process.stdout.write(JSON.stringify({ registered, loaded: loadedFiles(bundle) }));
process.exit(0);
`;

/** Loads the bundle in a fresh Node process with only the stub worker API resolvable. */
function loadInFreshProcess(
  bundlePath: string,
  stubRoot: string,
): { registered: string[]; loaded: string[] } {
  const child = spawnSync(process.execPath, ['-e', LOADER, bundlePath], {
    cwd: path.dirname(bundlePath),
    env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(stubRoot, 'node_modules') },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (child.status !== 0) {
    throw new Error(`bundle failed to load (exit ${String(child.status)}):\n${child.stderr}`);
  }
  return JSON.parse(child.stdout) as { registered: string[]; loaded: string[] };
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

    const { registered } = loadInFreshProcess(result.bundlePath, stubRoot);

    expect([...registered].sort()).toEqual(expected);
    expect(new Set(registered).size).toBe(registered.length);
  });

  it('writes a zip with host.json, package.json and dist/index.js at its root, without source maps', () => {
    expect(result.zipPath).not.toBeNull();
    const entries = unzipSync(readFileSync(result.zipPath ?? ''));
    const names = Object.keys(entries);

    expect(names).toEqual(expect.arrayContaining(['host.json', 'package.json', 'dist/index.js']));
    // Maps are written next to the bundle for offline decoding, never shipped (docs/BENCHMARKS.md).
    expect(names.filter((n) => n.endsWith('.map'))).toEqual([]);
    expect(existsSync(`${result.bundlePath}.map`)).toBe(true);
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

    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const requiredBy = (file: string) => {
      const code = readFileSync(path.join(result.outDir, file), 'utf8');
      // import.meta.url is shimmed for CommonJS (ecosystem.md §6); a raw import.meta would not even parse.
      expect(code).not.toMatch(/import\.meta/);
      const required = new Set([...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1] ?? ''));
      return [...required].filter((m) => !builtins.has(m)).sort();
    };
    // The bundle requires the worker API and, on first use, the files next to it; those need nothing else.
    const onFirstUse = result.onFirstUse.map((f) => `./${path.posix.relative('dist', f)}`);
    expect(requiredBy('dist/index.js')).toEqual([...WORKER_PROVIDED, ...onFirstUse].sort());
    for (const chunk of result.onFirstUse.filter((f) => f.endsWith('.js'))) {
      // A chunk may use the worker API too (the telemetry SDK's Functions instrumentation), nothing else.
      const outside = requiredBy(chunk).filter((m) => !WORKER_PROVIDED.includes(m));
      expect({ chunk, requires: outside }).toEqual({ chunk, requires: [] });
    }
  });

  it('ships what the bundle loads on first use next to it, and loads none of it at start-up', () => {
    expect(result.onFirstUse).toEqual([
      'dist/data/consumer-domains.json',
      'dist/data/disposable-domains.json',
      'dist/data/relay-domains.json',
      'dist/nodemailer.js',
      'dist/telemetry-sdk.js',
      'dist/unhomoglyph.js',
      'dist/zod-locales.js',
    ]);
    const entries = unzipSync(readFileSync(result.zipPath ?? ''));
    expect(Object.keys(entries)).toEqual(expect.arrayContaining(result.onFirstUse));
    for (const list of ['consumer-domains.json', 'disposable-domains.json']) {
      const shipped: unknown = JSON.parse(Buffer.from(entries[`dist/data/${list}`] ?? []).toString('utf8'));
      expect(shipped).toEqual(JSON.parse(readFileSync(path.join(root, 'shared', 'data', list), 'utf8')));
    }
    // The chunks' sources are listed with the bundle's (so the dev-only check covers them too).
    expect(result.inputs.some((input) => input.startsWith('node_modules/nodemailer/'))).toBe(true);

    expect(loadInFreshProcess(result.bundlePath, stubRoot).loaded).toEqual([]);
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

  it('refuses a static import of what is loaded on first use (it would load at start-up again)', async () => {
    const build = (entrySource: string, dir: string) =>
      buildPackage({ rootDir: root, outDir: path.join(work, dir), zipPath: null, entrySource });
    // (A package that exports one function, like unhomoglyph, gets a stand-in that loads it on first call.)
    await expect(build("import 'nodemailer';", 'static-nodemailer')).rejects.toThrow(
      /imports "nodemailer" statically/,
    );
    await expect(
      build("import list from './shared/data/consumer-domains.json'; console.log(list);", 'static-data'),
    ).rejects.toThrow(/imports shared\/data\/consumer-domains\.json statically/);
  });
});

/**
 * A bundle built the same way (same plugins, same files next to it) whose entry exports what a test needs
 * to drive the code paths that load those files.
 */
const PROBE_ENTRY = `
export { checkDomain, builtInListInfo } from './shared/domain/domainPolicy';
export { parseEmailAddress } from './shared/domain/emailAddress';
export { SmtpEmailSender } from './shared/adapters/smtpEmailSender';
export { deps } from './shared/container';
export { z } from 'zod';
`;

const PROBE = `${LOADED_FILES}
const bundle = process.argv[1];
(async () => {
  const m = require(bundle);
  const out = { atStartUp: loadedFiles(bundle) };

  const policy = { organizationDomains: [], allowedDomains: [], blockedDomains: [] };
  out.verdicts = ['someone@gmail.com', 'someone@mailinator.com', 'someone@fabrikam.com'].map((a) => {
    const verdict = m.checkDomain(m.parseEmailAddress(a), policy);
    return verdict.allowed ? 'allowed' : verdict.reason;
  });
  out.lists = m.builtInListInfo().map((l) => [l.name, l.count]);
  out.afterDomainCheck = loadedFiles(bundle);

  // Cyrillic letters that look like "apple": the confusable check (unhomoglyph) runs for non-ASCII labels only.
  try {
    m.parseEmailAddress('someone@\u0430\u0440\u0440\u04cf\u0435.com');
    out.lookAlike = 'accepted';
  } catch (error) {
    out.lookAlike = error.message;
  }
  out.afterLookAlike = loadedFiles(bundle);

  m.deps();
  out.afterDeps = loadedFiles(bundle);

  if (process.env.PROBE_SMTP_PORT) {
    const sender = new m.SmtpEmailSender({
      host: '127.0.0.1',
      port: Number(process.env.PROBE_SMTP_PORT),
      secure: false,
      senderAddress: 'no-reply@signup.contoso.example',
    });
    out.sent = await sender.send({
      to: 'guest@fabrikam.example',
      subject: 'Probe',
      text: 'Sent by the packaged SMTP transport.',
      html: '<p>Sent by the packaged SMTP transport.</p>',
      idempotencyKey: 'package-probe',
    });
    sender.close();
  }

  m.z.config(m.z.locales.de());
  out.germanMessage = m.z.string().safeParse(1).error.issues[0].message;
  m.z.config(m.z.locales.en());
  out.englishMessage = m.z.string().safeParse(1).error.issues[0].message;
  out.afterLocales = loadedFiles(bundle);
  process.stdout.write(JSON.stringify(out));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

interface ProbeOutput {
  atStartUp: string[];
  verdicts: string[];
  lists: [string, number][];
  afterDomainCheck: string[];
  lookAlike: string;
  afterLookAlike: string[];
  afterDeps: string[];
  sent?: { messageId: string };
  germanMessage: string;
  englishMessage: string;
  afterLocales: string[];
}

describe('what the package loads on first use', () => {
  let work: string;
  let probe: PackageResult;
  let catcher: SmtpCatcher;
  /** The app's settings for a local run (local.settings.example.json), without the empty ones. */
  let settings: Record<string, string>;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'rms-package-probe-'));
    probe = await buildPackage({
      rootDir: root,
      outDir: path.join(work, 'package'),
      zipPath: null,
      entrySource: PROBE_ENTRY,
      webDir: path.join(work, 'no-web'),
    });
    catcher = await SmtpCatcher.start();
    const example = JSON.parse(readFileSync(path.join(root, 'local.settings.example.json'), 'utf8')) as {
      Values: Record<string, string>;
    };
    settings = Object.fromEntries(Object.entries(example.Values).filter(([, v]) => v !== ''));
  });

  afterAll(async () => {
    await catcher?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** Runs PROBE against the probe bundle in a fresh Node process (asynchronously: the catcher must answer). */
  async function runProbe(env: Record<string, string>): Promise<ProbeOutput> {
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', PROBE, probe.bundlePath], {
      cwd: path.dirname(probe.bundlePath),
      env: { PATH: process.env.PATH ?? '', ...settings, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    return JSON.parse(stdout) as ProbeOutput;
  }

  it('ships the same files next to the probe bundle as next to the real one', () => {
    expect(probe.onFirstUse).toEqual([
      'dist/data/consumer-domains.json',
      'dist/data/disposable-domains.json',
      'dist/data/relay-domains.json',
      'dist/nodemailer.js',
      'dist/telemetry-sdk.js',
      'dist/unhomoglyph.js',
      'dist/zod-locales.js',
    ]);
  });

  it('with EMAIL_TRANSPORT smtp: domain lists on the first check, nodemailer with the sender, which delivers', async () => {
    const out = await runProbe({ EMAIL_TRANSPORT: 'smtp', PROBE_SMTP_PORT: String(catcher.port) });

    expect(out.atStartUp).toEqual([]);
    expect(out.verdicts).toEqual(['consumer', 'disposable', 'allowed']);
    const listCount = (file: string) =>
      (JSON.parse(readFileSync(path.join(root, 'shared', 'data', file), 'utf8')) as { domains: string[] })
        .domains.length;
    expect(out.lists).toEqual([
      ['consumer', listCount('consumer-domains.json')],
      ['disposable', listCount('disposable-domains.json')],
      ['relay', listCount('relay-domains.json')],
    ]);
    expect(out.afterDomainCheck).toEqual([
      'data/consumer-domains.json',
      'data/disposable-domains.json',
      'data/relay-domains.json',
    ]);
    expect(out.lookAlike).toMatch(/^The domain uses letters that look like ordinary Latin letters/);
    const lists = ['data/consumer-domains.json', 'data/disposable-domains.json', 'data/relay-domains.json'];
    expect(out.afterLookAlike).toEqual([...lists, 'unhomoglyph.js']);
    expect(out.afterDeps).toEqual([...lists, 'nodemailer.js', 'unhomoglyph.js']);
    expect(out.sent?.messageId).toMatch(/^<[0-9a-f]{64}@signup\.contoso\.example>$/);
    expect(catcher.messages.map((m) => [m.envelopeTo, m.subject, m.messageId])).toEqual([
      [['guest@fabrikam.example'], 'Probe', out.sent?.messageId],
    ]);
  });

  it('with EMAIL_TRANSPORT acs: never loads nodemailer; zod translations load when a locale is chosen', async () => {
    const out = await runProbe({
      EMAIL_TRANSPORT: 'acs',
      ACS_CONNECTION_STRING: `endpoint=https://probe.communication.azure.com/;accesskey=${Buffer.from('probe-key').toString('base64')}`,
    });

    expect(out.atStartUp).toEqual([]);
    expect(out.afterDeps).toEqual([
      'data/consumer-domains.json',
      'data/disposable-domains.json',
      'data/relay-domains.json',
      'unhomoglyph.js',
    ]);
    expect(out.germanMessage).toBe('Ungültige Eingabe: erwartet string, erhalten Zahl');
    expect(out.englishMessage).toBe('Invalid input: expected string, received number');
    expect(out.afterLocales).toEqual([
      'data/consumer-domains.json',
      'data/disposable-domains.json',
      'data/relay-domains.json',
      'unhomoglyph.js',
      'zod-locales.js',
    ]);
  });
});
