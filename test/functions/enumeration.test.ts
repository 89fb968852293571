/** Start must not reveal whether an address has an account or is throttled (req 23). */
import { HttpRequest, type HttpResponseInit } from '@azure/functions';

import { makeSignupStart } from '../../functions/signupStart';
import { httpFunction } from '../../shared/httpFunction';
import { settingsFromConfig } from '../../shared/container';
import { testConfig, uniqueEmail } from '../support/builders';
import { testWorld } from '../support/testWorld';

const { http } = settingsFromConfig(testConfig());

const shape = (res: HttpResponseInit) => ({
  status: res.status,
  keys: Object.keys(JSON.parse(res.body as string) as object).sort(),
  headers: Object.keys(res.headers as object).sort(),
});

test('new, existing-guest, existing-member and recipient-throttled addresses get the same answer (req 23)', async () => {
  const world = testWorld({ settings: { ipStartsPerMinute: 1000, ipStartsPerHour: 1000 } });
  const start = httpFunction(makeSignupStart({ signupService: world.signupService, http }));
  const call = (email: string) =>
    start(
      new HttpRequest({
        method: 'POST',
        url: 'http://localhost/api/signups',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.5' },
        body: { string: JSON.stringify({ email }) },
      }),
      world.context('signupStart'),
    );

  const guest = uniqueEmail('fabrikam.com');
  const member = uniqueEmail('fabrikam.com');
  const throttled = uniqueEmail('fabrikam.com');
  world.directory.seedGuest(guest);
  world.directory.seedMember(member);
  for (let i = 0; i < 6; i++) {
    await call(throttled);
    await world.deliverEmails();
    world.clock.advance(61_000);
  }
  expect(world.sender.deliveredTo(throttled)).toHaveLength(5);

  const answers = await Promise.all([uniqueEmail('fabrikam.com'), guest, member, throttled].map(call));
  const [fresh, ...others] = answers.map(shape);
  expect(fresh).toEqual({
    status: 202,
    keys: ['codeExpiresAt', 'estimatedCodeAt', 'resendAvailableAt', 'signupId', 'status'],
    headers: expect.any(Array),
  });
  for (const other of others) expect(other).toEqual(fresh);
  expect(world.directory.calls).toHaveLength(0); // start never asks Graph
});
