/** The one place that creates the app's tables and queues (shared/storageNames.ts) on a storage account. */
import { TableServiceClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';

import { QUEUES, TABLES } from '../../shared/storageNames';

/** Creates every table and queue of shared/storageNames.ts; idempotent (existing ones are left alone). */
export async function createTablesAndQueues(connectionString: string): Promise<void> {
  const tables = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  const queues = QueueServiceClient.fromConnectionString(connectionString);
  await Promise.all([
    ...Object.values(TABLES).map((t) => tables.createTable(t)),
    ...Object.values(QUEUES).map((q) => queues.getQueueClient(q).createIfNotExists()),
  ]);
}
