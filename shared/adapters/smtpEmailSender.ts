/**
 * `EmailSender` over SMTP with nodemailer: the local-dev transport (maildev) and the option for
 * organisations with their own relay.
 *
 * - Message-ID is derived from the idempotency key, so a message sent twice (by two instances, or after a
 *   lost 250) carries one Message-ID and mail stores/clients can collapse the copies.
 * - Within one process, a key that is already in flight or was sent recently is not sent again (SMTP has no
 *   server-side idempotency). Cross-instance duplicates are prevented upstream by the email function's
 *   conditional state write; this memo only closes the window inside one instance.
 * - TLS: certificates are verified by default, TLS 1.2 minimum; short timeouts so a dead relay fails fast.
 * - Errors: 4xx replies and connection/timeout/TLS failures → `TransientError('unavailable', 30)`;
 *   5xx replies (except 503, "bad sequence", which a new connection fixes) → permanent `Error`, and
 *   `RecipientRejectedError` when the refusal is of the recipient (RCPT TO): the caller suppresses it.
 * - nodemailer is loaded when the first sender is built, not when this module loads: deployments that send
 *   through ACS never need it, and the production bundle ships it as a file of its own (build/package.ts),
 *   which needs the require() below to stay literal and inside a function.
 */
import { createHash } from 'node:crypto';
import type { SecureContextOptions } from 'node:tls';
import type { SMTPPoolOptions, SMTPTransportOptions, Transporter } from 'nodemailer';
import { isPermanentSmtpRefusal } from '../domain/suppression';
import { TransientError } from '../errors';
import { RecipientRejectedError, type EmailSender, type OutgoingEmail, type SendResult } from '../ports';

export interface SmtpEmailSenderOptions {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (usually port 465). */
  secure: boolean;
  /** Refuse to send unless STARTTLS succeeds (for relays on 587/25 that must not see plain text). */
  requireTLS?: boolean;
  auth?: { user: string; pass: string };
  /** From address; its domain is also the Message-ID's right-hand side. */
  senderAddress: string;
  tls?: {
    /** Default true. Turn off only for a local relay with a self-signed certificate; prefer `ca`. */
    rejectUnauthorized?: boolean;
    /** Extra trusted CA certificate(s), PEM. */
    ca?: SecureContextOptions['ca'];
    /** Certificate name to verify when `host` is an IP address or an alias. */
    servername?: string;
  };
  /** TCP connect timeout. Default 10 s. */
  connectionTimeoutMs?: number;
  /** Wait for the server greeting. Default 10 s. */
  greetingTimeoutMs?: number;
  /** Idle socket timeout during the session. Default 10 s. */
  socketTimeoutMs?: number;
  /** Keep connections open between sends (relays that accept many messages per connection). */
  pool?: boolean | { maxConnections?: number };
  /** How long a sent key is remembered in this process. Default 24 h. */
  dedupeWindowMs?: number;
  /** Most keys remembered; the oldest are forgotten first. Default 10,000. */
  dedupeMaxKeys?: number;
}

export const SMTP_UNAVAILABLE_BACKOFF_SECONDS = 30;

/** Network-level failures: nothing is wrong with the message, the relay is unreachable or slow. */
const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROXY',
  'EMAXLIMIT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

export class SmtpEmailSender implements EmailSender {
  private readonly transporter: Transporter;
  private readonly senderAddress: string;
  private readonly messageIdDomain: string;
  private readonly dedupeWindowMs: number;
  private readonly dedupeMaxKeys: number;
  private readonly recent = new Map<string, { result: Promise<SendResult>; at: number }>();

  constructor(options: SmtpEmailSenderOptions) {
    this.senderAddress = options.senderAddress;
    const at = options.senderAddress.lastIndexOf('@');
    if (at < 1 || at === options.senderAddress.length - 1)
      throw new Error('senderAddress must be an email address');
    this.messageIdDomain = options.senderAddress.slice(at + 1).toLowerCase();
    this.dedupeWindowMs = options.dedupeWindowMs ?? 24 * 60 * 60 * 1000;
    this.dedupeMaxKeys = options.dedupeMaxKeys ?? 10_000;

    const common: SMTPTransportOptions = {
      host: options.host,
      port: options.port,
      secure: options.secure,
      requireTLS: options.requireTLS ?? false,
      auth: options.auth ? { user: options.auth.user, pass: options.auth.pass } : undefined,
      tls: {
        rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
        minVersion: 'TLSv1.2',
        ca: options.tls?.ca,
        servername: options.tls?.servername,
      },
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      greetingTimeout: options.greetingTimeoutMs ?? 10_000,
      socketTimeout: options.socketTimeoutMs ?? 10_000,
      dnsTimeout: options.connectionTimeoutMs ?? 10_000,
      // Our messages have no attachments; never let content make nodemailer read files or fetch URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    };
    const nodemailer = loadNodemailer();
    if (options.pool) {
      const pool: SMTPPoolOptions & { pool: true } = {
        ...common,
        pool: true,
        maxConnections: typeof options.pool === 'object' ? (options.pool.maxConnections ?? 2) : 2,
      };
      this.transporter = nodemailer.createTransport(pool);
    } else {
      this.transporter = nodemailer.createTransport(common);
    }
  }

  send(email: OutgoingEmail): Promise<SendResult> {
    const now = Date.now();
    const previous = this.recent.get(email.idempotencyKey);
    if (previous && now - previous.at < this.dedupeWindowMs) return previous.result;

    const result = this.deliver(email);
    this.remember(email.idempotencyKey, result, now);
    // A failed send must be retryable with the same key.
    result.catch(() => {
      if (this.recent.get(email.idempotencyKey)?.result === result) this.recent.delete(email.idempotencyKey);
    });
    return result;
  }

  /** Releases pooled connections. */
  close(): void {
    this.transporter.close();
  }

  /** `<sha256-hex(idempotencyKey)@sender-domain>`: stable per logical email, reveals nothing about it. */
  messageIdFor(idempotencyKey: string): string {
    return `<${createHash('sha256').update(idempotencyKey, 'utf8').digest('hex')}@${this.messageIdDomain}>`;
  }

  private async deliver(email: OutgoingEmail): Promise<SendResult> {
    if (!isSinglePlainAddress(email.to)) throw new Error('Recipient is not a single plain email address');
    const messageId = this.messageIdFor(email.idempotencyKey);
    try {
      await this.transporter.sendMail({
        from: this.senderAddress,
        // Object form: a string would be parsed as an address *list*.
        to: { name: '', address: email.to },
        envelope: { from: this.senderAddress, to: [email.to] },
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId,
      });
      return { messageId };
    } catch (error) {
      throw toSendError(error);
    }
  }

  private remember(key: string, result: Promise<SendResult>, at: number): void {
    this.recent.delete(key); // re-insert at the end (Map keeps insertion order)
    this.recent.set(key, { result, at });
    while (this.recent.size > this.dedupeMaxKeys) {
      const oldest = this.recent.keys().next();
      if (oldest.done) break;
      this.recent.delete(oldest.value);
    }
  }
}

function loadNodemailer(): typeof import('nodemailer') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (see the header)
  return require('nodemailer') as typeof import('nodemailer');
}

function isSinglePlainAddress(address: string): boolean {
  // Upstream validation is stricter; this only guarantees one mailbox and no header/SMTP injection.
  return /^[^\s@,;:<>()[\]"\\]+@[^\s@,;:<>()[\]"\\]+$/.test(address);
}

/** Maps nodemailer errors to the port's contract. Messages carry codes only: servers echo recipient addresses. */
function toSendError(error: unknown): Error {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    responseCode?: unknown;
    command?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const command = typeof e.command === 'string' ? ` at ${e.command.split(' ')[0] ?? ''}` : '';
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 600) {
    const transient = !isPermanentSmtpRefusal(responseCode);
    // The recipient itself refused for good (550 "no such user" at RCPT TO): the address bounced.
    if (!transient && command.startsWith(' at RCPT')) return new RecipientRejectedError(responseCode);
    return transient
      ? new TransientError(
          `SMTP relay deferred the message (${responseCode}${command})`,
          SMTP_UNAVAILABLE_BACKOFF_SECONDS,
        )
      : new Error(`SMTP relay rejected the message (${responseCode}${command})`);
  }
  if (code && TRANSIENT_CODES.has(code)) {
    return new TransientError(`SMTP relay unreachable (${code})`, SMTP_UNAVAILABLE_BACKOFF_SECONDS);
  }
  return new Error(`SMTP send failed (${code ?? 'unknown error'})`);
}
