import type { QueueClient } from '@azure/storage-queue';

import type { QueueInspector } from '../ports';
import type { QueueName } from '../storageNames';
import { statusOf } from './storageClients';

/** Queue depths for admin stats and the age of the oldest message (queue.age gauge), from the queue's metadata (`x-ms-approximate-messages-count`). */
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

  async oldestMessageAgeSeconds(queue: QueueName, now: Date): Promise<number> {
    try {
      // Peeking returns the message at the front without hiding it from the trigger.
      const { peekedMessageItems } = await this.clientFor(queue).peekMessages({ numberOfMessages: 1 });
      const inserted = peekedMessageItems[0]?.insertedOn;
      return inserted ? Math.max(0, (now.getTime() - inserted.getTime()) / 1000) : 0;
    } catch (error) {
      if (statusOf(error) === 404) return 0;
      throw error;
    }
  }
}
