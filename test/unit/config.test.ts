import { readFileSync } from 'node:fs';
import path from 'node:path';

import { ConfigError, parseConfig, SETTINGS, settingsTable } from '../../shared/config';

const root = path.join(__dirname, '..', '..');
const example = JSON.parse(readFileSync(path.join(root, 'local.settings.example.json'), 'utf8')) as {
  Values: Record<string, string>;
};

describe('configuration', () => {
  test('local.settings.example.json lists every setting and is a working local configuration', () => {
    for (const key of Object.keys(SETTINGS)) expect(Object.keys(example.Values)).toContain(key);
    const config = parseConfig(example.Values);
    expect(config.EMAIL_TRANSPORT).toBe('smtp');
    expect(config.CODE_TTL_MINUTES).toBe(10);
    expect(config.ORGANIZATION_DOMAINS).toEqual(['contoso.com']);
  });

  test('one error names every missing or invalid key', () => {
    let error: unknown;
    try {
      parseConfig({ CODE_TTL_MINUTES: '2000', BRAND_ACCENT_COLOR: 'red', EMAIL_TRANSPORT: 'pigeon' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const key of [
      'CODE_HMAC_SECRET',
      'CODE_TTL_MINUTES',
      'BRAND_ACCENT_COLOR',
      'EMAIL_TRANSPORT',
      'AzureWebJobsStorage',
    ]) {
      expect(message).toContain(key);
    }
  });

  test('ACS needs an endpoint; a static Graph token is refused for the real Graph', () => {
    const base = {
      ...example.Values,
      EMAIL_TRANSPORT: 'acs',
      ACS_ENDPOINT: '',
      GRAPH_BASE_URL: 'https://graph.microsoft.com',
    };
    expect(() => parseConfig(base)).toThrow(
      /ACS_ENDPOINT.*GRAPH_STATIC_TOKEN|GRAPH_STATIC_TOKEN.*ACS_ENDPOINT/s,
    );
  });

  test('domain lists are normalised (IDNA, case) and a typo fails at start-up', () => {
    const config = parseConfig({ ...example.Values, BLOCKED_DOMAINS: ' Bücher.Example.COM , @fabrikam.com' });
    expect(config.BLOCKED_DOMAINS).toEqual(['xn--bcher-kva.example.com', 'fabrikam.com']);
    expect(() => parseConfig({ ...example.Values, ALLOWED_DOMAINS: 'contoso..com' })).toThrow(
      /ALLOWED_DOMAINS has an invalid domain/,
    );
  });

  test('an unresolved Key Vault reference is refused instead of becoming a predictable secret', () => {
    const ref = '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/code-hmac/)';
    expect(() => parseConfig({ ...example.Values, CODE_HMAC_SECRET: ref })).toThrow(
      /CODE_HMAC_SECRET is an unresolved Key Vault reference/,
    );
  });

  test('PARTNER_GROUP_IDS takes comma-separated object ids and refuses anything else', () => {
    const config = parseConfig({
      ...example.Values,
      PARTNER_GROUP_IDS: ' 11111111-1111-4111-8111-111111111111 ,22222222-2222-4222-8222-22222222222A',
    });
    expect(config.PARTNER_GROUP_IDS).toEqual([
      '11111111-1111-4111-8111-111111111111',
      '22222222-2222-4222-8222-22222222222a',
    ]);
    expect(config.APPROVAL_TTL_DAYS).toBe(7);
    expect(() => parseConfig({ ...example.Values, PARTNER_GROUP_IDS: 'all-staff' })).toThrow(
      /PARTNER_GROUP_IDS/,
    );
  });

  test('an environment variable overrides the example value (empty means unset)', () => {
    const config = parseConfig({ ...example.Values, CODE_TTL_MINUTES: '15', BRAND_LOGO_URL: '' });
    expect(config.CODE_TTL_MINUTES).toBe(15);
    expect(config.BRAND_LOGO_URL).toBeUndefined();
  });

  test('the README configuration table matches the schema', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const between = /<!-- settings:start -->([\s\S]*?)<!-- settings:end -->/.exec(readme)?.[1] ?? '';
    // Compare cells, not padding: the formatter may align the table.
    const cells = (table: string) =>
      table
        .split('\n')
        .filter((line) => line.trim().startsWith('|') && !/^\|[\s|:-]+\|$/.test(line.trim()))
        .map((line) =>
          line
            .split('|')
            .map((c) => c.trim())
            .join('|'),
        );
    expect(cells(between)).toEqual(cells(settingsTable()));
  });
});
