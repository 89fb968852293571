import { app } from '@azure/functions';

import { deps } from '../shared/container';
import { queueFunction } from '../shared/queueFunction';
import { ProvisionMessage } from '../shared/contracts/queues';
import { QUEUES, STORAGE_CONNECTION } from '../shared/storageNames';

/** Provisioning failed every retry: the flow ends `failed`, the person gets the failure email, ops an alert. */
export const provisionPoison = queueFunction(
  QUEUES.provisionPoison,
  ProvisionMessage,
  (message, log) => deps().provisioningService.markFailed(message, log),
  () => deps().queue,
);

app.storageQueue('provisionPoison', {
  queueName: QUEUES.provisionPoison,
  connection: STORAGE_CONNECTION,
  handler: provisionPoison,
});
