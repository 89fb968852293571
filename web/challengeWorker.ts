/**
 * The Web Worker that solves the proof-of-work challenge (web/pow.ts) off the main thread, so typing,
 * focus and screen readers are never held up. Built by scripts/build-web.ts as its own hashed asset
 * (CSP `worker-src 'self'`). Message in: {challenge, salt, maxnumber}; out: {number, took} or null.
 */
import { solvePow } from './pow';

interface Work {
  challenge: string;
  salt: string;
  maxnumber: number;
}

self.onmessage = (event: MessageEvent<Work>) => {
  const { challenge, salt, maxnumber } = event.data;
  self.postMessage(solvePow(challenge, salt, maxnumber) ?? null);
};
