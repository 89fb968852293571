// Storage for the Functions host and the app: keyless (Entra ID only), TLS 1.2+, nothing public.
// Every table and queue the code uses is declared here, poison queues included, so a deployment never
// depends on the app creating them at run time (infraDrift.test.ts checks the lists against
// shared/storageNames.ts).

@description('Storage account name (3-24 lowercase letters and digits, globally unique).')
param name string

param location string
param tags object

@description('Principal id of the app identity that gets data-plane roles on this account.')
param principalId string

@description('Blob container Flex Consumption deploys the app package into.')
param deploymentContainerName string

// Keep equal to TABLES in shared/storageNames.ts.
var tableNames = [
  'signups'
  'signupaddresses'
  'ratelimits'
  'budgets'
  'policy'
  'audit'
  'guests'
  'challenges'
  'suppressions'
]

// Keep equal to QUEUES in shared/storageNames.ts. The Functions host moves a message to
// `<queue>-poison` after maxDequeueCount (host.json) failures; declaring the poison queues up front lets the
// poison handlers bind at start-up instead of waiting for the first failure.
var queueNames = [
  'signup-email'
  'signup-email-poison'
  'signup-provision'
  'signup-provision-poison'
]

// Built-in role ids (Azure built-in roles reference, storage category).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // host locks/secrets + Flex deployment package
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // queue triggers, outputs, SDK enqueue
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // sign-up state, rate limits, audit
}

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowSharedKeyAccess: false // no account keys, no SAS: managed identity only
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled' // Flex without VNet integration reaches storage over its public endpoint
    accessTier: 'Hot'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

resource roleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in items(roles): {
    name: guid(account.id, principalId, roleId.value)
    scope: account
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId.value)
      principalId: principalId
      principalType: 'ServicePrincipal' // skips the Entra lookup that fails while a new identity replicates
    }
  }
]

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output deploymentContainerUrl string = '${account.properties.primaryEndpoints.blob}${deploymentContainer.name}'
