/**
 * A light SMTP sink for long runs: it keeps only recipient, subject, the 6-digit code and the arrival time
 * of each message (headers are read, bodies dropped), so tens of thousands of emails cost little memory
 * and CPU. test/support/smtpCatcher.ts keeps whole parsed messages and is the one for functional tests.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SunkEmail {
  to: string;
  subject: string;
  /** The code when the subject starts with one (verification emails). */
  code?: string;
  /** Date.now() when the message was accepted. */
  at: number;
}

/** The Subject header of a raw message (unfolded); encoded words are left as they are. */
export function subjectOf(rawHeaders: string): string {
  const unfolded = rawHeaders.replace(/\r?\n[ \t]+/g, ' ');
  const match = /^subject:[ \t]*(.*)$/im.exec(unfolded);
  return match?.[1]?.trim() ?? '';
}

export class SmtpSink {
  port = 0;
  count = 0;
  readonly byAddress = new Map<string, SunkEmail[]>();
  /** Called for every accepted message. */
  onEmail: ((email: SunkEmail) => void) | undefined;
  private readonly waiters = new Map<string, Set<(email: SunkEmail) => void>>();
  private server: SMTPServer | undefined;

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink();
    const server = new SMTPServer({
      secure: false,
      disabledCommands: ['AUTH', 'STARTTLS'],
      authOptional: true,
      logger: false,
      closeTimeout: 100,
      size: 1024 * 1024,
      onData: (stream, session, callback) => {
        let head = '';
        let done = false;
        stream.on('data', (chunk: Buffer) => {
          if (done) return;
          head += chunk.toString('latin1');
          const end = head.search(/\r?\n\r?\n/);
          if (end >= 0) {
            head = head.slice(0, end);
            done = true;
          }
        });
        stream.on('end', () => {
          const subject = subjectOf(head);
          const code = /^(\d{6})\b/.exec(subject)?.[1];
          for (const rcpt of session.envelope.rcptTo) {
            sink.record({
              to: rcpt.address.toLowerCase(),
              subject,
              ...(code ? { code } : {}),
              at: Date.now(),
            });
          }
          callback();
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    sink.port = (server.server.address() as AddressInfo).port;
    sink.server = server;
    return sink;
  }

  emailsTo(address: string): SunkEmail[] {
    return this.byAddress.get(address.toLowerCase()) ?? [];
  }

  /** The first email to `address` (already here or arriving) that matches. */
  waitFor(address: string, predicate: (e: SunkEmail) => boolean, timeoutMs: number): Promise<SunkEmail> {
    const key = address.toLowerCase();
    const found = this.emailsTo(key).find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const set = this.waiters.get(key) ?? new Set();
      this.waiters.set(key, set);
      const timer = setTimeout(() => {
        set.delete(onEmail);
        if (set.size === 0) this.waiters.delete(key);
        reject(new Error(`no email to ${key} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onEmail = (email: SunkEmail) => {
        if (!predicate(email)) return;
        clearTimeout(timer);
        set.delete(onEmail);
        if (set.size === 0) this.waiters.delete(key);
        resolve(email);
      };
      set.add(onEmail);
    });
  }

  /** Forgets every message (waiters stay). */
  clear(): void {
    this.byAddress.clear();
    this.count = 0;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private record(email: SunkEmail): void {
    this.count++;
    const list = this.byAddress.get(email.to) ?? [];
    list.push(email);
    this.byAddress.set(email.to, list);
    this.onEmail?.(email);
    for (const waiter of [...(this.waiters.get(email.to) ?? [])]) waiter(email);
  }
}
