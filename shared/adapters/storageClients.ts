/**
 * Builds Table and Queue clients from the Functions storage settings: a connection string locally
 * (Azurite), identity-based service URIs with managed identity in Azure (no keys).
 */
import { TableClient, TableServiceClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { QueueClient, QueueServiceClient } from '@azure/storage-queue';

export interface StorageSettings {
  connectionString?: string;
  tableServiceUri?: string;
  queueServiceUri?: string;
  credential?: TokenCredential;
}

const isHttp = (cs: string) =>
  /(TableEndpoint|QueueEndpoint)=http:/i.test(cs) || /DefaultEndpointsProtocol=http;/i.test(cs);

export function createTableClient(settings: StorageSettings, tableName: string): TableClient {
  if (settings.connectionString) {
    return TableClient.fromConnectionString(settings.connectionString, tableName, {
      allowInsecureConnection: isHttp(settings.connectionString),
    });
  }
  if (!settings.tableServiceUri || !settings.credential) throw new Error('Table storage is not configured');
  return new TableClient(settings.tableServiceUri, tableName, settings.credential);
}

export function createTableServiceClient(settings: StorageSettings): TableServiceClient {
  if (settings.connectionString) {
    return TableServiceClient.fromConnectionString(settings.connectionString, {
      allowInsecureConnection: isHttp(settings.connectionString),
    });
  }
  if (!settings.tableServiceUri || !settings.credential) throw new Error('Table storage is not configured');
  return new TableServiceClient(settings.tableServiceUri, settings.credential);
}

export function createQueueClient(settings: StorageSettings, queueName: string): QueueClient {
  if (settings.connectionString) return new QueueClient(settings.connectionString, queueName);
  if (!settings.queueServiceUri || !settings.credential) throw new Error('Queue storage is not configured');
  return new QueueServiceClient(settings.queueServiceUri, settings.credential).getQueueClient(queueName);
}

interface RestErrorLike {
  statusCode?: number;
}
export function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as RestErrorLike).statusCode : undefined;
}
