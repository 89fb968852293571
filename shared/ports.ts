/**
 * Ports: the small interfaces services depend on. Adapters in shared/adapters implement them over Azure;
 * fakes in test/support implement them in memory. Each method says what it promises.
 */
import type { QueueName } from './storageNames';

export interface Clock {
  now(): Date;
}

/** A stored value together with the ETag that every conditional write must carry. */
export type Versioned<T> = { value: T; etag: string };

/** Publishes ids-only JSON messages to a storage queue, base64-encoded like the Functions host expects. */
export interface QueuePublisher {
  send(queue: QueueName, message: Record<string, unknown>, options?: { visibilityDelaySeconds?: number }): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// Email

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /**
   * Stable per logical email (e.g. `<signupId>:code:<version>`). ACS uses it as `Operation-Id` and SMTP as
   * the Message-ID, so a retried send after a lost response does not deliver twice.
   */
  idempotencyKey: string;
}

export interface SendResult {
  /** Transport's id for the message (ACS operation id or SMTP message id). */
  messageId: string;
}

/**
 * Sends one email. Throws `TransientError` (from shared/errors) when the transport throttles (429,
 * `retryAfterSeconds` from Retry-After) or is unavailable (5xx, timeouts, connection refused), so callers can
 * re-queue; any other error is permanent.
 */
export interface EmailSender {
  send(email: OutgoingEmail): Promise<SendResult>;
}

// ---------------------------------------------------------------------------------------------------------
// Directory (Microsoft Entra through Graph)

export interface DirectoryUser {
  id: string;
  userType: 'Guest' | 'Member';
  mail?: string | null;
  userPrincipalName: string;
  externalUserState?: string | null;
}

export interface Invitation {
  userId: string;
  inviteRedeemUrl: string;
}

/**
 * What the provisioner needs from Entra. Every method throws `TransientError` on 429 (with Retry-After),
 * 503/504 and network failures; `DirectoryConflictError`-style 400s are mapped as documented per method.
 */
export interface Directory {
  /** Finds a user whose mail, userPrincipalName, otherMails or proxyAddresses equals the address. */
  findUserByEmail(email: string): Promise<DirectoryUser | undefined>;
  /** POST /invitations with sendInvitationMessage false; returns the (new or existing) guest. */
  inviteGuest(input: { email: string; displayName: string; redirectUrl: string }): Promise<Invitation>;
  /** Adds the user to the group; resolves `already_member` when Graph says it already is. Throws `NotFoundYetError` on 404. */
  addToGroup(groupId: string, userId: string): Promise<'added' | 'already_member'>;
  /** Deletes the user; resolves when it is already gone. */
  deleteUser(userId: string): Promise<void>;
}

/** Graph answered 404 for an object that should exist (replication lag right after creation). */
export class NotFoundYetError extends Error {
  override name = 'NotFoundYetError' as const;
}
