/**
 * Builds the deployable artefact for Azure Functions (Flex Consumption):
 *
 *   package/dist/index.js(.map)   one esbuild bundle of functions/index.ts and everything it imports
 *   package/dist/web/             the built landing page (dist/web from `npm run build`), which the
 *                                 landing page function reads from disk next to the bundle
 *   package/host.json             copied from the repository root
 *   package/package.json          name/version from the root, `main: dist/index.js`, no dependencies
 *   rms-signup.zip                the three above at the zip root, ready for
 *                                 `az functionapp deployment source config-zip`
 *
 *   npm run package        (= npm run build && node dist/scripts/package.js)
 *
 * Why a bundle: one file loads faster than ~500 modules on the instance's mounted storage (cold start, and
 * Flex has a 30 s initialisation limit), and the zip needs no node_modules. `@azure/functions-core` stays
 * external because the Node.js worker provides it at run time. Only what functions/index.ts imports is
 * bundled; a plugin fails the build if anything from dev/, test/ or a dev-only package sneaks in.
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
  /** Repository-relative source files that went into the bundle (from the esbuild metafile). */
  inputs: string[];
}

/** Provided by the Azure Functions Node.js worker at run time; not on npm. */
export const WORKER_PROVIDED = ['@azure/functions-core'];

/** Path prefixes and packages that must never reach the production bundle. */
const FORBIDDEN_INPUT = /^(?:dev|test|web\/test|scripts)\//;
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

  const result = await build({
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
    absWorkingDir: rootDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: bundlePath,
    sourcemap: true,
    minify: options.minify ?? true,
    legalComments: 'linked',
    metafile: true,
    external: WORKER_PROVIDED,
    // @azure/storage-common's ESM build calls createRequire(import.meta.url); CommonJS output has no
    // import.meta, so give it this file's URL (ecosystem.md §6).
    define: { 'import.meta.url': '__import_meta_url' },
    banner: { js: "const __import_meta_url = require('url').pathToFileURL(__filename).href;" },
    plugins: [productionOnly(rootDir)],
    logLevel: 'silent',
  });

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

  const inputs = Object.keys(result.metafile.inputs).map((p) => p.split(path.sep).join('/'));
  return {
    outDir,
    bundlePath,
    bundleBytes: statSync(bundlePath).size,
    zipPath,
    zipBytes,
    webIncluded,
    inputs,
  };
}

/** Zips every file under `dir` with paths relative to it (so host.json sits at the zip root). */
export function writeZip(dir: string, zipPath: string): number {
  const files: Zippable = {};
  const walk = (current: string): void => {
    for (const name of readdirSync(current).sort()) {
      const full = path.join(current, name);
      if (statSync(full).isDirectory()) walk(full);
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
  // Compiled to dist/scripts/package.js; the repository root is two levels up.
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
