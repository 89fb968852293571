/**
 * App settings for local runs, read like Azure Functions Core Tools does: `Values` from
 * `local.settings.json` (or the committed `local.settings.example.json` when there is no personal copy)
 * are the defaults, and an environment variable with the same name wins.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The project root: the nearest folder above `from` with both package.json and host.json. */
export function findAppRoot(from = __dirname): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'host.json')))
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`No folder with package.json and host.json above ${from}`);
    dir = parent;
  }
}

export const LOCAL_SETTINGS_FILES = ['local.settings.json', 'local.settings.example.json'] as const;

interface LocalSettingsFile {
  IsEncrypted?: boolean;
  Values?: Record<string, unknown>;
}

/** The settings file in use (personal copy first), or undefined when there is none. */
export function localSettingsPath(appRoot: string): string | undefined {
  return LOCAL_SETTINGS_FILES.map((name) => path.join(appRoot, name)).find((file) => fs.existsSync(file));
}

/** `Values` of the settings file as strings, without environment overrides. */
export function readLocalSettingsValues(appRoot: string): Record<string, string> {
  const file = localSettingsPath(appRoot);
  if (!file) return {};
  let parsed: LocalSettingsFile;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as LocalSettingsFile;
  } catch (error) {
    throw new Error(`${path.basename(file)} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (parsed.IsEncrypted === true)
    throw new Error(`${path.basename(file)} is encrypted; the dev host reads plain settings only`);
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed.Values ?? {})) {
    if (value === null || value === undefined) continue;
    values[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return values;
}

/** Every setting of the file, each overridden by the environment variable of the same name if set. */
export function loadLocalSettings(
  appRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const merged = readLocalSettingsValues(appRoot);
  for (const key of Object.keys(merged)) {
    const override = env[key];
    if (override !== undefined) merged[key] = override;
  }
  return merged;
}
