/**
 * A storage-queue trigger listener with the Functions host's semantics from host.json `extensions.queues`:
 * - receives up to `batchSize` messages and runs them in parallel; fetches again once the number in
 *   flight drops to `newBatchThreshold`;
 * - when the queue is empty, backs off exponentially from 100 ms to `maxPollingInterval`, and returns
 *   to fast polling as soon as a message arrives;
 * - keeps a running message invisible (renewing its lease), deletes it on success, and on failure makes
 *   it visible again after `visibilityTimeout`;
 * - moves a message to `<queue>-poison` (original content) after its `maxDequeueCount`-th failed attempt,
 *   or on receive when its dequeue count is already above `maxDequeueCount`.
 */
import type { QueueClient } from '@azure/storage-queue';
import type { QueueOptions } from './hostConfig';
import { MIN_POLLING_INTERVAL_MS } from './hostConfig';
import { errorMessage, type LogSink } from './invoker';

export interface QueueMessage {
  id: string;
  dequeueCount: number;
  insertionTime: Date;
  expirationTime: Date;
  nextVisibleTime: Date;
  popReceipt: string;
  /** The message content as stored (base64 text when messageEncoding is base64). */
  rawText: string;
}

/** Runs the function for one decoded message; resolves true on success. */
export type MessageHandler = (message: QueueMessage, body: string) => Promise<boolean>;

export interface QueueListenerOptions {
  functionName: string;
  queue: QueueClient;
  poisonQueue: QueueClient;
  settings: QueueOptions;
  handler: MessageHandler;
  log: LogSink;
  /** How long a received message stays invisible while its function runs; renewed at half-time. */
  leaseSeconds: number;
}

/** Decodes a message as the queue extension does for `messageEncoding`; undefined when it is not valid. */
export function decodeMessage(rawText: string, encoding: 'base64' | 'none'): string | undefined {
  if (encoding === 'none') return rawText;
  const compact = rawText.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

export function encodeMessage(content: Buffer, encoding: 'base64' | 'none'): string {
  return encoding === 'base64' ? content.toString('base64') : content.toString('utf8');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

const toSeconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

export class QueueListener {
  readonly #abort = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  #loop: Promise<void> | undefined;
  #lastError = '';
  #poisonReady = false;
  /** Wakes the poll loop when a message finishes (or on stop) while it waits for capacity. */
  #wake: (() => void) | undefined;

  constructor(private readonly options: QueueListenerOptions) {}

  get inFlight(): number {
    return this.#inFlight.size;
  }

  start(): void {
    this.#loop ??= this.poll();
  }

  /** Stops receiving; messages already running keep going (see `drain`). */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#wake?.();
    await this.#loop;
  }

  /** Resolves when the running messages have finished. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  private warnOnce(message: string): void {
    if (message === this.#lastError) return;
    this.#lastError = message;
    this.options.log('warning', `[${this.options.functionName}] ${message}`);
  }

  private async poll(): Promise<void> {
    const { queue, settings } = this.options;
    const signal = this.#abort.signal;
    let idleDelay = MIN_POLLING_INTERVAL_MS;
    let ready = false;

    while (!signal.aborted) {
      while (this.#inFlight.size > settings.newBatchThreshold && !signal.aborted) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
      }
      if (signal.aborted) break;
      try {
        if (!ready) {
          await queue.createIfNotExists({ abortSignal: signal });
          ready = true;
        }
        const { receivedMessageItems } = await queue.receiveMessages({
          numberOfMessages: settings.batchSize,
          visibilityTimeout: this.options.leaseSeconds,
          abortSignal: signal,
        });
        this.#lastError = '';
        if (receivedMessageItems.length === 0) {
          await sleep(idleDelay, signal);
          idleDelay = Math.min(idleDelay * 2, settings.maxPollingIntervalMs);
          continue;
        }
        idleDelay = MIN_POLLING_INTERVAL_MS;
        for (const item of receivedMessageItems) {
          this.track(
            this.process({
              id: item.messageId,
              dequeueCount: item.dequeueCount,
              insertionTime: item.insertedOn,
              expirationTime: item.expiresOn,
              nextVisibleTime: item.nextVisibleOn,
              popReceipt: item.popReceipt,
              rawText: item.messageText,
            }),
          );
        }
      } catch (error) {
        if (signal.aborted) break;
        this.warnOnce(`Polling queue '${queue.name}' failed: ${errorMessage(error)}`);
        await sleep(idleDelay, signal);
        idleDelay = Math.min(idleDelay * 2, settings.maxPollingIntervalMs);
      }
    }
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => {
      this.#inFlight.delete(tracked);
      this.#wake?.();
    });
    this.#inFlight.add(tracked);
  }

  private async process(message: QueueMessage): Promise<void> {
    const { settings, queue, log, functionName } = this.options;
    try {
      if (message.dequeueCount > settings.maxDequeueCount) {
        await this.poison(message, message.popReceipt);
        return;
      }

      // Keep the message invisible while the function runs; every renewal returns a new pop receipt.
      let popReceipt = message.popReceipt;
      let renewal: Promise<void> = Promise.resolve();
      const renewTimer = setInterval(
        () => {
          renewal = renewal.then(async () => {
            try {
              const res = await queue.updateMessage(
                message.id,
                popReceipt,
                undefined,
                this.options.leaseSeconds,
              );
              if (res.popReceipt) popReceipt = res.popReceipt;
            } catch (error) {
              this.warnOnce(`Renewing message ${message.id} failed: ${errorMessage(error)}`);
            }
          });
        },
        (this.options.leaseSeconds * 1000) / 2,
      );
      renewTimer.unref();

      let ok = false;
      try {
        const body = decodeMessage(message.rawText, settings.messageEncoding);
        if (body === undefined) {
          log(
            'error',
            `[${functionName}] Message ${message.id} on '${queue.name}' is not valid base64 (messageEncoding is base64).`,
          );
        } else {
          ok = await this.options.handler({ ...message, popReceipt }, body);
        }
      } finally {
        clearInterval(renewTimer);
        await renewal;
      }

      if (ok) {
        await queue.deleteMessage(message.id, popReceipt);
      } else if (message.dequeueCount >= settings.maxDequeueCount) {
        await this.poison(message, popReceipt);
      } else {
        await queue.updateMessage(message.id, popReceipt, undefined, toSeconds(settings.visibilityTimeoutMs));
      }
    } catch (error) {
      // The lease expires on its own and the message is retried: the same outcome as a host crash.
      log('error', `[${functionName}] Settling message ${message.id} failed: ${errorMessage(error)}`);
    }
  }

  private async poison(message: QueueMessage, popReceipt: string): Promise<void> {
    const { poisonQueue, queue, log, functionName, settings } = this.options;
    if (!this.#poisonReady) {
      await poisonQueue.createIfNotExists();
      this.#poisonReady = true;
    }
    await poisonQueue.sendMessage(message.rawText);
    await queue.deleteMessage(message.id, popReceipt);
    log(
      'warning',
      `[${functionName}] Message ${message.id} has reached MaxDequeueCount of ${settings.maxDequeueCount}. ` +
        `Moving message to queue '${poisonQueue.name}'.`,
    );
  }
}
