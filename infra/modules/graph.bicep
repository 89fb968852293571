// Microsoft Entra side, through the Microsoft Graph Bicep extension (infra/bicepconfig.json):
// - application permissions for the app identity: User.Invite.All (create the guest), User.Read.All (find an
//   existing user), GroupMember.ReadWrite.All (add the guest to the access group);
// - optionally the access group itself. Sensitivity labels can only grant users and *mail-enabled* groups
//   (mission-anchors.md §4.1), and Microsoft Graph can neither create mail-enabled security groups nor change
//   their members (read-only in Graph), so the only group both a label and the provisioner can use is a
//   Microsoft 365 group. The one created here is private; guests must be allowed in Microsoft 365 groups
//   (the tenant default).
// The deploying user needs rights in Entra ID, not only in Azure: Privileged Role Administrator (or Global
// Administrator) to grant app roles of Microsoft Graph, and Groups Administrator (or User Administrator) to
// create the group. docs/DEPLOY.md gives the az rest alternative for tenants where the deployer has none.
// This file can also be deployed on its own by an Entra administrator (see docs/DEPLOY.md).

extension microsoftGraphV1

@description('Object id (principal id) of the app\'s user-assigned managed identity.')
param principalId string

@description('Grant the three Microsoft Graph application permissions to the identity.')
param grantGraphPermissions bool = true

@description('Create the access group (a private Microsoft 365 group). When false, pass the object id of an existing Microsoft 365 group to main.bicep instead.')
param createAccessGroup bool = false

@description('Immutable alternate key of the group; redeployments find the group by it.')
param accessGroupUniqueName string = 'rms-signup-guests'

param accessGroupDisplayName string = 'RMS sign-up guests'

@description('Object ids of users who own the group (optional).')
param accessGroupOwnerIds array = []

var graphAppId = '00000003-0000-0000-c000-000000000000' // Microsoft Graph, the same in every tenant

// Least privilege for "invite a guest, look users up, add them to one group" (mission-anchors.md §3.5).
var graphPermissions = [
  'User.Invite.All'
  'User.Read.All'
  'GroupMember.ReadWrite.All'
]

resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

// The app role ids are looked up by name in this tenant's Graph service principal instead of hard-coded.
resource graphPermissionGrants 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [
  for permission in graphPermissions: if (grantGraphPermissions) {
    principalId: principalId
    resourceId: graph.id
    appRoleId: filter(graph.appRoles, role => role.value == permission)[0].id
  }
]

resource accessGroup 'Microsoft.Graph/groups@v1.0' = if (createAccessGroup) {
  uniqueName: accessGroupUniqueName
  displayName: accessGroupDisplayName
  description: 'Guests created by rms-signup. Grant this group in the sensitivity labels that protect shared files.'
  groupTypes: [
    'Unified' // Microsoft 365 group: mail-enabled, so labels can grant it
  ]
  mailEnabled: true
  mailNickname: accessGroupUniqueName
  securityEnabled: false
  visibility: 'Private'
  owners: {
    relationshipSemantics: 'append' // never removes owners someone added later
    relationships: accessGroupOwnerIds
  }
}

output accessGroupId string = createAccessGroup ? accessGroup.id : ''
output grantedPermissions array = grantGraphPermissions ? graphPermissions : []
