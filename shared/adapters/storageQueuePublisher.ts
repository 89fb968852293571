import type { QueueClient } from '@azure/storage-queue';

import type { QueueMessages } from '../contracts/queues';
import type { QueuePublisher } from '../ports';
import type { QueueName } from '../storageNames';

/**
 * Sends JSON messages base64-encoded, because the Functions queue trigger decodes base64 by default
 * (host.json `messageEncoding`); plain text would land every message in the poison queue (req 48).
 */
export class StorageQueuePublisher implements QueuePublisher {
  constructor(private readonly clientFor: (queue: QueueName) => QueueClient) {}

  async send<Q extends QueueName>(
    queue: Q,
    message: QueueMessages[Q],
    options: { visibilityDelaySeconds?: number } = {},
  ) {
    const body = Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
    await this.clientFor(queue).sendMessage(body, {
      visibilityTimeout: options.visibilityDelaySeconds
        ? Math.ceil(options.visibilityDelaySeconds)
        : undefined,
    });
  }
}
