/**
 * Builds the landing page (web/) into dist/web/: esbuild bundles web/main.ts, web/styles.css, the admin
 * console and the proof-of-work worker (web/challengeWorker.ts) into
 * content-hashed files, each with a brotli and a gzip sibling, resolves `{{asset:NAME}}` references in
 * web/index.html and writes manifest.json for the server (shared/web/assets.ts).
 *
 *   node dist/build/web.js            # after tsc; or call buildWeb() from a test
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

import type { ManifestFile, WebManifest } from '../shared/web/assets';
import type { ContentEncoding } from '../shared/web/headers';

export interface WebBuildOptions {
  /** Repository root (has package.json and web/). Default: found from this file's folder. */
  rootDir?: string;
  /** Default `<root>/dist/web`. Emptied first so stale hashed files never pile up. */
  outDir?: string;
  minify?: boolean;
}

export interface WebBuildResult {
  outDir: string;
  manifest: WebManifest;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml; charset=utf-8',
};

/** Source → logical asset name: the landing page and the admin console (/console). */
const ENTRIES: Record<string, string> = {
  'web/main.ts': 'app.js',
  'web/styles.css': 'app.css',
  'web/console/main.ts': 'console.js',
  'web/console/console.css': 'console.css',
  // The proof-of-work solver runs as a worker from its own hashed file (CSP `worker-src 'self'`).
  'web/challengeWorker.ts': 'challenge-worker.js',
};

/** Browsers the page supports: evergreen ones from the last few years (phones included). */
const TARGETS = ['chrome109', 'edge109', 'firefox115', 'safari15.4', 'ios15.4'];

export function findRepoRoot(startDir: string = __dirname): string {
  let dir = path.resolve(startDir);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'web', 'index.html')))
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No repository root with web/index.html above ${startDir}`);
    dir = parent;
  }
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

function compressions(data: Buffer): Partial<Record<ContentEncoding, Buffer>> {
  const out: Partial<Record<ContentEncoding, Buffer>> = {};
  const br = brotliCompressSync(data, {
    params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: data.length },
  });
  const gz = gzipSync(data, { level: 9 });
  // Only keep a variant that actually saves bytes (tiny files can grow).
  if (br.length < data.length) out.br = br;
  if (gz.length < data.length) out.gzip = gz;
  return out;
}

export async function buildWeb(options: WebBuildOptions = {}): Promise<WebBuildResult> {
  const root = options.rootDir ?? findRepoRoot();
  const outDir = path.resolve(options.outDir ?? path.join(root, 'dist', 'web'));
  const assetsDir = path.join(outDir, 'assets');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(assetsDir, { recursive: true });

  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.keys(ENTRIES).map((entry) => ({
      in: entry,
      out: ENTRIES[entry]!.replace(/\.\w+$/, ''),
    })),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: TARGETS,
    minify: options.minify ?? true,
    // Keep Japanese and Arabic text as UTF-8 rather than \u escapes: smaller before and after compression.
    charset: 'utf8',
    legalComments: 'none',
    sourcemap: false,
    outdir: assetsDir,
    entryNames: '[name]-[hash]',
    metafile: true,
    write: false,
    logLevel: 'silent',
  });

  const outputs: { logical: string; name: string; data: Buffer }[] = [];
  for (const file of result.outputFiles) {
    const meta = result.metafile.outputs[path.relative(root, file.path).split(path.sep).join('/')];
    const logical = meta?.entryPoint ? ENTRIES[meta.entryPoint] : undefined;
    if (!logical) throw new Error(`Unexpected esbuild output ${file.path}`);
    outputs.push({ logical, name: path.basename(file.path), data: Buffer.from(file.contents) });
  }
  const favicon = fs.readFileSync(path.join(root, 'web', 'favicon.svg'));
  outputs.push({
    logical: 'favicon.svg',
    name: `favicon-${sha256(favicon).slice(0, 8).toUpperCase()}.svg`,
    data: favicon,
  });

  const manifest: WebManifest = {
    version: 1,
    template: 'index.html',
    consoleTemplate: 'console.html',
    assets: {},
    files: {},
  };
  for (const { logical, name, data } of outputs) {
    const contentType = CONTENT_TYPES[path.extname(name)];
    if (!contentType) throw new Error(`No content type for ${name}`);
    fs.writeFileSync(path.join(assetsDir, name), data);
    const encoded = compressions(data);
    if (encoded.br) fs.writeFileSync(path.join(assetsDir, `${name}.br`), encoded.br);
    if (encoded.gzip) fs.writeFileSync(path.join(assetsDir, `${name}.gz`), encoded.gzip);
    const info: ManifestFile = {
      contentType,
      size: data.length,
      sha256: sha256(data),
      encodings: (['br', 'gzip'] as const).filter((e) => encoded[e] !== undefined),
    };
    manifest.assets[logical] = name;
    manifest.files[name] = info;
  }

  const resolveAssets = (source: string) =>
    fs
      .readFileSync(path.join(root, source), 'utf8')
      .replace(/\{\{asset:([\w.-]+)\}\}/g, (_, logical: string) => {
        const name = manifest.assets[logical];
        if (!name) throw new Error(`${source} references an unknown asset ${logical}`);
        return `/assets/${name}`;
      });
  fs.writeFileSync(path.join(outDir, manifest.template), resolveAssets('web/index.html'));
  fs.writeFileSync(path.join(outDir, 'console.html'), resolveAssets('web/console/index.html'));
  fs.writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { outDir, manifest };
}

if (require.main === module) {
  buildWeb()
    .then(({ outDir, manifest }) => {
      const rows = Object.entries(manifest.files).map(([name, f]) => {
        const br = f.encodings.includes('br')
          ? fs.statSync(path.join(outDir, 'assets', `${name}.br`)).size
          : f.size;
        return `  ${name.padEnd(32)} ${String(f.size).padStart(7)} B  (${br} B brotli)`;
      });
      console.log(
        [`Landing page built into ${path.relative(process.cwd(), outDir) || outDir}:`, ...rows].join('\n'),
      );
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
