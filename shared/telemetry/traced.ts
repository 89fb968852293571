/**
 * Port decorators that give every outgoing call a client span, whatever adapter sits behind the port:
 * Graph (the SDK client emits no spans of its own), SMTP (nodemailer neither) and queue sends, which also
 * put the active trace context INSIDE the message so the consumer continues the same trace.
 */
import type { Directory, EmailSender, OutgoingEmail, QueuePublisher, SendResult, Tracing } from '../ports';
import type { QueueMessages } from '../contracts/queues';
import type { QueueName } from '../storageNames';

export class TracedQueuePublisher implements QueuePublisher {
  constructor(
    private readonly inner: QueuePublisher,
    private readonly tracing: Tracing,
  ) {}

  send<Q extends QueueName>(
    queue: Q,
    message: QueueMessages[Q],
    options?: { visibilityDelaySeconds?: number },
  ): Promise<void> {
    return this.tracing.inSpan(
      `${queue} send`,
      {
        kind: 'producer',
        attributes: { 'messaging.system': 'azure_storage_queue', 'messaging.destination.name': queue },
      },
      // The message's own traceparent (a re-queued one) is replaced: the new hop continues from here.
      () => this.inner.send(queue, { ...message, ...this.tracing.currentContext() }, options),
    );
  }
}

export class TracedDirectory implements Directory {
  constructor(
    private readonly inner: Directory,
    private readonly tracing: Tracing,
  ) {}

  private call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    // Operation names only: ids and addresses stay out of span names and attributes.
    return this.tracing.inSpan(
      `graph ${operation}`,
      { kind: 'client', attributes: { 'peer.service': 'microsoft-graph', 'graph.operation': operation } },
      fn,
    );
  }

  findUserByEmail(email: string) {
    return this.call('findUserByEmail', () => this.inner.findUserByEmail(email));
  }
  inviteGuest(input: { email: string; displayName: string; redirectUrl: string }) {
    return this.call('inviteGuest', () => this.inner.inviteGuest(input));
  }
  addToGroup(groupId: string, userId: string) {
    return this.call('addToGroup', () => this.inner.addToGroup(groupId, userId));
  }
  removeFromGroup(groupId: string, userId: string) {
    return this.call('removeFromGroup', () => this.inner.removeFromGroup(groupId, userId));
  }
  groupExists(groupId: string) {
    return this.call('groupExists', () => this.inner.groupExists(groupId));
  }
  deleteUser(userId: string) {
    return this.call('deleteUser', () => this.inner.deleteUser(userId));
  }
}

export class TracedEmailSender implements EmailSender {
  constructor(
    private readonly inner: EmailSender,
    private readonly tracing: Tracing,
    private readonly transport: 'acs' | 'smtp',
  ) {}

  send(email: OutgoingEmail): Promise<SendResult> {
    return this.tracing.inSpan(
      `email send`,
      { kind: 'client', attributes: { 'email.transport': this.transport } },
      () => this.inner.send(email),
    );
  }
}
