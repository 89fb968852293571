/**
 * The built page (build/web.ts → dist/web/): the HTML template, hashed assets and their brotli and
 * gzip siblings, all read into memory once per process (a few tens of KB). Requests can only reach files
 * the manifest lists, so no path from a URL ever touches the file system.
 */
import fs from 'node:fs';
import path from 'node:path';

import type { ContentEncoding } from './headers';

export const ASSET_PATH_PREFIX = '/assets/';
export const MANIFEST_FILE = 'manifest.json';

export interface ManifestFile {
  contentType: string;
  size: number;
  sha256: string;
  /** Precompressed siblings written next to the file (`<name>.br`, `<name>.gz`). */
  encodings: ContentEncoding[];
}

export interface WebManifest {
  version: 1;
  /** The HTML template, relative to the web root. */
  template: string;
  /** The admin console's template (/console), relative to the web root. */
  consoleTemplate?: string;
  /** Logical name (`app.js`) → hashed file name (`app-3F2A9C1B.js`) under /assets/. */
  assets: Record<string, string>;
  files: Record<string, ManifestFile>;
}

export interface LoadedAsset {
  name: string;
  contentType: string;
  etag: string;
  body: Buffer;
  encoded: Partial<Record<ContentEncoding, Buffer>>;
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const ENCODING_SUFFIX: Record<ContentEncoding, string> = { br: '.br', gzip: '.gz' };

export class WebAssets {
  private constructor(
    readonly root: string,
    readonly manifest: WebManifest,
    readonly template: string,
    readonly consoleTemplate: string | undefined,
    private readonly files: ReadonlyMap<string, LoadedAsset>,
  ) {}

  static load(root: string): WebAssets {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, MANIFEST_FILE), 'utf8')) as WebManifest;
    if (manifest.version !== 1) throw new Error(`Unsupported web manifest version in ${root}`);
    const template = fs.readFileSync(path.join(root, manifest.template), 'utf8');
    const consoleTemplate = manifest.consoleTemplate
      ? fs.readFileSync(path.join(root, manifest.consoleTemplate), 'utf8')
      : undefined;
    const files = new Map<string, LoadedAsset>();
    for (const [name, info] of Object.entries(manifest.files)) {
      if (!FILE_NAME.test(name)) throw new Error(`Refusing asset name ${JSON.stringify(name)} in ${root}`);
      const file = path.join(root, 'assets', name);
      const encoded: Partial<Record<ContentEncoding, Buffer>> = {};
      for (const encoding of info.encodings)
        encoded[encoding] = fs.readFileSync(file + ENCODING_SUFFIX[encoding]);
      files.set(name, {
        name,
        contentType: info.contentType,
        etag: `"${info.sha256.slice(0, 32)}"`,
        body: fs.readFileSync(file),
        encoded,
      });
    }
    return new WebAssets(root, manifest, template, consoleTemplate, files);
  }

  /** The asset served at /assets/<name>, if the manifest has it. */
  file(name: string): LoadedAsset | undefined {
    return this.files.get(name);
  }

  /** Public URL of a logical asset (`app.js` → `/assets/app-3F2A9C1B.js`). */
  url(logicalName: string): string {
    const name = this.manifest.assets[logicalName];
    if (!name) throw new Error(`The web build has no asset named ${logicalName}`);
    return ASSET_PATH_PREFIX + name;
  }

  /** Every hashed file, for size budgets and tests. */
  list(): LoadedAsset[] {
    return [...this.files.values()];
  }
}

/**
 * Where the built page lives. The compiled function sits in dist/functions/ (tsc) or dist/ (bundle), and
 * tests run from source: look for `web/manifest.json` or `dist/web/manifest.json` beside each ancestor.
 */
export function findWebRoot(startDir: string = __dirname): string | undefined {
  let dir = path.resolve(startDir);
  for (let depth = 0; depth < 5; depth++) {
    for (const candidate of [path.join(dir, 'web'), path.join(dir, 'dist', 'web')]) {
      if (fs.existsSync(path.join(candidate, MANIFEST_FILE))) return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}
