/** Random bodies, content types and ids against every public endpoint: never a 5xx (req 33). */
import { HttpRequest } from '@azure/functions';
import fc from 'fast-check';

import { makeSignupResend } from '../../functions/signupResend';
import { makeSignupStart } from '../../functions/signupStart';
import { makeSignupStatus } from '../../functions/signupStatus';
import { makeSignupVerify } from '../../functions/signupVerify';
import { httpFunction } from '../../shared/httpFunction';
import { settingsFromConfig } from '../../shared/container';
import { testConfig } from '../support/builders';
import { testWorld } from '../support/testWorld';

const { http } = settingsFromConfig(testConfig());

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const world = testWorld({
  settings: { ipStartsPerMinute: 1e5, ipStartsPerHour: 1e5, ipVerifiesPerMinute: 1e5 },
});
const d = { signupService: world.signupService, http };
const handlers = {
  start: httpFunction(makeSignupStart(d)),
  verify: httpFunction(makeSignupVerify(d)),
  resend: httpFunction(makeSignupResend(d)),
  status: httpFunction(makeSignupStatus(d)),
};

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const body = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  jsonValue.map((v) => JSON.stringify(v)),
  fc
    .record({
      email: fc.oneof(fc.emailAddress(), fc.string({ unit: 'grapheme' })),
      locale: fc.option(fc.string(), { nil: undefined }),
    })
    .map((v) => JSON.stringify(v)),
  fc.record({ code: fc.oneof(fc.stringMatching(/^\d{6}$/), fc.string()) }).map((v) => JSON.stringify(v)),
  fc.constant(''),
  fc.nat(20_000).map((n) => JSON.stringify({ email: 'x'.repeat(n) })),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  '',
  'APPLICATION/JSON',
);
// Header values a client can send: printable ASCII (the Headers class refuses the rest).
const headerValue = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 80,
});
const signupId = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.base64String({ minLength: 24, maxLength: 24 }),
);

test.each(Object.keys(handlers) as Array<keyof typeof handlers>)(
  `%s: ${RUNS} random requests, never a 5xx`,
  async (name) => {
    await fc.assert(
      fc.asyncProperty(
        body,
        contentType,
        signupId,
        fc.string({ maxLength: 60 }),
        headerValue,
        async (b, ct, id, xff, h) => {
          const req = new HttpRequest({
            method: name === 'status' ? 'GET' : 'POST',
            url: `http://localhost/api/signups/${encodeURIComponent(id)}`,
            headers: {
              ...(ct ? { 'content-type': ct } : {}),
              'x-forwarded-for': xff,
              'accept-language': h,
              origin: h,
              'content-length': String(h.length),
            },
            body: name === 'status' ? undefined : { string: b },
            params: { signupId: id },
          });
          const res = await handlers[name](req, world.context(name));
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS, seed: 20261125 },
    );
  },
);
