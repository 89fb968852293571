/**
 * Captures what the Azure Functions host would index: the real binding metadata of every function,
 * through the same `@azure/functions-core` seam the Node worker provides.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

const registered: Array<{ metadata: { name: string; bindings: Record<string, Record<string, unknown>> } }> =
  [];
jest.mock(
  '@azure/functions-core',
  () => ({
    setProgrammingModel: () => undefined,
    registerFunction: (metadata: never) => {
      registered.push({ metadata });
      return { dispose: () => undefined };
    },
    registerHook: () => ({ dispose: () => undefined }),
  }),
  { virtual: true },
);

const functionsDir = path.join(__dirname, '..', '..', 'functions');
const files = readdirSync(functionsDir).filter((f) => f.endsWith('.ts') && f !== 'index.ts');

beforeAll(() => {
  require('../../functions/index');
});

const byName = (name: string) => registered.find((r) => r.metadata.name === name)?.metadata;
const trigger = (name: string) =>
  Object.values(byName(name)?.bindings ?? {}).find((b) => b.direction === 'in');

test('functions/index.ts registers every function of every file in functions/, each file named after one of them', () => {
  const fromIndex = registered.map((r) => r.metadata.name).sort();
  registered.length = 0;
  jest.isolateModules(() => {
    for (const file of files) require(path.join(functionsDir, file));
  });
  const fromFiles = registered.map((r) => r.metadata.name).sort();
  expect(fromIndex).toEqual(fromFiles);
  expect(new Set(fromIndex).size).toBe(fromIndex.length);
  for (const file of files) expect(fromIndex).toContain(file.replace(/\.ts$/, ''));
  registered.push(...[]);
});

test.each([
  ['signupStart', 'api/signups', ['POST', 'OPTIONS']],
  ['signupVerify', 'api/signups/{signupId}/verify', ['POST', 'OPTIONS']],
  ['signupResend', 'api/signups/{signupId}/resend', ['POST', 'OPTIONS']],
  ['signupStatus', 'api/signups/{signupId}', ['GET']],
  ['health', 'api/health', ['GET']],
])('%s is an anonymous HTTP trigger on %s %j', (name, route, methods) => {
  expect(trigger(name)).toMatchObject({ type: 'httpTrigger', route, methods, authLevel: 'anonymous' });
});

test.each([
  ['emailSender', 'signup-email'],
  ['emailPoison', 'signup-email-poison'],
  ['provisioner', 'signup-provision'],
  ['provisionPoison', 'signup-provision-poison'],
])('%s is a queue trigger on %s over the AzureWebJobsStorage connection', (name, queueName) => {
  expect(trigger(name)).toMatchObject({ type: 'queueTrigger', queueName, connection: 'AzureWebJobsStorage' });
});

test('emailDeliveryReport is an Event Grid trigger (the name the Bicep subscription points at)', () => {
  expect(trigger('emailDeliveryReport')).toMatchObject({ type: 'eventGridTrigger' });
});
