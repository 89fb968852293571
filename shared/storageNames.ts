/** Queue and table names the app uses. infra/ declares each one (a test checks). */
export const QUEUES = {
  email: 'signup-email',
  emailPoison: 'signup-email-poison',
  provision: 'signup-provision',
  provisionPoison: 'signup-provision-poison',
} as const;

export const TABLES = {
  signups: 'signups',
  addresses: 'signupaddresses',
  rateLimits: 'ratelimits',
  budgets: 'budgets',
  policy: 'policy',
  audit: 'audit',
  guests: 'guests',
  challenges: 'challenges',
  suppressions: 'suppressions',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
export type TableName = (typeof TABLES)[keyof typeof TABLES];

/** The setting name the queue triggers' `connection` refers to. */
export const STORAGE_CONNECTION = 'AzureWebJobsStorage';
