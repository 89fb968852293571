/** The Event Grid function over the real programming model: a real InvocationContext, the test world's services. */
import { emailHashOf } from '../../shared/services/revocationService';
import { makeEmailDeliveryReport } from '../../functions/emailDeliveryReport';
import { aDeliveryReport, uniqueEmail } from '../support/builders';
import { testWorld } from '../support/testWorld';

describe('emailDeliveryReport', () => {
  test('a Bounced report suppresses the recipient by its HMAC and logs no address', async () => {
    const world = testWorld();
    const email = uniqueEmail();
    const handler = makeEmailDeliveryReport(world);
    await handler(aDeliveryReport(email, 'Bounced') as never, world.context('emailDeliveryReport'));
    expect(await world.bounceService.isSuppressed(emailHashOf(world.settings.secret, email))).toBe(true);
    const logged = world.sink.lines.join('\n');
    expect(logged).toContain('email_bounced');
    expect(logged).not.toContain(email);
  });

  test('a Delivered report and an unknown event type suppress nothing', async () => {
    const world = testWorld();
    const email = uniqueEmail();
    const handler = makeEmailDeliveryReport(world);
    await handler(aDeliveryReport(email, 'Delivered') as never, world.context('emailDeliveryReport'));
    await handler(
      { id: 'x', eventType: 'Microsoft.Storage.BlobCreated', data: {} } as never,
      world.context('emailDeliveryReport'),
    );
    expect(await world.suppressions.countActive(world.clock.now())).toBe(0);
    expect(world.sink.lines.join('\n')).toContain('event_ignored');
  });

  test('a storage failure fails the invocation, so Event Grid redelivers', async () => {
    const world = testWorld();
    world.suppressions.suppress = () => Promise.reject(new Error('storage down'));
    const handler = makeEmailDeliveryReport(world);
    await expect(
      handler(aDeliveryReport(uniqueEmail(), 'Failed') as never, world.context('emailDeliveryReport')),
    ).rejects.toThrow('storage down');
  });
});
