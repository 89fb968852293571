import { app } from '@azure/functions';

import { deps } from '../shared/container';
import { queueFunction } from '../shared/queueFunction';
import { EmailMessage } from '../shared/contracts/queues';
import { QUEUES, STORAGE_CONNECTION } from '../shared/storageNames';

/** An email that failed every retry: mark the flow and raise an alert; never replayed automatically. */
export const emailPoison = queueFunction(
  QUEUES.emailPoison,
  EmailMessage,
  (message, log) => deps().emailService.markEmailFailed(message, log),
  () => deps().queue,
);

app.storageQueue('emailPoison', {
  queueName: QUEUES.emailPoison,
  connection: STORAGE_CONNECTION,
  handler: emailPoison,
});
