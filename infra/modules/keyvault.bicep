// Key Vault holding CODE_HMAC_SECRET. RBAC mode (no access policies), soft delete + purge protection, and
// the app identity may only read secrets. The app setting refers to the secret by a versionless Key Vault
// reference, so a rotated secret reaches the app without a redeployment.

@description('Key Vault name (3-24 letters, digits and hyphens, globally unique).')
param name string

param location string
param tags object

@description('Principal id of the app identity (gets Key Vault Secrets User).')
param principalId string

@description('Name of the secret that holds CODE_HMAC_SECRET.')
@minLength(1)
param secretName string

@description('''Write the secret in this deployment. Writing it again REPLACES the key: every pending code and every
keyed address hash (rate limits, address lookups) stops matching. deploy.sh sets this to false once the secret
exists; set it to true only to rotate on purpose.''')
param writeSecret bool

@secure()
@description('Value to write when writeSecret is true (at least 32 characters).')
param secretValue string

@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault Secrets User

resource vault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true // irreversible by design: a deleted key can be recovered, never purged early
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled' // Flex cannot resolve Key Vault references to a network-restricted vault
  }
}

resource secret 'Microsoft.KeyVault/vaults/secrets@2025-05-01' = if (writeSecret) {
  parent: vault
  name: secretName
  properties: {
    value: secretValue
    contentType: 'text/plain; purpose=CODE_HMAC_SECRET'
    attributes: {
      enabled: true
    }
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
// Versionless: App Service re-reads the latest version (within 24 h, or at once on a config change).
output hmacKeyVaultReference string = '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/${secretName}/)'
