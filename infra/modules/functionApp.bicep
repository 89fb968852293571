// The Function App on Flex Consumption (FC1, Linux, Node 22) with a user-assigned identity and
// identity-based storage. App settings live in a separate `config/appsettings` resource so they can use the
// site's own default host name (PUBLIC_BASE_URL) without a circular reference.
//
// Scale and concurrency, and why they keep Graph and ACS inside their limits (security-limits.md §4, req 59):
// - host.json caps every queue-triggered function at batchSize 4 + newBatchThreshold 2 = at most 6 messages
//   in flight per function per instance.
// - Flex scales each non-HTTP function on its own instances (its own function group), and
//   `maximumInstanceCount` caps each function group, not the app (the 2025-03-01 API describes it as "per
//   function group"). With the default of 40, at most 40 × 6 = 240 provisioning messages run at once.
// - Concurrency alone cannot bound a *rate*, so the app also spends from shared budgets kept in the `budgets`
//   table (GRAPH_WRITES_PER_SECOND, EMAIL_BUDGET_PER_MINUTE/HOUR), which every instance honours. The budgets
//   are what hold Graph ≤ 20 writes/s and ACS ≤ 30/min, 100/h (5/min, 10/h on the Azure-managed domain);
//   the instance cap only bounds the number of waiters.
// - HTTP functions only validate, rate-limit and enqueue; they never call Graph or ACS synchronously, so their
//   per-instance concurrency does not touch either limit.
// Flex's documented lowest maximum is 40; values below it work only in a few preview regions (West Europe,
// Australia East, West US 2 as of 2026) and are rejected elsewhere.

param name string
param planName string
param location string
param tags object

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (used by the storage and ACS clients).')
param identityClientId string

@description('Resource id of the Graph-only user-assigned identity (attached here and nowhere else).')
param graphIdentityId string

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
@maxValue(1000)
param alwaysReadyHttpInstances int

@description('Public host name of the landing page, served by Front Door or API Management in front of the app (Flex has no certificates for custom domains). Empty: the default host name.')
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
// More always-ready instances than the group may have make no sense: cap them at the maximum.
var alwaysReadyCount = min(alwaysReadyHttpInstances, maximumInstanceCount)
var alwaysReadyScale = alwaysReadyCount > 0 ? { alwaysReady: [{ name: 'http', instanceCount: alwaysReadyCount }] } : {}
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
      '${graphIdentityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId // resolve @Microsoft.KeyVault(...) settings as the user-assigned identity
    // Flex Consumption rejects a set of classic siteConfig properties (ARM error 51021), ftpsState among
    // them (Flex has no FTP endpoint); keep this to what Microsoft's Flex templates set.
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
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
// The resource provider requires `location` here although the generated types omit it ("The parameter
// location has an invalid value", Azure/bicep-types-az #1317, #1526; AVM sets it too). No `ftp` policy:
// Flex has no FTP endpoint.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  #disable-next-line BCP037
  location: location
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
  // Traces and metrics through the Azure Monitor OpenTelemetry distro (shared/telemetry), Entra-authenticated.
  OTEL_EXPORTER: 'azure'
  PUBLIC_BASE_URL: publicBaseUrl
  // The host buffers a request body before the worker sees it (default limit 100 MB); the largest body the
  // app accepts is the 64 KiB admin policy (security review L6).
  FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '70000'
}

resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: union(applicationSettings, platformSettings, settingOverrides)
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output publicBaseUrl string = publicBaseUrl
