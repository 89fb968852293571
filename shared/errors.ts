/** The error catalogue lives in the domain (shared/domain/errors.ts); this path stays for callers outside it. */
export * from './domain/errors';
