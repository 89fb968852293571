import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import type { AzuriteInstance } from '../../dev/stack/processes';
import { TEST_SECRET } from './builders';
import { scanDirectory, type ScrubRules } from './logScrubScan';
import { ADMIN_KEY } from './stack';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __azurite?: AzuriteInstance }).__azurite?.stop();
  const dir = process.env.LOG_SCRUB_DIR;
  if (!dir) return;
  try {
    const { lines, files, findings } = scanDirectory(dir, scrubRules());
    process.stdout.write(
      `\nlog scrub (req 44): ${lines} logged events from ${files} test files, ${findings.length} findings\n`,
    );
    if (findings.length > 0) {
      const shown = findings.slice(0, 10).map((f) => `  ${f.kind} in ${f.file}: ${f.line}`);
      throw new Error(`The app logged a code, a full address or a secret:\n${shown.join('\n')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every secret the suite configures; the organisation's own addresses are not personal data. */
function scrubRules(): ScrubRules {
  const example = JSON.parse(
    readFileSync(path.join(__dirname, '..', '..', 'local.settings.example.json'), 'utf8'),
  ) as { Values: Record<string, string> };
  const values = Object.entries(example.Values);
  return {
    secrets: [
      TEST_SECRET,
      ADMIN_KEY,
      ...values.filter(([k]) => /SECRET|PASSWORD|KEY$/i.test(k)).map(([, v]) => v),
    ],
    allowedAddresses: values.map(([, v]) => v).filter((v) => /^[^@\s]+@[^@\s]+$/.test(v)),
  };
}
