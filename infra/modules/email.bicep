// Azure Communication Services Email: an Email Communication Service with an Azure-managed domain (works at
// once, 5 mails/min and 10/h) and, optionally, the organisation's own domain (30/min, 100/h by default; needs
// DNS records and verification before ACS accepts it as a linked domain). ACS itself is keyless
// (disableLocalAuth); the app identity sends with an Entra token.

param emailServiceName string
param communicationServiceName string
param tags object

@description('Where ACS stores data at rest, e.g. Europe, United States, UK, Germany, Switzerland.')
param dataLocation string

@description('Custom sender domain (e.g. signup.contoso.com). Empty: only the Azure-managed domain.')
param customDomainName string

@description('''Set to true after the DNS records from the output `emailDnsRecordsToAdd` are in place and the
domain shows as verified. Only then is the custom domain linked to ACS and used as the sender.''')
param customDomainVerified bool

@description('Local part of the sender address on the custom domain. main.bicep passes DoNotReply until the domain\'s quota is raised: ACS refuses custom sender usernames at the default quota.')
@minLength(1)
param senderUsername string

@description('Display name shown in the From header.')
param senderDisplayName string

@description('Principal id of the app identity that sends mail.')
param principalId string

@description('''`custom`: a role with only the three actions Microsoft documents for sending mail with an Entra
identity (least privilege). `builtin`: Communication and Email Service Owner (broad, but what most public
templates use, and the default). The custom role comes from Microsoft's SMTP article; whether the REST send
path accepts it is not documented, so try it on a test deployment first.''')
@allowed([
  'custom'
  'builtin'
])
param senderRoleMode string

var useCustomDomain = !empty(customDomainName)
var sendFromCustomDomain = useCustomDomain && customDomainVerified
// ARM validates the names of condition-false resources too: an empty customDomainName would give
// 'ecs-.../' and 'ecs-...//donotreply' and reject the whole deployment ("incorrect segment lengths",
// Azure/bicep #7733). Skipped resources therefore get a placeholder name that is never deployed.
var customDomainResourceName = useCustomDomain ? customDomainName : 'unused-custom-domain'

// Built-in "Communication and Email Service Owner" (Microsoft.Communication/* on ACS and Email resources).
// No narrower built-in send-only role exists; Microsoft's SMTP-with-Entra article lists the actions below
// as the minimum for a custom role.
var emailServiceOwnerRoleId = '09976791-48a7-449e-bb21-39d1a415f350'
var customSenderRoleGuid = guid(resourceGroup().id, 'rms-signup-acs-email-sender')
var senderRoleGuid = senderRoleMode == 'custom' ? customSenderRoleGuid : emailServiceOwnerRoleId
// Kept as the role assignment's name seed so redeployments find the existing assignment.
var senderRoleDefinitionId = subscriptionResourceId('Microsoft.Authorization/roleDefinitions', senderRoleGuid)

resource emailService 'Microsoft.Communication/emailServices@2025-09-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }
}

resource azureManagedDomain 'Microsoft.Communication/emailServices/domains@2025-09-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled' // no tracking pixels in a security code email
  }
}

// DoNotReply exists on every new domain; declaring it sets the display name.
resource azureManagedSender 'Microsoft.Communication/emailServices/domains/senderUsernames@2025-09-01' = {
  parent: azureManagedDomain
  name: 'donotreply'
  properties: {
    username: 'DoNotReply'
    displayName: senderDisplayName
  }
}

resource customDomain 'Microsoft.Communication/emailServices/domains@2025-09-01' = if (useCustomDomain) {
  parent: emailService
  name: customDomainResourceName
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'CustomerManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource customSender 'Microsoft.Communication/emailServices/domains/senderUsernames@2025-09-01' = if (useCustomDomain) {
  parent: customDomain
  name: toLower(senderUsername)
  properties: {
    username: senderUsername
    displayName: senderDisplayName
  }
}

resource communication 'Microsoft.Communication/communicationServices@2025-09-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    // An unverified custom domain cannot be linked; until it is, the Azure-managed domain carries the mail.
    linkedDomains: sendFromCustomDomain ? [customDomain.id, azureManagedDomain.id] : [azureManagedDomain.id]
    disableLocalAuth: true // no access keys or connection strings: Entra ID only
  }
  dependsOn: [
    azureManagedSender
    customSender
  ]
}

resource senderRoleDefinition 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (senderRoleMode == 'custom') {
  name: customSenderRoleGuid
  properties: {
    roleName: 'ACS email sender (rms-signup ${uniqueString(resourceGroup().id)})'
    description: 'Send email through one Azure Communication Services resource with an Entra ID token.'
    type: 'CustomRole'
    assignableScopes: [
      resourceGroup().id
    ]
    permissions: [
      {
        actions: [
          'Microsoft.Communication/CommunicationServices/Read'
          'Microsoft.Communication/CommunicationServices/Write'
          'Microsoft.Communication/EmailServices/write'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
  }
}

resource senderRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communication.id, principalId, senderRoleDefinitionId)
  scope: communication
  properties: {
    // The custom role's own id makes the dependency on its definition implicit (security review M4).
    roleDefinitionId: senderRoleMode == 'custom' ? senderRoleDefinition.id : senderRoleDefinitionId
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output endpoint string = 'https://${communication.properties.hostName}'
output communicationServiceName string = communication.name
output senderAddress string = sendFromCustomDomain ? '${senderUsername}@${customDomainName}' : 'DoNotReply@${azureManagedDomain.properties.mailFromSenderDomain}'
output sendsFromCustomDomain bool = sendFromCustomDomain
// TXT/CNAME records (Domain, SPF, DKIM, DKIM2, DMARC) to publish for the custom domain; empty without one.
output customDomainDnsRecords object = useCustomDomain ? customDomain.properties.verificationRecords : {}
output customDomainVerificationStates object = useCustomDomain ? customDomain.properties.verificationStates : {}
