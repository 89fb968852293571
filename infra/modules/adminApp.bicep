// The admin console's and admin API's Entra app registration, through the Microsoft Graph extension
// (security review M1: admin calls carry Entra access tokens that the app validates itself):
// - one application with the application id URI (ADMIN_AUDIENCE), v2 access tokens, a delegated scope
//   `Console.Access` for the console (SPA, auth code + PKCE, redirect URI <public URL>/console) and the
//   Azure CLI pre-authorised for it (`az account get-access-token --resource <ADMIN_AUDIENCE>`);
// - two app roles, RmsSignup.Admin (everything) and RmsSignup.Reader (reads), assignable to users, groups
//   and applications (a pipeline's service principal);
// - its service principal with assignment required, so only assigned people can get a token at all;
// - the given admin (and optional reader) group assigned to the roles.
// The deploying user needs Cloud Application Administrator (or Application Administrator) in Entra ID, and
// Privileged Role Administrator to assign the roles.

extension microsoftGraphV1

@description('Immutable alternate key of the application; redeployments find it by this name.')
param uniqueName string

param displayName string

@description('Application id URI, e.g. api://<tenant id>/rms-signup-prod-admin: the token audience.')
param audience string

@description('Where the console returns after sign-in: https://<public host>/console (one or more).')
param redirectUris array

@description('Object id of the Entra group whose members get RmsSignup.Admin. Empty: assign later in Enterprise applications.')
param adminGroupId string = ''

@description('Object id of the Entra group whose members get RmsSignup.Reader (optional).')
param readerGroupId string = ''

var adminRoleId = guid(uniqueName, 'RmsSignup.Admin')
var readerRoleId = guid(uniqueName, 'RmsSignup.Reader')
var consoleScopeId = guid(uniqueName, 'Console.Access')
var azureCliAppId = '04b07795-8ddb-461a-bbee-02f9e1bf7b46' // Microsoft Azure CLI, the same in every tenant

resource app 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMyOrg'
  identifierUris: [audience]
  api: {
    requestedAccessTokenVersion: 2
    oauth2PermissionScopes: [
      {
        id: consoleScopeId
        value: 'Console.Access'
        type: 'User'
        isEnabled: true
        adminConsentDisplayName: 'Use the rms-signup admin console'
        adminConsentDescription: 'Lets the console call the rms-signup admin API as the signed-in admin.'
        userConsentDisplayName: 'Use the rms-signup admin console'
        userConsentDescription: 'Lets the console call the rms-signup admin API as you.'
      }
    ]
    preAuthorizedApplications: [
      {
        appId: azureCliAppId
        delegatedPermissionIds: [consoleScopeId]
      }
    ]
  }
  appRoles: [
    {
      id: adminRoleId
      value: 'RmsSignup.Admin'
      displayName: 'rms-signup admin'
      description: 'Pause and reopen sign-ups, change the policy, retry and erase sign-ups, read everything.'
      allowedMemberTypes: ['User', 'Application']
      isEnabled: true
    }
    {
      id: readerRoleId
      value: 'RmsSignup.Reader'
      displayName: 'rms-signup reader'
      description: 'Read the policy, sign-ups and statistics; change nothing.'
      allowedMemberTypes: ['User', 'Application']
      isEnabled: true
    }
  ]
  spa: {
    redirectUris: redirectUris
  }
}

resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: app.appId
  appRoleAssignmentRequired: true
}

resource adminAssignment 'Microsoft.Graph/appRoleAssignedTo@v1.0' = if (!empty(adminGroupId)) {
  principalId: adminGroupId
  resourceId: servicePrincipal.id
  appRoleId: adminRoleId
}

resource readerAssignment 'Microsoft.Graph/appRoleAssignedTo@v1.0' = if (!empty(readerGroupId)) {
  principalId: readerGroupId
  resourceId: servicePrincipal.id
  appRoleId: readerRoleId
}

output clientId string = app.appId
output audience string = audience
