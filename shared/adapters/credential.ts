import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';

/**
 * The app identity. In Azure (`WEBSITE_SITE_NAME` is set by App Service) only the managed identity, so a
 * stray `AZURE_CLIENT_SECRET` or similar variable cannot silently change who the app is (security review
 * I2); elsewhere developer credentials through DefaultAzureCredential. Created once per process by the
 * composition root.
 */
export function createAzureCredential(
  managedIdentityClientId?: string,
  env: NodeJS.ProcessEnv = process.env,
): TokenCredential {
  if (env.WEBSITE_SITE_NAME) {
    return managedIdentityClientId
      ? new ManagedIdentityCredential({ clientId: managedIdentityClientId })
      : new ManagedIdentityCredential();
  }
  return managedIdentityClientId
    ? new DefaultAzureCredential({ managedIdentityClientId })
    : new DefaultAzureCredential();
}

/**
 * The Graph identity: the dedicated user-assigned identity that alone holds the Graph app roles
 * (GRAPH_CLIENT_ID), or the app identity when none is configured (local development, older deployments).
 */
export function createGraphCredential(
  graphClientId: string | undefined,
  appCredential: () => TokenCredential,
): TokenCredential {
  return graphClientId ? new ManagedIdentityCredential({ clientId: graphClientId }) : appCredential();
}
