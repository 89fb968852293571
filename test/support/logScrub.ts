/**
 * Whole-suite log scrub (req 44): every structured event any test makes the app log — through
 * `createLogger`, the one way the app logs — is also kept, and written per test file to the directory
 * globalSetup created. globalTeardown scans all of it (test/support/logScrubScan.ts) and fails the run on
 * a verification code, a full address or a secret.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';

import type { LogSink } from '../../shared/log';

interface Captured {
  lines: string[];
}
const captured: Captured = ((globalThis as { __logScrub?: Captured }).__logScrub ??= { lines: [] });

jest.mock('../../shared/log', () => {
  const actual = jest.requireActual<typeof import('../../shared/log')>('../../shared/log');
  const store = (globalThis as { __logScrub?: Captured }).__logScrub;
  const tee =
    (write: (...args: unknown[]) => void) =>
    (...args: unknown[]) => {
      store?.lines.push(args.map(String).join(' '));
      write(...args);
    };
  return {
    ...actual,
    createLogger: (sink: LogSink, base?: Parameters<typeof actual.createLogger>[1]) =>
      actual.createLogger(
        { log: tee(sink.log.bind(sink)), warn: tee(sink.warn.bind(sink)), error: tee(sink.error.bind(sink)) },
        base,
      ),
  };
});

afterAll(() => {
  const dir = process.env.LOG_SCRUB_DIR;
  if (!dir || captured.lines.length === 0) return;
  const file = path.join(dir, `${process.pid}-${path.basename(expect.getState().testPath ?? 'unknown')}.log`);
  appendFileSync(file, `${captured.lines.join('\n')}\n`);
  captured.lines = [];
});
