/**
 * Bounces and the suppression list: which delivery reports suppress, how reports parse, and what a
 * suppressed address means for its next code email (no email, the status says undeliverable, the start
 * answer unchanged).
 */
import { EmailDeliveryReport } from '../../shared/contracts/events';
import { Signup } from '../../shared/contracts/http';
import { isPermanentSmtpRefusal, reportAction, suppressionOf } from '../../shared/domain/suppression';
import { RecipientRejectedError } from '../../shared/ports';
import { emailHashOf } from '../../shared/services/revocationService';
import { aDeliveryReport, uniqueEmail } from '../support/builders';
import { testWorld } from '../support/testWorld';

describe('suppression decisions', () => {
  test.each([
    ['Bounced', 'suppress'],
    ['Failed', 'suppress'],
    ['Suppressed', 'suppress'],
    ['Delivered', 'count'],
    ['Quarantined', 'count'],
    ['FilteredSpam', 'count'],
    ['Expanded', 'count'],
    ['SomethingNew', 'count'],
  ])('an ACS report with status %s → %s', (status, action) => {
    expect(reportAction(status)).toBe(action);
  });

  test('SMTP: 5xx refuses for good except 503; 4xx is transient', () => {
    expect([550, 551, 553, 554].every(isPermanentSmtpRefusal)).toBe(true);
    expect([503, 450, 451, 452, 421].some(isPermanentSmtpRefusal)).toBe(false);
  });

  test('a suppression lasts EMAIL_SUPPRESSION_DAYS from now and keeps only the hash', () => {
    const s = suppressionOf({
      addressHash: 'h',
      reason: 'bounced',
      source: 'acs:Bounced',
      now: new Date('2026-11-25T12:00:00.000Z'),
      days: 30,
    });
    expect(s).toEqual({
      addressHash: 'h',
      reason: 'bounced',
      source: 'acs:Bounced',
      suppressedAt: '2026-11-25T12:00:00.000Z',
      suppressedUntil: '2026-12-25T12:00:00.000Z',
    });
  });
});

describe('delivery report schema', () => {
  test('parses the Event Grid event ACS sends', () => {
    const parsed = EmailDeliveryReport.parse(aDeliveryReport('a@fabrikam.com', 'Bounced'));
    expect(parsed.data).toMatchObject({ recipient: 'a@fabrikam.com', status: 'Bounced' });
    expect(parsed.data.deliveryStatusDetails?.statusMessage).toContain('550');
  });

  test('refuses a report without recipient or status, and another event type', () => {
    const noRecipient = aDeliveryReport('a@fabrikam.com', 'Bounced');
    delete (noRecipient.data as Partial<typeof noRecipient.data>).recipient;
    expect(EmailDeliveryReport.safeParse(noRecipient).success).toBe(false);
    expect(
      EmailDeliveryReport.safeParse({ ...aDeliveryReport('a@fabrikam.com', ''), eventType: 'x' }).success,
    ).toBe(false);
    expect(
      EmailDeliveryReport.safeParse(
        aDeliveryReport('a@fabrikam.com', 'Bounced', {
          eventType: 'Microsoft.Communication.EmailEngagementTrackingReportReceived',
        }),
      ).success,
    ).toBe(false);
  });
});

describe('bounce service and the code email', () => {
  test('a Bounced report suppresses the address by its HMAC; its next code email is not sent and the status says undeliverable', async () => {
    const world = testWorld();
    const email = uniqueEmail();
    const outcome = await world.bounceService.handleReport(aDeliveryReport(email, 'Bounced'), world.log);
    expect(outcome).toEqual({ action: 'suppressed', status: 'Bounced' });
    const entry = await world.suppressions.get(emailHashOf(world.settings.secret, email), world.clock.now());
    expect(entry?.reason).toBe('bounced');
    expect(await world.suppressions.countActive(world.clock.now())).toBe(1);
    expect(JSON.stringify(entry)).not.toContain(email.split('@')[0]);

    const started = await world.signupService.start(
      { email, ip: '203.0.113.9', correlationId: 'c' },
      world.log,
    );
    await world.deliverEmails();
    expect(world.sender.attempts.filter((a) => a.to === email)).toHaveLength(0);
    const view = await world.signupService.status(started.signupId);
    expect(view).toMatchObject({ status: 'pending_verification', emailFailed: 'undeliverable' });
    expect(view.estimatedCodeAt).toBeUndefined();
    expect(Signup.safeParse(view).success).toBe(true);
  });

  test('start answers a suppressed address exactly like any other (no enumeration, req 23)', async () => {
    const world = testWorld();
    const suppressed = uniqueEmail();
    const other = uniqueEmail();
    await world.bounceService.handleReport(aDeliveryReport(suppressed, 'Failed'), world.log);
    const a = await world.signupService.start(
      { email: suppressed, ip: '203.0.113.9', correlationId: 'c' },
      world.log,
    );
    const b = await world.signupService.start(
      { email: other, ip: '203.0.113.9', correlationId: 'c' },
      world.log,
    );
    const shape = (v: object) => Object.keys(v).sort();
    expect(shape(a)).toEqual(shape(b));
    expect(a.status).toBe(b.status);
  });

  test('Delivered and other statuses are only counted; unknown event types are ignored and logged', async () => {
    const world = testWorld();
    const email = uniqueEmail();
    expect(await world.bounceService.handleReport(aDeliveryReport(email, 'Delivered'), world.log)).toEqual({
      action: 'counted',
      status: 'Delivered',
    });
    expect(
      await world.bounceService.handleReport(
        { id: '1', eventType: 'Microsoft.Storage.BlobCreated', data: {} },
        world.log,
      ),
    ).toEqual({ action: 'ignored', reason: 'event_type' });
    expect(world.sink.lines.join('\n')).toContain('event_ignored');
    expect(await world.suppressions.countActive(world.clock.now())).toBe(0);
    const started = await world.signupService.start(
      { email, ip: '203.0.113.9', correlationId: 'c' },
      world.log,
    );
    await world.deliverEmails();
    expect(world.sender.deliveredTo(email)).toHaveLength(1);
    expect((await world.signupService.status(started.signupId)).emailFailed).toBeUndefined();
  });

  test('a repeated report (at-least-once delivery) keeps one entry and counts one bounce; the suppression ends after its days', async () => {
    const world = testWorld();
    const email = uniqueEmail();
    await world.bounceService.handleReport(aDeliveryReport(email, 'Bounced'), world.log);
    await world.bounceService.handleReport(aDeliveryReport(email, 'Bounced'), world.log);
    expect(await world.suppressions.countActive(world.clock.now())).toBe(1);
    // Counted once: the same event delivered twice is one bounce; another report for the address is another.
    expect((await world.bounceService.counts()).lastHour).toBe(1);
    await world.bounceService.handleReport(aDeliveryReport(email, 'Bounced', { id: 'evt-2' }), world.log);
    expect((await world.bounceService.counts()).lastHour).toBe(2);
    expect(await world.bounceService.isSuppressed(emailHashOf(world.settings.secret, email))).toBe(true);
    world.clock.advance(31 * 86_400_000);
    expect(await world.bounceService.isSuppressed(emailHashOf(world.settings.secret, email))).toBe(false);
  });

  test('an SMTP 550 for the recipient suppresses it and drops the code email without a retry', async () => {
    const world = testWorld();
    const email = uniqueEmail();
    const { signupId } = await world.signupService.start(
      { email, ip: '203.0.113.9', correlationId: 'c' },
      world.log,
    );
    world.sender.failNext(1, () => new RecipientRejectedError(550));
    const [message] = world.queue.take('signup-email');
    const outcome = await world.emailService.handle(message?.message as never, world.log);
    expect(outcome).toEqual({ action: 'dropped', reason: 'undeliverable' });
    expect(world.sender.attempts).toHaveLength(1);
    expect(
      await world.suppressions.get(emailHashOf(world.settings.secret, email), world.clock.now()),
    ).toMatchObject({
      reason: 'smtp_permanent',
      source: expect.stringMatching(/^smtp:550:/) as unknown,
    });
    expect((await world.signupService.status(signupId)).emailFailed).toBe('undeliverable');
  });

  test('admin stats count bounces in the last hour and day, and the addresses suppressed now', async () => {
    const world = testWorld();
    await world.bounceService.handleReport(aDeliveryReport(uniqueEmail(), 'Bounced'), world.log);
    world.clock.advance(2 * 3600_000);
    await world.bounceService.handleReport(aDeliveryReport(uniqueEmail(), 'Suppressed'), world.log);
    await world.bounceService.handleReport(aDeliveryReport(uniqueEmail(), 'Delivered'), world.log);
    expect(await world.bounceService.counts()).toEqual({ lastHour: 1, last24h: 2, suppressed: 2 });
  });
});
