// rms-signup: everything one resource group needs for a keyless, least-privilege deployment.
//
//   az group create -n <rg> -l <region>
//   az deployment group create -g <rg> -f infra/main.bicep -p @infra/operator.parameters.json
//
// infra/deploy.sh runs these steps (and packaging, zip deployment and a smoke check). docs/DEPLOY.md explains
// each parameter, the Entra rights the Graph part needs and the tenant settings only an administrator can make.
//
// Resources: two user-assigned identities (the app's, and a Graph-only one attached to the Function App
// alone); storage (tables, queues incl. poison queues, deployment container);
// Key Vault (CODE_HMAC_SECRET); Log Analytics + Application Insights + alerts; ACS Email; Flex Consumption
// Function App; optionally, through the Microsoft Graph extension, Graph app roles and one partner group.

targetScope = 'resourceGroup'

// ---------------------------------------------------------------- environment

// azd passes AZURE_ENV_NAME here unchecked (up to 64 characters): azure.yaml's preprovision hook and
// deploy.sh refuse names this template would reject, before anything is deployed.
@minLength(2)
@maxLength(12)
@description('Short name of this environment (2-12 letters, digits, hyphens), e.g. prod or test. Part of every resource name.')
param environmentName string = 'prod'
@description('Region for all regional resources. Must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location
@description('Extra tags for every resource.')
param extraTags object = {}

// ---------------------------------------------------------------- branding and policy

@description('Organisation name shown on the page and in emails (BRAND_ORGANIZATION_NAME).')
param organizationName string = 'Contoso'
@description('Logo image URL, https (BRAND_LOGO_URL). Empty: no logo.')
param logoUrl string = ''
@description('Accent colour #rrggbb with 4.5:1 contrast on white (BRAND_ACCENT_COLOR).')
param accentColor string = '#0b5cad'
@description('Support email address or URL shown when something fails (SUPPORT_CONTACT).')
param supportContact string = 'it-support@contoso.example'
@description('Privacy notice URL (PRIVACY_URL). Empty: no link.')
param privacyUrl string = ''
@allowed([
  'en'
  'de'
  'fr'
  'es'
  'nl'
  'ja'
  'ar'
])
@description('Language used when neither the page nor the browser names a supported one (DEFAULT_LOCALE).')
param defaultLocale string = 'en'
@description('The organisation\'s own verified domains; their users are told to sign in instead (ORGANIZATION_DOMAINS).')
param organizationDomains array = []
@description('If not empty, only these domains and their subdomains may sign up (ALLOWED_DOMAINS).')
param allowedDomains array = []
@description('Domains refused in addition to the built-in consumer and disposable lists (BLOCKED_DOMAINS).')
param blockedDomains array = []
@description('Origins allowed to call the API from a browser (CORS_ALLOWED_ORIGINS). Empty: same origin only.')
param corsAllowedOrigins array = []
@description('Public host name of the landing page, e.g. signup.contoso.com, served by Front Door or API Management in front of the app (Flex Consumption has no managed or uploaded certificates for custom domains). Empty: the app\'s default host name.')
param publicHostname string = ''

// ---------------------------------------------------------------- Microsoft Entra / Graph

@description('Object ids of existing partner groups (PARTNER_GROUP_IDS): the only groups the run-time policy may add guests to. Microsoft 365 groups: labels cannot grant security groups without mail, and Graph cannot add members to mail-enabled security groups. With any partner group the Graph identity gets GroupMember.ReadWrite.All (or scope it to an administrative unit instead, docs/DEPLOY.md).')
param partnerGroupIds array = []
@description('Also create one partner group with the Graph extension, its id appended to PARTNER_GROUP_IDS: a Microsoft 365 group with hidden membership, no welcome mail, hidden from Outlook, no calendar subscription (needs Groups Administrator or User Administrator in Entra ID).')
param createPartnerGroup bool = false
@description('Proof of send: grant ExchangeMessageTrace.Read.All to the Graph identity.')
param enableProofOfSend bool = false
@description('Erasure may delete guest accounts: grant User.DeleteRestore.All to the Graph identity.')
param allowGuestDeletion bool = false
@description('uniqueName (immutable alternate key) of the group created when createPartnerGroup is true.')
param partnerGroupUniqueName string = 'rms-signup-${toLower(environmentName)}-partners'
@description('Display name of the group created when createPartnerGroup is true.')
param partnerGroupDisplayName string = '${organizationName} RMS sign-up partners'
@description('Object ids of users who own the created partner group.')
param partnerGroupOwnerIds array = []
@description('Grant the Graph app roles (see modules/graph.bicep) to the Graph identity with the Graph extension (needs Privileged Role Administrator). False: grant them with az rest (docs/DEPLOY.md).')
param grantGraphPermissions bool = true
@description('Where Microsoft sends a guest after redeeming the invitation (INVITE_REDIRECT_URL).')
param inviteRedirectUrl string = 'https://myapplications.microsoft.com'
@description('Sign-in link given to existing guests and members (SIGN_IN_URL). Empty: My Apps naming this tenant (https://myapplications.microsoft.com/?tenantid=<TENANT_ID>).')
param signInUrl string = ''

// ---------------------------------------------------------------- guest lifecycle

@minValue(1)
@description('Days before a guest who has not accepted the invitation gets a reminder with a fresh link; a second follows after twice that (REDEEM_REMINDER_DAYS).')
param redeemReminderDays int = 3
@description('Days a guest this service created lives before it must be renewed; 0 = forever (GUEST_LIFETIME_DAYS). Not 0: the Graph identity gets User.EnableDisableAccount.All and User.DeleteRestore.All.')
param guestLifetimeDays int = 365
@minValue(1)
@description('Days before the end of its lifetime a guest gets a renewal link (GUEST_RENEWAL_NOTICE_DAYS).')
param guestRenewalNoticeDays int = 14
@description('Days a disabled guest is kept before it is deleted (GUEST_DELETE_AFTER_DISABLED_DAYS).')
param guestDeleteAfterDisabledDays int = 30
@description('Disable guests with no sign-in for this many days; 0 = off (GUEST_INACTIVE_DAYS). Not 0: the Graph identity gets AuditLog.Read.All to read signInActivity.')
param guestInactiveDays int = 0
@allowed(['entra'])
@description('How admin calls are authenticated (ADMIN_AUTH). Only entra in Azure: the app refuses key mode there.')
param adminAuth string = 'entra'
@description('Create the admin app registration (modules/adminApp.bicep) with the Graph extension. False: pass adminClientId and adminAudience of one you made (docs/ADMIN.md).')
param createAdminApp bool = true
@description('Object id of the Entra group whose members get the app role RmsSignup.Admin.')
param adminGroupId string = ''
@description('Object id of the Entra group whose members get the app role RmsSignup.Reader (optional).')
param readerGroupId string = ''
@description('With createAdminApp false: client id of the existing admin app registration (ADMIN_CLIENT_ID).')
param adminClientId string = ''
@description('With createAdminApp false: its application id URI (ADMIN_AUDIENCE).')
param adminAudience string = ''
@description('Microsoft Graph endpoint (GRAPH_BASE_URL); change only for a national cloud.')
param graphBaseUrl string = 'https://graph.microsoft.com'
@minValue(1)
@maxValue(20)
@description('Shared Graph write budget per second for all instances (GRAPH_WRITES_PER_SECOND). Graph allows 20/s per app and tenant and 60/s per tenant for all apps together; 10 leaves room for other apps and retries.')
param graphWritesPerSecond int = 10

// ---------------------------------------------------------------- email (Azure Communication Services)

@description('Subscribe emailDeliveryReport to ACS delivery reports (bounces). Event Grid validates the function, so it must be deployed: infra/deploy.sh deploys modules/deliveryReports.bicep after the code; true here keeps it on redeploys by other tools.')
param subscribeDeliveryReports bool = false
@description('Where ACS stores email data at rest, e.g. Europe, United States, UK, Germany, Switzerland.')
param emailDataLocation string = 'Europe'
@description('Custom sender domain, e.g. signup.contoso.com. Empty: only the Azure-managed domain (test quota: 5/min, 10/h).')
param customEmailDomain string = ''
@description('True once the DNS records from the output emailDnsRecordsToAdd are published and verified; then mail is sent from the custom domain.')
param customEmailDomainVerified bool = false
@description('Local part of the sender address on the custom domain. ACS refuses any other than DoNotReply until Microsoft raises the domain\'s sending quota: set senderUsernameQuotaRaised then.')
@minLength(1)
param senderUsername string = 'DoNotReply'
@description('True once Microsoft has raised the custom domain\'s sending quota, so ACS accepts a senderUsername other than DoNotReply.')
param senderUsernameQuotaRaised bool = false
@description('Display name in the From header.')
param senderDisplayName string = '${organizationName} sign-up'
@allowed([
  'custom'
  'builtin'
])
@description('Role that lets the identity send mail: builtin (Communication and Email Service Owner on the one ACS resource) or custom (three actions from Microsoft\'s SMTP article; not yet confirmed for the REST send path, so not the default).')
param acsSenderRoleMode string = 'builtin'
@minValue(1)
@description('Global emails per minute (EMAIL_BUDGET_PER_MINUTE). Defaults to the ACS quota of the domain in use.')
param emailBudgetPerMinute int = (!empty(customEmailDomain) && customEmailDomainVerified) ? 30 : 5
@minValue(1)
@description('Global emails per hour (EMAIL_BUDGET_PER_HOUR). Defaults to the ACS quota of the domain in use.')
param emailBudgetPerHour int = (!empty(customEmailDomain) && customEmailDomainVerified) ? 100 : 10

// ---------------------------------------------------------------- CODE_HMAC_SECRET

@description('Write CODE_HMAC_SECRET to Key Vault in this deployment. deploy.sh sets false when the secret exists; true on a later run ROTATES the key (pending codes and keyed address hashes stop matching).')
param createCodeHmacSecret bool = true
@secure()
@description('Your own value for CODE_HMAC_SECRET (at least 32 characters). Empty: a random value is generated.')
param codeHmacSecret string = ''
@secure()
@description('Do not set. Random default (two GUIDs, 244 random bits) used when codeHmacSecret is empty.')
param generatedCodeHmacSecret string = '${newGuid()}${newGuid()}'

// ---------------------------------------------------------------- scale

@minValue(1)
@maxValue(1000)
@description('Flex Consumption on-demand instance cap per function group (each queue function is its own group; req 59). Flex\'s documented minimum is 40; lower values work only in preview regions. The shared budgets hold the Graph and ACS limits.')
param maximumInstanceCount int = 40
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048
@minValue(0)
@description('Per-instance HTTP concurrency; 0 keeps the platform default.')
param httpPerInstanceConcurrency int = 0
@minValue(0)
@maxValue(1000)
@description('Always-ready instances for the HTTP functions (faster first response, billed while idle; req 64). Capped at maximumInstanceCount.')
param alwaysReadyHttpInstances int = 0

// ---------------------------------------------------------------- monitoring

@description('Email address for alerts. Empty: alerts show in the portal only.')
param alertEmailAddress string = ''
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30
@minValue(0)
@description('Failed executions (5xx or unhandled) tolerated per 15 minutes before the failure alert fires.')
param functionFailureThreshold int = 2

// ---------------------------------------------------------------- escape hatch

@description('Extra or overriding app settings, e.g. { "CODE_TTL_MINUTES": "15" }. Names must come from the README settings table.')
param settingOverrides object = {}

// ================================================================ names

var env = toLower(environmentName)
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, env))
var tags = union({ 'azd-env-name': environmentName, application: 'rms-signup' }, extraTags)
var names = {
  identity: 'id-rms-${env}-${resourceToken}'
  graphIdentity: 'id-rms-graph-${env}-${resourceToken}'
  storage: 'st${resourceToken}'
  keyVault: 'kv-rms-${resourceToken}'
  logAnalytics: 'log-rms-${env}-${resourceToken}'
  appInsights: 'appi-rms-${env}-${resourceToken}'
  actionGroup: 'ag-rms-${env}-${resourceToken}'
  emailService: 'ecs-rms-${env}-${resourceToken}'
  communication: 'acs-rms-${env}-${resourceToken}'
  plan: 'plan-rms-${env}-${resourceToken}'
  functionApp: 'func-rms-${env}-${resourceToken}'
}
var deploymentContainerName = 'app-package'
var codeHmacSecretName = 'code-hmac-secret'
var deployGraph = grantGraphPermissions || createPartnerGroup
var hasPartnerGroups = createPartnerGroup || !empty(partnerGroupIds)
// Least privilege (security review H3): each Graph app role only when a feature needs it. Adding guests to a
// group (only ever a listed partner group) needs GroupMember.ReadWrite.All.
var graphPermissions = concat(
  ['User.Invite.All', 'User.Read.All'],
  hasPartnerGroups ? ['GroupMember.ReadWrite.All'] : [],
  enableProofOfSend ? ['ExchangeMessageTrace.Read.All'] : [],
  (allowGuestDeletion || guestLifetimeDays > 0 || guestInactiveDays > 0) ? ['User.DeleteRestore.All'] : [],
  // Guest lifecycle: disabling unrenewed or inactive guests (accountEnabled), reading their sign-ins.
  (guestLifetimeDays > 0 || guestInactiveDays > 0) ? ['User.EnableDisableAccount.All'] : [],
  guestInactiveDays > 0 ? ['AuditLog.Read.All'] : [],
  // The readiness check reads tenant policies: read-only and least privileged per read (docs/DEPLOY.md).
  ['Policy.Read.All', 'Policy.Read.AuthenticationMethod', 'Policy.Read.B2BManagementPolicy']
)

// ================================================================ resources

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: names.identity
  location: location
  tags: tags
}

// Holds the Graph app roles and nothing else (no Azure roles), and is attached only to the Function App, so
// the storage, Key Vault and ACS identity cannot reach Entra ID (security review H3). Whoever holds
// userAssignedIdentities/assign/action on this resource group can borrow it: keep that to the owners.
resource graphIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: names.graphIdentity
  location: location
  tags: tags
}

module storage 'modules/storage.bicep' = {
  name: '${deployment().name}-storage'
  params: {
    name: names.storage
    location: location
    tags: tags
    principalId: identity.properties.principalId
    deploymentContainerName: deploymentContainerName
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: '${deployment().name}-keyvault'
  params: {
    name: names.keyVault
    location: location
    tags: tags
    principalId: identity.properties.principalId
    secretName: codeHmacSecretName
    writeSecret: createCodeHmacSecret
    secretValue: empty(codeHmacSecret) ? generatedCodeHmacSecret : codeHmacSecret
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: '${deployment().name}-monitoring'
  params: {
    location: location
    tags: tags
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    actionGroupName: names.actionGroup
    principalId: identity.properties.principalId
    alertEmailAddress: alertEmailAddress
    retentionInDays: logRetentionInDays
    functionFailureThreshold: functionFailureThreshold
  }
}

module email 'modules/email.bicep' = {
  name: '${deployment().name}-email'
  params: {
    emailServiceName: names.emailService
    communicationServiceName: names.communication
    tags: tags
    dataLocation: emailDataLocation
    customDomainName: customEmailDomain
    customDomainVerified: customEmailDomainVerified
    senderUsername: senderUsernameQuotaRaised ? senderUsername : 'DoNotReply'
    senderDisplayName: senderDisplayName
    principalId: identity.properties.principalId
    senderRoleMode: acsSenderRoleMode
  }
}

module graph 'modules/graph.bicep' = if (deployGraph) {
  name: '${deployment().name}-graph'
  params: {
    principalId: graphIdentity.properties.principalId
    grantGraphPermissions: grantGraphPermissions
    graphPermissions: graphPermissions
    createPartnerGroup: createPartnerGroup
    partnerGroupUniqueName: partnerGroupUniqueName
    partnerGroupDisplayName: partnerGroupDisplayName
    partnerGroupOwnerIds: partnerGroupOwnerIds
  }
}

var effectivePartnerGroupIds = createPartnerGroup
  ? concat(partnerGroupIds, [graph.outputs.partnerGroupId])
  : partnerGroupIds

// The console's redirect URI must be known before the site exists (its client id is an app setting), so
// it is the default host name the site will get (no auto-generated hostname scope is set) and the custom one.
var consoleRedirectUris = union(
  ['https://${names.functionApp}.azurewebsites.net/console'],
  empty(publicHostname) ? [] : ['https://${publicHostname}/console']
)

module adminApp 'modules/adminApp.bicep' = if (createAdminApp) {
  name: '${deployment().name}-adminApp'
  params: {
    uniqueName: 'rms-signup-${env}-admin-${resourceToken}'
    displayName: '${organizationName} RMS sign-up admin (${environmentName})'
    audience: 'api://${tenant().tenantId}/rms-signup-${env}-admin'
    redirectUris: consoleRedirectUris
    adminGroupId: adminGroupId
    readerGroupId: readerGroupId
  }
}

// Every setting in shared/config.ts whose scope is not `local` is set here or in modules/functionApp.bicep
// (infraDrift.test.ts fails otherwise). An empty value means "use the default in shared/config.ts", so
// tuning values have one source of truth; override them with settingOverrides.
// drift:app-settings (test/unit/infraDrift.test.ts reads the keys of the next object)
var applicationSettings = {
  CODE_HMAC_SECRET: keyVault.outputs.hmacKeyVaultReference
  CODE_TTL_MINUTES: ''
  CODE_MAX_SUBMISSIONS: ''
  FLOW_MAX_FAILURES: ''
  FLOW_TTL_HOURS: ''
  RESEND_COOLDOWN_SECONDS: ''
  RECIPIENT_EMAILS_PER_MINUTE: ''
  RECIPIENT_EMAILS_PER_HOUR: ''
  RECIPIENT_EMAILS_PER_DAY: ''
  EMAIL_SUPPRESSION_DAYS: ''
  IP_STARTS_PER_MINUTE: ''
  IP_STARTS_PER_HOUR: ''
  IP_VERIFIES_PER_MINUTE: ''
  TRUSTED_PROXY_HOPS: '1' // the App Service front end appends exactly one X-Forwarded-For entry
  CHALLENGE_MODE: '' // altcha: proof of work on start and resend
  // Starts admitted: two thirds of the email budget, so code emails for admitted starts, resends and
  // account-ready emails fit in what ACS accepts.
  START_BUDGET_PER_MINUTE: string(max(1, emailBudgetPerMinute * 2 / 3))
  START_BUDGET_PER_HOUR: string(max(1, emailBudgetPerHour * 2 / 3))
  CORS_ALLOWED_ORIGINS: join(corsAllowedOrigins, ',')
  ORGANIZATION_DOMAINS: join(organizationDomains, ',')
  ALLOWED_DOMAINS: join(allowedDomains, ',')
  BLOCKED_DOMAINS: join(blockedDomains, ',')
  DEFAULT_LOCALE: defaultLocale
  EMAIL_TRANSPORT: 'acs'
  EMAIL_SENDER_ADDRESS: email.outputs.senderAddress
  ACS_ENDPOINT: email.outputs.endpoint
  ACS_CONNECTION_STRING: '' // ACS local auth is disabled: the managed identity sends
  SMTP_HOST: '' // SMTP_* are read only when EMAIL_TRANSPORT is smtp
  SMTP_PORT: ''
  SMTP_SECURE: ''
  SMTP_REQUIRE_TLS: ''
  SMTP_USER: ''
  SMTP_PASSWORD: ''
  EMAIL_BUDGET_PER_MINUTE: string(emailBudgetPerMinute)
  EMAIL_BUDGET_PER_HOUR: string(emailBudgetPerHour)
  EMAIL_DOMAIN_SHARE: ''
  BRAND_ORGANIZATION_NAME: organizationName
  BRAND_LOGO_URL: logoUrl
  BRAND_ACCENT_COLOR: accentColor
  SUPPORT_CONTACT: supportContact
  PRIVACY_URL: privacyUrl
  GRAPH_BASE_URL: graphBaseUrl
  GRAPH_CLIENT_ID: graphIdentity.properties.clientId
  PARTNER_GROUP_IDS: join(effectivePartnerGroupIds, ',')
  APPROVAL_TTL_DAYS: ''
  INVITE_REDIRECT_URL: inviteRedirectUrl
  SIGN_IN_URL: signInUrl
  GRAPH_WRITES_PER_SECOND: string(graphWritesPerSecond)
  RETENTION_FINISHED_DAYS: ''
  RETENTION_AUDIT_DAYS: ''
  TENANT_ID: tenant().tenantId
  ADMIN_AUTH: adminAuth
  ADMIN_AUDIENCE: createAdminApp ? adminApp.outputs.audience : adminAudience
  ADMIN_AUTHORITY: '' // https://login.microsoftonline.com/{TENANT_ID}/v2.0 (shared/config.ts)
  ADMIN_CLIENT_ID: createAdminApp ? adminApp.outputs.clientId : adminClientId
  LOGIN_BASE_URL: environment().authentication.loginEndpoint
  REDEEM_REMINDER_DAYS: string(redeemReminderDays)
  GUEST_LIFETIME_DAYS: string(guestLifetimeDays)
  GUEST_RENEWAL_NOTICE_DAYS: string(guestRenewalNoticeDays)
  GUEST_DELETE_AFTER_DISABLED_DAYS: string(guestDeleteAfterDisabledDays)
  GUEST_INACTIVE_DAYS: string(guestInactiveDays)
}

module functionApp 'modules/functionApp.bicep' = {
  name: '${deployment().name}-functionApp'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    identityId: identity.id
    identityClientId: identity.properties.clientId
    graphIdentityId: graphIdentity.id
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    appInsightsConnectionString: monitoring.outputs.connectionString
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    publicHostname: publicHostname
    applicationSettings: applicationSettings
    settingOverrides: settingOverrides
  }
}

module deliveryReports 'modules/deliveryReports.bicep' = if (subscribeDeliveryReports) {
  name: '${deployment().name}-deliveryReports'
  params: {
    tags: tags
    communicationServiceName: email.outputs.communicationServiceName
    functionAppName: functionApp.outputs.name
  }
}

// ================================================================ outputs

var usesCustomDomain = !empty(customEmailDomain)
var operatorTodoItems = [
  {
    when: !grantGraphPermissions
    text: 'Grant ${join(graphPermissions, ', ')} to the Graph identity, principal ${graphIdentity.properties.principalId} (docs/DEPLOY.md, "Granting Graph permissions without the extension").'
  }
  {
    when: senderUsername != 'DoNotReply' && !senderUsernameQuotaRaised
    text: 'senderUsername ${senderUsername} is not used yet: ACS refuses custom sender usernames at the default quota, so mail comes from DoNotReply. Ask Microsoft to raise the quota, then redeploy with senderUsernameQuotaRaised=true.'
  }
  {
    when: usesCustomDomain && !customEmailDomainVerified
    text: 'Publish the DNS records in emailDnsRecordsToAdd for ${customEmailDomain}, start verification, then redeploy with customEmailDomainVerified=true. Until then mail comes from the Azure-managed domain (5/min, 10/h).'
  }
  {
    when: !usesCustomDomain
    text: 'Mail is sent from the Azure-managed domain, limited to 5 per minute and 10 per hour: add customEmailDomain for production.'
  }
  {
    when: empty(alertEmailAddress)
    text: 'No alert email receiver: set alertEmailAddress to be told about poison messages, failures and throttling.'
  }
  {
    when: true
    text: 'Tenant prerequisites (a tenant administrator): email one-time passcode for guests on; guest invitations not limited to admins; Conditional Access lets guests reach Microsoft Rights Management Services; sensitivity labels grant the partner groups (or the guests themselves). See docs/DEPLOY.md.'
  }
]

output landingPageUrl string = functionApp.outputs.publicBaseUrl
output adminConsoleUrl string = '${functionApp.outputs.publicBaseUrl}/console'
output functionAppName string = functionApp.outputs.name
output functionAppHostName string = functionApp.outputs.defaultHostName
output resourceGroupName string = resourceGroup().name
output senderAddress string = email.outputs.senderAddress
output emailDnsRecordsToAdd object = email.outputs.customDomainDnsRecords
output emailServiceName string = names.emailService
output communicationServiceName string = email.outputs.communicationServiceName
output keyVaultName string = keyVault.outputs.name
output appInsightsName string = names.appInsights
output hmacKeyName string = codeHmacSecretName
output identityPrincipalId string = identity.properties.principalId
output identityClientId string = identity.properties.clientId
output graphIdentityPrincipalId string = graphIdentity.properties.principalId
output graphIdentityClientId string = graphIdentity.properties.clientId
output graphPermissions array = graphPermissions
output partnerGroupIds array = effectivePartnerGroupIds
output alertRules array = monitoring.outputs.alertRuleNames
output operatorTodo array = map(filter(operatorTodoItems, item => item.when), item => item.text)
