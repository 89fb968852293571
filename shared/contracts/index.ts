/** The API and queue contracts (see http.ts, queues.ts, errors.ts). */
export * from './errors';
export * from './http';
export * from './queues';
export * from './events';
