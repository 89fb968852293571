import { randomBytes } from 'node:crypto';

import { EMAIL_DELIVERY_REPORT_EVENT } from '../../shared/contracts/events';
import { type Config, parseConfig } from '../../shared/config';
import { newSignupId } from '../../shared/domain/codes';
import { newFlow, type SignupFlow } from '../../shared/domain/signupFlow';
import type { SignupSettings } from '../../shared/services/signupService';

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123';

export function uniqueEmail(domain = 'contoso-test.com'): string {
  return `person.${randomBytes(4).toString('hex')}@${domain}`;
}

export function aSignup(
  overrides: Partial<SignupFlow> = {},
  now = new Date('2026-11-25T12:00:00.000Z'),
): SignupFlow {
  const email = overrides.email ?? uniqueEmail();
  return {
    ...newFlow({
      signupId: newSignupId(),
      email,
      canonicalEmail: email.toLowerCase(),
      addressKey: `addr-${randomBytes(6).toString('hex')}`,
      domain: email.split('@')[1] ?? 'contoso-test.com',
      locale: 'en',
      correlationId: 'test-correlation',
      now,
      flowTtlHours: 24,
    }),
    ...overrides,
  };
}

export function someSignupSettings(overrides: Partial<SignupSettings> = {}): SignupSettings {
  return {
    secret: TEST_SECRET,
    codeTtlMinutes: 10,
    codeMaxSubmissions: 5,
    flowMaxFailures: 10,
    resendCooldownSeconds: 60,
    flowTtlHours: 24,
    emailBudgetPerMinute: 30,
    emailBudgetPerHour: 100,
    emailDomainShare: 0.2,
    ipStartsPerMinute: 10,
    ipStartsPerHour: 50,
    ipVerifiesPerMinute: 30,
    // Far above any test's starts; the start-budget tests set their own.
    startBudgetPerMinute: 100_000,
    startBudgetPerHour: 1_000_000,
    defaultLocale: 'en',
    supportContact: 'help@contoso.example',
    organizationName: 'Contoso',
    ...overrides,
  };
}

/** A valid configuration for function tests (no I/O happens with it: services are wired to fakes). */
export function testConfig(extra: Record<string, string> = {}): Config {
  return parseConfig({
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    CODE_HMAC_SECRET: TEST_SECRET,
    TENANT_ID: '00000000-0000-4000-8000-0000000e2e00',
    EMAIL_TRANSPORT: 'smtp',
    TRUSTED_PROXY_HOPS: '1',
    ADMIN_AUDIENCE: 'api://rms-signup-test',
    ADMIN_CLIENT_ID: 'rms-signup-test-console',
    ADMIN_AUTHORITY: 'http://127.0.0.1:9/test-tenant/v2.0',
    ...extra,
  });
}

/** An ACS email delivery report as Event Grid delivers it (Event Grid schema). */
export function aDeliveryReport(recipient: string, status: string, overrides: Record<string, unknown> = {}) {
  return {
    id: `evt-${status}-${recipient}`,
    topic: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/acs',
    subject: `sender/DoNotReply@contoso.example/message/00000000-0000-4000-8000-000000000001`,
    eventType: EMAIL_DELIVERY_REPORT_EVENT,
    eventTime: '2026-11-25T12:00:00Z',
    dataVersion: '1.0',
    data: {
      sender: 'DoNotReply@contoso.example',
      recipient,
      messageId: '00000000-0000-4000-8000-000000000001',
      status,
      deliveryStatusDetails: { statusMessage: '550 5.1.1 mailbox unavailable' },
      deliveryAttemptTimeStamp: '2026-11-25T11:59:58Z',
    },
    ...overrides,
  };
}
