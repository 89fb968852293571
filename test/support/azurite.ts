import { randomBytes } from 'node:crypto';

import type { TableClient } from '@azure/data-tables';
import type { QueueClient } from '@azure/storage-queue';

import { createQueueClient, createTableClient } from '../../shared/adapters/storageClients';

/** The connection string of the jest-global Azurite (test/support/globalSetup.ts). */
export function azuriteConnectionString(): string {
  const cs = process.env.TEST_STORAGE_CONNECTION_STRING;
  if (!cs)
    throw new Error(
      'TEST_STORAGE_CONNECTION_STRING is not set: run through jest (globalSetup starts Azurite)',
    );
  return cs;
}

/** A fresh, uniquely named table so test files never see each other's rows. */
export async function freshTable(prefix = 't'): Promise<TableClient> {
  const client = createTableClient(
    { connectionString: azuriteConnectionString() },
    `${prefix}${randomBytes(6).toString('hex')}`,
  );
  await client.createTable();
  return client;
}

export async function freshQueue(prefix = 'q'): Promise<QueueClient> {
  const client = createQueueClient(
    { connectionString: azuriteConnectionString() },
    `${prefix}-${randomBytes(6).toString('hex')}`,
  );
  await client.createIfNotExists();
  return client;
}
