/**
 * Builds the deployable artefact for Azure Functions (Flex Consumption):
 *
 *   package/dist/index.js(.map)   one esbuild bundle of functions/index.ts and everything it imports,
 *                                 (the .map files stay out of the zip: maps are not shipped)
 *                                 except what only some deployments or requests need (below)
 *   package/dist/nodemailer.js,   code and data the bundle require()s on first use, not at start-up
 *     unhomoglyph.js,             (see "Loaded on first use" below)
 *     zod-locales.js, data/
 *   package/dist/web/             the built landing page (dist/web from `npm run build`), which the
 *                                 landing page function reads from disk next to the bundle
 *   package/host.json             copied from the repository root
 *   package/package.json          name/version from the root, `main: dist/index.js`, no dependencies
 *   rms-signup.zip                the three above at the zip root, ready for
 *                                 `az functionapp deployment source config-zip`
 *
 *   npm run package        (= npm run build && node dist/build/package.js)
 *
 * Why a bundle: one file loads faster than ~500 modules on the instance's mounted storage (cold start, and
 * Flex has a 30 s initialisation limit), and the zip needs no node_modules. `@azure/functions-core` stays
 * external because the Node.js worker provides it at run time. Only what functions/index.ts imports is
 * bundled; a plugin fails the build if anything from dev/, test/ or a dev-only package sneaks in.
 *
 * Loaded on first use: what an instance parses and runs when the worker loads the bundle is most of its
 * cold start (docs/BENCHMARKS.md, "Bundle load"), so what only some deployments or requests need sits in
 * files next to the bundle, which it require()s when that code first runs:
 *   dist/nodemailer.js         nodemailer, needed only by the SMTP transport (production sends through
 *                              ACS); shared/adapters/smtpEmailSender.ts require()s it in its constructor.
 *   dist/unhomoglyph.js        the confusables table, needed only for domains with non-ASCII labels
 *                              (shared/domain/emailAddress.ts); the bundle has a stand-in function that
 *                              loads it on its first call.
 *   dist/telemetry-sdk.js      the OpenTelemetry SDK and the Azure Monitor distro (shared/telemetry/sdk.ts),
 *                              needed only when an exporter is configured, started in the appStart hook.
 *   dist/zod-locales.js        zod's translated error messages, reached only through `z.locales.xx()`;
 *                              English, zod's default, stays in the bundle.
 *   dist/data/*.json           shared/data (the built-in domain lists), which shared/domain/domainPolicy.ts
 *                              require()s on the first domain check.
 * A static import of one of these would load it at start-up again, so the build refuses it (a package
 * that exports a single function, like unhomoglyph, gets the stand-in instead). Large JSON files of
 * packages (tr46's mapping table) stay in the bundle but as `JSON.parse('…')` of a string, which V8 reads
 * far faster than the same data as an object literal.
 */
import { build, type Plugin } from 'esbuild';
import { zipSync, type Zippable } from 'fflate';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface PackageOptions {
  /** Repository root (holds host.json, package.json, functions/). */
  rootDir: string;
  /** Folder the package is assembled in; emptied first. Default `<root>/package`. */
  outDir?: string;
  /** Zip file to write. Default `<root>/rms-signup.zip`. `null`: no zip. */
  zipPath?: string | null;
  /** Entry module. Default `functions/index.ts`, or every `functions/*.ts` when there is no index. */
  entry?: string;
  /** Entry given as source text instead (resolved from `rootDir`); used by tests. */
  entrySource?: string;
  /** Built landing page to ship as dist/web. Default `<root>/dist/web`; skipped when it has no manifest.json. */
  webDir?: string;
  minify?: boolean;
}

export interface PackageResult {
  outDir: string;
  bundlePath: string;
  bundleBytes: number;
  zipPath: string | null;
  zipBytes: number;
  /** Whether the landing page build was found and copied to dist/web. */
  webIncluded: boolean;
  /** Repository-relative source files that went into the bundle and its on-first-use files (esbuild metafile). */
  inputs: string[];
  /** Files next to the bundle that it require()s on first use, relative to `outDir` (`dist/nodemailer.js`, …). */
  onFirstUse: string[];
}

/** Provided by the Azure Functions Node.js worker at run time; not on npm. */
export const WORKER_PROVIDED = ['@azure/functions-core'];

/** Path prefixes and packages that must never reach the production bundle. */
const FORBIDDEN_INPUT = /^(?:dev|test|web\/test|scripts|cli|build|bench)\//;
const DEV_ONLY_PACKAGES = new Set([
  'azurite',
  'maildev',
  'playwright-core',
  'jest',
  'ts-jest',
  'autocannon',
  'fast-check',
]);

/** Fails the build when a dev-only module is imported from production code. */
function productionOnly(rootDir: string): Plugin {
  return {
    name: 'production-only',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.startsWith('.') || path.isAbsolute(args.path) ? undefined : args.path;
        const pkg = bare?.startsWith('@') ? bare.split('/').slice(0, 2).join('/') : bare?.split('/')[0];
        if (pkg && DEV_ONLY_PACKAGES.has(pkg)) {
          return {
            errors: [
              { text: `dev-only package "${pkg}" imported by ${path.relative(rootDir, args.importer)}` },
            ],
          };
        }
        if (!bare && args.importer) {
          const target = path
            .relative(rootDir, path.resolve(args.resolveDir, args.path))
            .split(path.sep)
            .join('/');
          if (FORBIDDEN_INPUT.test(target)) {
            return {
              errors: [
                { text: `dev/test module "${target}" imported by ${path.relative(rootDir, args.importer)}` },
              ],
            };
          }
        }
        return undefined;
      });
    },
  };
}

/** Packages bundled into their own file next to index.js, which the bundle require()s on first use. */
const ON_FIRST_USE_PACKAGES: Readonly<Record<string, string>> = {
  nodemailer: 'nodemailer.js',
  unhomoglyph: 'unhomoglyph.js',
};
/**
 * Modules of the app bundled into their own file, which the bundle require()s on first use: the
 * OpenTelemetry SDK and the Azure Monitor distro, loaded only when an exporter is configured.
 */
const ON_FIRST_USE_MODULES: Readonly<Record<string, string>> = {
  'shared/telemetry/sdk.ts': 'telemetry-sdk.js',
};
/** Namespace of the stand-ins for statically imported ON_FIRST_USE_PACKAGES (see loadOnFirstUse). */
const STAND_IN = 'on-first-use-stand-in';
/** zod's locale index (every translation); the bundle keeps a stand-in that loads ZOD_LOCALES_FILE. */
const ZOD_LOCALES_INDEX = /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/;
const ZOD_LOCALES_FILE = 'zod-locales.js';
/** JSON files of packages at least this large are bundled as JSON.parse of a string. */
const JSON_PARSE_MIN_BYTES = 10 * 1024;

/** What the bundle refers to that goes into files next to it. */
interface OnFirstUse {
  /** Output file name (in dist/) → entry module, bundled separately. */
  chunks: Map<string, string>;
  /** Output path (in dist/) → source JSON file, copied. */
  data: Map<string, string>;
}

/**
 * Points the bundle's require() of what is loaded on first use at files next to it (see the header), and
 * refuses static imports of them, which would load them at start-up (but for single-function packages,
 * which get a stand-in).
 */
function loadOnFirstUse(rootDir: string, rootRequire: NodeJS.Require, found: OnFirstUse): Plugin {
  const dataDir = path.join(rootDir, 'shared', 'data');
  const from = (importer: string) => path.relative(rootDir, importer) || importer;
  const mustBeRequired = (what: string, importer: string) => ({
    errors: [
      {
        text: `${from(importer)} imports ${what} statically; require() it where it is first used, so the bundle loads it only then (build/package.ts)`,
      },
    ],
  });
  return {
    name: 'load-on-first-use',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        const file = ON_FIRST_USE_PACKAGES[args.path];
        if (file === undefined) return undefined;
        if (args.kind !== 'require-call') {
          // A package that exports one function can be imported statically: the bundle gets a stand-in
          // function that loads the package on its first call. Anything else must be require()d.
          if (typeof rootRequire(args.path) !== 'function') {
            return mustBeRequired(`"${args.path}"`, args.importer);
          }
          return { path: args.path, namespace: STAND_IN };
        }
        found.chunks.set(file, rootRequire.resolve(args.path));
        return { path: `./${file}`, external: true };
      });
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        const target = path.resolve(args.resolveDir, args.path);
        const source = ['', '.ts']
          .map((ext) => target + ext)
          .find((f) => existsSync(f) && statSync(f).isFile());
        const file = source && ON_FIRST_USE_MODULES[path.relative(rootDir, source).split(path.sep).join('/')];
        if (!source || !file) return undefined;
        if (args.kind !== 'require-call') return mustBeRequired(from(source), args.importer);
        found.chunks.set(file, source);
        return { path: `./${file}`, external: true };
      });
      b.onLoad({ filter: /.*/, namespace: STAND_IN }, (args) => ({
        contents: [
          'let loaded;',
          `module.exports = function (...args) { return (loaded ??= require(${JSON.stringify(args.path)}))(...args); };`,
        ].join('\n'),
        loader: 'js',
        resolveDir: rootDir,
      }));
      b.onResolve({ filter: /\.json$/ }, (args) => {
        if (!args.path.startsWith('.')) return undefined;
        const target = path.resolve(args.resolveDir, args.path);
        if (path.dirname(target) !== dataDir) return undefined;
        if (args.kind !== 'require-call') return mustBeRequired(from(target), args.importer);
        const out = `data/${path.basename(target)}`;
        found.data.set(out, target);
        return { path: `./${out}`, external: true };
      });
      // zod re-exports its locale index as `z.locales` (and `z.core.locales`): a namespace of functions
      // that each build one language's error map. The stand-in exports the same names; English, which
      // zod itself uses, is the real one, the others load the locales file on their first call.
      b.onLoad({ filter: ZOD_LOCALES_INDEX }, (args) => {
        const names = Object.keys(rootRequire('zod/v4/locales') as object).filter((n) => n !== 'default');
        if (!names.includes('en') || !names.every((n) => /^[a-zA-Z][a-zA-Z0-9]*$/.test(n))) {
          return { errors: [{ text: `unexpected exports of zod/v4/locales: ${names.join(', ')}` }] };
        }
        found.chunks.set(ZOD_LOCALES_FILE, args.path);
        const lazy = names
          .filter((n) => n !== 'en')
          .map((n) => `export function ${n}(...args) { return load$().${n}(...args); }`);
        return {
          contents: [
            'export { default as en } from "./en.js";',
            'let locales$;',
            `const load$ = () => (locales$ ??= require("./${ZOD_LOCALES_FILE}"));`,
            ...lazy,
          ].join('\n'),
          loader: 'js',
          resolveDir: path.dirname(args.path),
        };
      });
      b.onResolve({ filter: new RegExp(`^\\./${ZOD_LOCALES_FILE.replace('.', '\\.')}$`) }, (args) =>
        ZOD_LOCALES_INDEX.test(args.importer) ? { path: args.path, external: true } : undefined,
      );
    },
  };
}

/** Bundles large JSON files of packages as `module.exports = JSON.parse('…')` (faster to load, same value). */
function jsonAsParsedString(): Plugin {
  return {
    name: 'json-as-parsed-string',
    setup(b) {
      b.onLoad({ filter: /[\\/]node_modules[\\/].*\.json$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (Buffer.byteLength(text) < JSON_PARSE_MIN_BYTES) return undefined;
        const compact = JSON.stringify(JSON.parse(text));
        return { contents: `module.exports = JSON.parse(${JSON.stringify(compact)});`, loader: 'js' };
      });
    },
  };
}

function defaultEntrySource(rootDir: string): string {
  const dir = path.join(rootDir, 'functions');
  const files = existsSync(dir)
    ? readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    : [];
  if (files.length === 0) throw new Error(`No functions found in ${dir}`);
  return files.map((f) => `import './functions/${f.replace(/\.ts$/, '')}';`).join('\n');
}

/** Bundles the functions and writes package/ (and the zip). */
export async function buildPackage(options: PackageOptions): Promise<PackageResult> {
  const rootDir = path.resolve(options.rootDir);
  const outDir = path.resolve(options.outDir ?? path.join(rootDir, 'package'));
  const zipPath =
    options.zipPath === null ? null : path.resolve(options.zipPath ?? path.join(rootDir, 'rms-signup.zip'));
  const bundlePath = path.join(outDir, 'dist', 'index.js');

  const indexEntry = path.join(rootDir, 'functions', 'index.ts');
  const entry =
    options.entry ?? (options.entrySource === undefined && existsSync(indexEntry) ? indexEntry : undefined);
  const entrySource = entry ? undefined : (options.entrySource ?? defaultEntrySource(rootDir));

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(path.dirname(bundlePath), { recursive: true });

  const common = {
    absWorkingDir: rootDir,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    sourcemap: true,
    minify: options.minify ?? true,
    legalComments: 'linked',
    metafile: true,
    external: WORKER_PROVIDED,
    // @azure/storage-common's ESM build calls createRequire(import.meta.url); CommonJS output has no
    // import.meta, so give it this file's URL (ecosystem.md §6).
    define: { 'import.meta.url': '__import_meta_url' },
    banner: { js: "const __import_meta_url = require('url').pathToFileURL(__filename).href;" },
    logLevel: 'silent',
  } as const;
  const rootRequire = createRequire(path.join(rootDir, 'package.json'));
  const onFirstUse: OnFirstUse = { chunks: new Map(), data: new Map() };

  const result = await build({
    ...common,
    ...(entry
      ? { entryPoints: [entry] }
      : {
          stdin: {
            contents: entrySource ?? '',
            resolveDir: rootDir,
            sourcefile: 'entry.ts',
            loader: 'ts' as const,
          },
        }),
    outfile: bundlePath,
    plugins: [
      productionOnly(rootDir),
      loadOnFirstUse(rootDir, rootRequire, onFirstUse),
      jsonAsParsedString(),
    ],
  });
  const inputs = new Set(Object.keys(result.metafile.inputs));

  // The files the bundle loads on first use: each chunk is a bundle of its own (sharing nothing with
  // index.js, so nothing in it depends on the order things are loaded in).
  if (onFirstUse.chunks.size > 0) {
    const chunks = await build({
      ...common,
      entryPoints: Object.fromEntries(
        [...onFirstUse.chunks].map(([file, source]) => [file.replace(/\.js$/, ''), source]),
      ),
      outdir: path.dirname(bundlePath),
      plugins: [productionOnly(rootDir), jsonAsParsedString()],
    });
    for (const input of Object.keys(chunks.metafile.inputs)) inputs.add(input);
  }
  for (const [out, source] of onFirstUse.data) {
    const target = path.join(path.dirname(bundlePath), out);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, JSON.stringify(JSON.parse(readFileSync(source, 'utf8'))));
    inputs.add(path.relative(rootDir, source));
  }

  const rootPackage = JSON.parse(readFileSync(path.join(rootDir, 'package.json'), 'utf8')) as {
    name?: string;
    version?: string;
    description?: string;
    license?: string;
  };
  const packageJson = {
    name: rootPackage.name ?? 'rms-signup',
    version: rootPackage.version ?? '0.0.0',
    description: rootPackage.description,
    license: rootPackage.license,
    private: true,
    main: 'dist/index.js',
  };
  writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'host.json'), readFileSync(path.join(rootDir, 'host.json')));

  // shared/web/assets.ts finds the page in `web/` or `dist/web/` next to or above the bundle's folder.
  const webDir = path.resolve(options.webDir ?? path.join(rootDir, 'dist', 'web'));
  const webIncluded = existsSync(path.join(webDir, 'manifest.json'));
  if (webIncluded) cpSync(webDir, path.join(outDir, 'dist', 'web'), { recursive: true });

  let zipBytes = 0;
  if (zipPath) {
    zipBytes = writeZip(outDir, zipPath);
  }

  return {
    outDir,
    bundlePath,
    bundleBytes: statSync(bundlePath).size,
    zipPath,
    zipBytes,
    webIncluded,
    inputs: [...inputs].map((p) => p.split(path.sep).join('/')),
    onFirstUse: [...onFirstUse.chunks.keys(), ...onFirstUse.data.keys()].map((f) => `dist/${f}`).sort(),
  };
}

/** Zips every file under `dir` with paths relative to it (so host.json sits at the zip root). */
export function writeZip(dir: string, zipPath: string): number {
  const files: Zippable = {};
  const walk = (current: string): void => {
    for (const name of readdirSync(current).sort()) {
      const full = path.join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      // Source maps stay in package/ for decoding a production stack trace offline, but are not shipped:
      // NODE_OPTIONS=--enable-source-maps would add a third to every cold start (docs/BENCHMARKS.md).
      else if (name.endsWith('.map')) continue;
      else files[path.relative(dir, full).split(path.sep).join('/')] = readFileSync(full);
    }
  };
  walk(dir);
  // Fixed timestamps keep the zip byte-for-byte reproducible for the same input.
  const zipped = zipSync(files, { level: 9, mtime: new Date('2020-01-01T00:00:00Z') });
  mkdirSync(path.dirname(zipPath), { recursive: true });
  writeFileSync(zipPath, zipped);
  return zipped.length;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

async function main(): Promise<void> {
  // Compiled to dist/build/package.js; the repository root is two levels up.
  const rootDir = path.resolve(__dirname, '..', '..');
  if (
    existsSync(path.join(rootDir, 'functions', 'landingPage.ts')) &&
    !existsSync(path.join(rootDir, 'dist', 'web', 'manifest.json'))
  ) {
    // The app would answer every page request with an error: refuse to produce that artefact.
    throw new Error('dist/web/manifest.json is missing: the landing page was not built (npm run build).');
  }
  const result = await buildPackage({ rootDir });
  const rel = (p: string) => path.relative(rootDir, p);
  console.log(
    `bundle  ${rel(result.bundlePath)}  ${kib(result.bundleBytes)}  (${result.inputs.length} source files)`,
  );
  if (result.zipPath) console.log(`zip     ${rel(result.zipPath)}  ${kib(result.zipBytes)}`);
  console.log(`web     ${result.webIncluded ? 'dist/web included' : 'no landing page build found'}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
