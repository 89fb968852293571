/** Reads the parts of host.json the dev host honours, with the Functions host's defaults. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type MessageEncoding = 'base64' | 'none';

export interface QueueOptions {
  batchSize: number;
  newBatchThreshold: number;
  maxPollingIntervalMs: number;
  visibilityTimeoutMs: number;
  maxDequeueCount: number;
  messageEncoding: MessageEncoding;
}

export interface HostConfig {
  routePrefix: string;
  queues: QueueOptions;
  /** host.json `functionTimeout`; undefined means unbounded. */
  functionTimeoutMs: number | undefined;
}

/** Minimum poll interval of the queue listener (the host's floor for `maxPollingInterval`). */
export const MIN_POLLING_INTERVAL_MS = 100;

/** Parses a .NET TimeSpan as host.json writes them: `hh:mm:ss`, `d.hh:mm:ss`, optional `.fffffff`. */
export function parseTimeSpan(value: string): number {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/.exec(value.trim());
  if (!match) throw new Error(`"${value}" is not a TimeSpan (expected hh:mm:ss)`);
  const [, days, hours, minutes, seconds, fraction] = match;
  const ms = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
  return (
    (((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000 + ms
  );
}

interface RawHostJson {
  functionTimeout?: unknown;
  extensions?: {
    http?: { routePrefix?: unknown };
    queues?: Record<string, unknown>;
  };
}

function timeSpanSetting(raw: unknown, name: string, fallbackMs: number): number {
  if (raw === undefined || raw === null) return fallbackMs;
  if (typeof raw !== 'string') throw new Error(`host.json ${name} must be a TimeSpan string`);
  return parseTimeSpan(raw);
}

function intSetting(raw: unknown, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === null) return fallback;
  const value = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`host.json ${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function parseHostJson(raw: RawHostJson, cpuCount = os.cpus().length || 1): HostConfig {
  const prefixRaw = raw.extensions?.http?.routePrefix;
  if (prefixRaw !== undefined && typeof prefixRaw !== 'string')
    throw new Error('host.json routePrefix must be a string');
  const routePrefix = (prefixRaw ?? 'api').replace(/^\/+|\/+$/g, '');

  const q = raw.extensions?.queues ?? {};
  const batchSize = intSetting(q.batchSize, 'extensions.queues.batchSize', 16, 1, 32);
  // Host default: N * batchSize / 2 where N is the instance's processor count.
  const newBatchThreshold = intSetting(
    q.newBatchThreshold,
    'extensions.queues.newBatchThreshold',
    Math.floor((cpuCount * batchSize) / 2),
    0,
    10_000,
  );
  const maxPollingIntervalMs = timeSpanSetting(
    q.maxPollingInterval,
    'extensions.queues.maxPollingInterval',
    60_000,
  );
  if (maxPollingIntervalMs < MIN_POLLING_INTERVAL_MS) {
    throw new Error(
      `host.json extensions.queues.maxPollingInterval must be at least ${MIN_POLLING_INTERVAL_MS} ms`,
    );
  }
  const visibilityTimeoutMs = timeSpanSetting(q.visibilityTimeout, 'extensions.queues.visibilityTimeout', 0);
  const maxDequeueCount = intSetting(q.maxDequeueCount, 'extensions.queues.maxDequeueCount', 5, 1, 1_000);
  const encodingRaw = q.messageEncoding ?? 'base64';
  if (encodingRaw !== 'base64' && encodingRaw !== 'none') {
    throw new Error('host.json extensions.queues.messageEncoding must be "base64" or "none"');
  }

  const functionTimeoutMs =
    raw.functionTimeout === undefined || raw.functionTimeout === '-1'
      ? undefined
      : timeSpanSetting(raw.functionTimeout, 'functionTimeout', 0);

  return {
    routePrefix,
    queues: {
      batchSize,
      newBatchThreshold,
      maxPollingIntervalMs,
      visibilityTimeoutMs,
      maxDequeueCount,
      messageEncoding: encodingRaw,
    },
    functionTimeoutMs,
  };
}

export function readHostConfig(appRoot: string): HostConfig {
  const file = path.join(appRoot, 'host.json');
  if (!fs.existsSync(file)) throw new Error(`No host.json in ${appRoot}`);
  let raw: RawHostJson;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8')) as RawHostJson;
  } catch (error) {
    throw new Error(`host.json is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseHostJson(raw);
}
