import type { LogLevel } from './functionsCoreStub';

/** Console sink: one timestamped line per entry; debug/trace only with DEV_HOST_DEBUG=1. */
export function consoleLogSink(level: LogLevel, message: string): void {
  const line = `[${new Date().toISOString()}] ${message}`;
  if (level === 'error' || level === 'critical') console.error(line);
  else if (level === 'warning') console.warn(line);
  else if (level === 'debug' || level === 'trace') {
    if (process.env.DEV_HOST_DEBUG === '1') console.log(line);
  } else if (level !== 'none') console.log(line);
}
