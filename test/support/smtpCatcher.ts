/**
 * An in-process SMTP server (smtp-server + mailparser) on a loopback port that keeps every message it
 * accepts, parsed. It can refuse or defer commands with chosen reply codes and can go "down" (connections
 * refused, or accepted but never greeted) and come back on the same port, to exercise transport failures.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface CaughtEmail {
  /** SMTP envelope (MAIL FROM / RCPT TO), which is what decides delivery. */
  envelopeFrom: string;
  envelopeTo: string[];
  /** Header addresses. */
  from: string[];
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** Lower-cased header names present in the message. */
  headerNames: string[];
  /** Whether the session was upgraded to TLS (STARTTLS or implicit). */
  secure: boolean;
  raw: string;
}

type Stage = 'MAIL' | 'RCPT' | 'DATA';

export interface SmtpCatcherOptions {
  /** Offer STARTTLS with this key pair (otherwise STARTTLS is disabled, like maildev). */
  tls?: { key: string; cert: string };
}

export class SmtpCatcher {
  readonly messages: CaughtEmail[] = [];
  port = 0;

  private server: SMTPServer | undefined;
  private silent: net.Server | undefined;
  private readonly silentSockets = new Set<net.Socket>();
  private readonly rejections: Array<{ stage: Stage; remaining: number; code: number; message: string }> = [];
  private readonly waiters = new Set<() => void>();
  private readonly refusedRecipients = new Map<string, { code: number; message: string }>();
  /** RCPT TO commands seen per (lower-cased) address, accepted or refused. */
  readonly rcptAttempts = new Map<string, number>();

  private constructor(private readonly options: SmtpCatcherOptions) {}

  static async start(options: SmtpCatcherOptions = {}): Promise<SmtpCatcher> {
    const catcher = new SmtpCatcher(options);
    await catcher.listen(0);
    return catcher;
  }

  /** The next `count` transactions get this reply at `stage` (e.g. 451 at MAIL for throttling, 550 at RCPT). */
  rejectNext(count: number, code: number, message: string, stage: Stage = 'MAIL'): void {
    this.rejections.push({ stage, remaining: count, code, message });
  }

  /** Every RCPT TO for this address gets this reply (a mailbox that does not exist: 550 by default). */
  rejectRecipient(address: string, code = 550, message = '5.1.1 Mailbox unavailable'): void {
    this.refusedRecipients.set(address.toLowerCase(), { code, message });
  }

  /** Resolves with the first message (already caught or arriving) that matches. */
  async waitFor(predicate: (m: CaughtEmail) => boolean, timeoutMs = 5_000): Promise<CaughtEmail> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.messages.find(predicate);
        if (!found) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`No matching email within ${timeoutMs} ms (caught ${this.messages.length})`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(onMessage);
      };
      const onMessage = (): void => void check();
      if (check()) return;
      this.waiters.add(onMessage);
    });
  }

  /**
   * Takes the server down. `refuse`: nothing listens (ECONNREFUSED). `silent`: connections are accepted
   * and never greeted (the client's greeting timeout fires).
   */
  async pause(mode: 'refuse' | 'silent' = 'refuse'): Promise<void> {
    await this.closeServer();
    if (mode === 'silent') {
      const silent = net.createServer((socket) => {
        this.silentSockets.add(socket);
        socket.on('close', () => this.silentSockets.delete(socket));
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve, reject) => {
        silent.once('error', reject);
        silent.listen(this.port, '127.0.0.1', () => resolve());
      });
      this.silent = silent;
    }
  }

  /** Brings the server back on the same port. */
  async resume(): Promise<void> {
    await this.closeSilent();
    if (!this.server) await this.listen(this.port);
  }

  async stop(): Promise<void> {
    await this.closeSilent();
    await this.closeServer();
  }

  private async listen(port: number): Promise<void> {
    const tls = this.options.tls;
    const options: SMTPServerOptions = {
      secure: false,
      ...(tls ? { key: tls.key, cert: tls.cert } : {}),
      disabledCommands: tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
      authOptional: true,
      logger: false,
      closeTimeout: 100,
      onMailFrom: (_address, _session, callback) => callback(this.takeRejection('MAIL')),
      onRcptTo: (address, _session, callback) => {
        const to = address.address.toLowerCase();
        this.rcptAttempts.set(to, (this.rcptAttempts.get(to) ?? 0) + 1);
        const refused = this.refusedRecipients.get(to);
        if (refused)
          return callback(Object.assign(new Error(refused.message), { responseCode: refused.code }));
        callback(this.takeRejection('RCPT'));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const rejection = this.takeRejection('DATA');
          if (rejection) return callback(rejection);
          const raw = Buffer.concat(chunks);
          simpleParser(raw)
            .then((parsed) => {
              this.messages.push(toCaughtEmail(parsed, raw, session));
              callback();
              for (const waiter of [...this.waiters]) waiter();
            })
            .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
        });
      },
    };
    const server = new SMTPServer(options);
    server.on('error', () => undefined); // client resets during pause/resume are expected
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  private takeRejection(stage: Stage): Error | null {
    const rejection = this.rejections.find((r) => r.stage === stage);
    if (!rejection) return null;
    rejection.remaining -= 1;
    if (rejection.remaining <= 0) this.rejections.splice(this.rejections.indexOf(rejection), 1);
    return Object.assign(new Error(rejection.message), { responseCode: rejection.code });
  }

  private async closeServer(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async closeSilent(): Promise<void> {
    const silent = this.silent;
    this.silent = undefined;
    for (const socket of this.silentSockets) socket.destroy();
    if (silent) await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.flatMap((a) => a.value.map((v) => v.address ?? '')).filter((a) => a !== '');
}

function toCaughtEmail(
  parsed: ParsedMail,
  raw: Buffer,
  session: {
    envelope: { mailFrom: false | { address: string }; rcptTo: Array<{ address: string }> };
    secure: boolean;
  },
): CaughtEmail {
  return {
    envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    envelopeTo: session.envelope.rcptTo.map((r) => r.address),
    from: addresses(parsed.from),
    to: addresses(parsed.to),
    subject: parsed.subject ?? '',
    text: parsed.text ?? '',
    html: parsed.html === false || parsed.html === undefined ? '' : parsed.html,
    messageId: parsed.messageId ?? '',
    headerNames: [...parsed.headers.keys()],
    secure: session.secure,
    raw: raw.toString('utf8'),
  };
}
