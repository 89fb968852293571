import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { createAzureCredential, createGraphCredential } from '../../shared/adapters/credential';

describe('Azure credentials (security review I2, least privilege H3)', () => {
  it('uses only the managed identity in Azure, so stray AZURE_* variables cannot change the identity', () => {
    const inAzure = { WEBSITE_SITE_NAME: 'func-rms-prod', AZURE_CLIENT_SECRET: 'stray' };
    expect(createAzureCredential('11111111-1111-4111-8111-111111111111', inAzure)).toBeInstanceOf(
      ManagedIdentityCredential,
    );
    expect(createAzureCredential(undefined, inAzure)).toBeInstanceOf(ManagedIdentityCredential);
  });

  it('uses developer credentials outside Azure', () => {
    expect(createAzureCredential(undefined, {})).toBeInstanceOf(DefaultAzureCredential);
  });

  it('gives Graph its own identity when GRAPH_CLIENT_ID is set, the app identity otherwise', () => {
    const app = new DefaultAzureCredential();
    expect(createGraphCredential('22222222-2222-4222-8222-222222222222', () => app)).toBeInstanceOf(
      ManagedIdentityCredential,
    );
    expect(createGraphCredential(undefined, () => app)).toBe(app);
  });
});
