// The Function App on Flex Consumption (FC1, Linux, Node 22) with a user-assigned identity and
// identity-based storage. App settings live in a separate `config/appsettings` resource so they can use the
// site's own default host name (PUBLIC_BASE_URL) without a circular reference.
//
// Scale and concurrency, and why they keep Graph and ACS inside their limits (security-limits.md §4, req 59):
// - host.json caps every queue-triggered function at batchSize 4 + newBatchThreshold 2 = at most 6 messages
//   in flight per function per instance.
// - Flex scales each non-HTTP function on its own instances; `maximumInstanceCount` caps the whole app. With
//   the default of 5, at most 5 × 6 = 30 provisioning messages run at once. Each makes at most two Graph writes
//   (invitation, group member), and Graph allows 3,000 writes per 150 s (≈ 20/s) per app and tenant.
// - Concurrency alone cannot bound a *rate*, so the app also spends from shared budgets kept in the `budgets`
//   table (GRAPH_WRITES_PER_SECOND, EMAIL_BUDGET_PER_MINUTE/HOUR), which every instance honours. The instance
//   cap keeps the number of waiters small; the budgets are what hold Graph ≤ 20 writes/s and ACS ≤ 30/min,
//   100/h (5/min, 10/h on the Azure-managed domain).
// - HTTP functions only validate, rate-limit and enqueue; they never call Graph or ACS synchronously, so their
//   per-instance concurrency does not touch either limit.
// Regions that still enforce the old Flex minimum reject a maximumInstanceCount below 40
// ("InvalidMaximumInstanceCount"); deploy with 40 there: the shared budgets still hold the limits.

param name string
param planName string
param location string
param tags object

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (used by the storage, ACS and Graph clients).')
param identityClientId string

@description('Blob container URL for Flex deployment packages.')
param deploymentContainerUrl string

param blobEndpoint string
param queueEndpoint string
param tableEndpoint string
param appInsightsConnectionString string

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Per-instance HTTP concurrency. 0 keeps the platform default for the chosen memory size.')
@minValue(0)
@maxValue(1000)
param httpPerInstanceConcurrency int

@description('Always-ready instances for the HTTP group (reduces cold starts, billed while idle). 0 = none.')
@minValue(0)
param alwaysReadyHttpInstances int

@description('Custom host name of the landing page (CNAME to the app, bound separately). Empty: the default host name.')
param publicHostname string

@description('App settings computed by main.bicep (everything except the host/storage/telemetry settings).')
param applicationSettings object

@description('Extra or overriding settings from the operator (names from the README settings table).')
param settingOverrides object

// Optional parts are merged in only when set, so the platform defaults apply otherwise.
var baseScale = {
  maximumInstanceCount: maximumInstanceCount
  instanceMemoryMB: instanceMemoryMB
}
var alwaysReadyScale = alwaysReadyHttpInstances > 0 ? { alwaysReady: [{ name: 'http', instanceCount: alwaysReadyHttpInstances }] } : {}
var httpScale = httpPerInstanceConcurrency > 0 ? { triggers: { http: { perInstanceConcurrency: httpPerInstanceConcurrency } } } : {}
var scaleAndConcurrency = union(baseScale, alwaysReadyScale, httpScale)

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true // Linux
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId // resolve @Microsoft.KeyVault(...) settings as the user-assigned identity
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: scaleAndConcurrency
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// Deployments authenticate with Entra ID (az CLI and azd use a bearer token for Flex); no publishing passwords.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

var publicBaseUrl = empty(publicHostname) ? 'https://${site.properties.defaultHostName}' : 'https://${publicHostname}'

// Settings that depend on resources of this module: the host's identity-based storage connection, telemetry,
// and PUBLIC_BASE_URL (needs the site's host name). Flex rejects or ignores the classic deployment/runtime
// settings (FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE, WEBSITE_CONTENT*,
// SCM_DO_BUILD_DURING_DEPLOYMENT, ...): runtime and package location live in functionAppConfig above.
// drift:app-settings (test/unit/infraDrift.test.ts reads the keys of the next object)
var platformSettings = {
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  PUBLIC_BASE_URL: publicBaseUrl
}

resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: union(applicationSettings, platformSettings, settingOverrides)
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output publicBaseUrl string = publicBaseUrl
