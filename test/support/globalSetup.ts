import { startAzurite } from '../../dev/processes';

/** One in-memory Azurite on free ports for the whole run; workers inherit the connection string. */
export default async function globalSetup(): Promise<void> {
  const azurite = await startAzurite();
  process.env.TEST_STORAGE_CONNECTION_STRING = azurite.connectionString;
  (globalThis as { __azurite?: typeof azurite }).__azurite = azurite;
}
