import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';

/**
 * Managed identity in Azure (the user-assigned identity's client id when given), developer credentials
 * elsewhere. Created once per process by the composition root.
 */
export function createAzureCredential(managedIdentityClientId?: string): TokenCredential {
  return managedIdentityClientId
    ? new DefaultAzureCredential({ managedIdentityClientId })
    : new DefaultAzureCredential();
}
