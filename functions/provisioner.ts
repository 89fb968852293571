import { app } from '@azure/functions';

import { deps } from '../shared/container';
import { queueFunction } from '../shared/queueFunction';
import { ProvisionMessage } from '../shared/contracts/queues';
import { QUEUES, STORAGE_CONNECTION } from '../shared/storageNames';

/** Creates or finds the Entra B2B guest for a verified sign-up and adds it to its partner's groups, if any. */
export const provisioner = queueFunction(
  QUEUES.provision,
  ProvisionMessage,
  (message, log) => deps().provisioningService.handle(message, log),
  () => deps().queue,
);

app.storageQueue('provisioner', {
  queueName: QUEUES.provision,
  connection: STORAGE_CONNECTION,
  handler: provisioner,
});
