import { app } from '@azure/functions';

import { deps } from '../shared/container';
import { queueFunction } from '../shared/queueFunction';
import { EmailMessage } from '../shared/contracts/queues';
import { QUEUES, STORAGE_CONNECTION } from '../shared/storageNames';

/** Sends the code, account-ready and failure emails queued by the sign-up API and the provisioner. */
export const emailSender = queueFunction(
  QUEUES.email,
  EmailMessage,
  (message, log) => deps().emailService.handle(message, log),
  () => deps().queue,
);

app.storageQueue('emailSender', {
  queueName: QUEUES.email,
  connection: STORAGE_CONNECTION,
  handler: emailSender,
});
