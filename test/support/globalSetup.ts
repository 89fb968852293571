import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startAzurite } from '../../dev/stack/processes';

/**
 * One in-memory Azurite on free ports for the whole run; workers inherit the connection string. Also the
 * directory where test/support/logScrub.ts leaves every logged event for globalTeardown's scrub.
 */
export default async function globalSetup(): Promise<void> {
  const azurite = await startAzurite();
  process.env.TEST_STORAGE_CONNECTION_STRING = azurite.connectionString;
  process.env.LOG_SCRUB_DIR = mkdtempSync(path.join(os.tmpdir(), 'rms-log-scrub-'));
  (globalThis as { __azurite?: typeof azurite }).__azurite = azurite;
}
