import type { QueueClient } from '@azure/storage-queue';

import type { QueueInspector } from '../ports';
import type { QueueName } from '../storageNames';
import { statusOf } from './storageClients';

/** Queue depths for admin stats, from the queue's metadata (`x-ms-approximate-messages-count`). */
export class StorageQueueInspector implements QueueInspector {
  constructor(private readonly clientFor: (queue: QueueName) => QueueClient) {}

  async approximateDepth(queue: QueueName): Promise<number> {
    try {
      const properties = await this.clientFor(queue).getProperties();
      return properties.approximateMessagesCount ?? 0;
    } catch (error) {
      // The host creates a poison queue on the first poison message: none yet means none.
      if (statusOf(error) === 404) return 0;
      throw error;
    }
  }
}
