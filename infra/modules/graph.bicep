// Microsoft Entra side, through the Microsoft Graph Bicep extensions (infra/bicepconfig.json):
// - application permissions for the dedicated Graph identity (main.bicep decides which, the same set the
//   readiness check requires, shared/domain/graphPermissions.ts: User.Invite.All, User.Read.All and the
//   read-only Policy.Read.All, Policy.Read.AuthenticationMethod, Policy.Read.B2BManagementPolicy always;
//   GroupMember.ReadWrite.All only with partner groups; ExchangeMessageTrace.Read.All only with proof of
//   send; User.DeleteRestore.All when erasure may delete guests or with the guest lifecycle;
//   User.EnableDisableAccount.All with the guest lifecycle; AuditLog.Read.All with GUEST_INACTIVE_DAYS);
// - optionally one partner group (main.bicep appends its id to PARTNER_GROUP_IDS). Sensitivity labels can only grant users and *mail-enabled* groups
//   (mission-anchors.md §4.1), and Microsoft Graph can neither create mail-enabled security groups nor change
//   their members (read-only in Graph), so the only group both a label and the provisioner can use is a
//   Microsoft 365 group. The one created here hides its member list from members (guests must not see each
//   other, security review H2), sends no welcome mail, stays out of Outlook and subscribes no one to the
//   group calendar. Those options exist only in the Graph *beta* types, hence `groups@beta`.
// The deploying user needs rights in Entra ID, not only in Azure: Privileged Role Administrator (or Global
// Administrator) to grant app roles of Microsoft Graph, and Groups Administrator (or User Administrator) to
// create the group. docs/DEPLOY.md gives the az rest alternative for tenants where the deployer has none.
// This file can also be deployed on its own by an Entra administrator (see docs/DEPLOY.md).

extension microsoftGraphV1
extension microsoftGraphBeta

@description('Object id (principal id) of the Graph user-assigned managed identity.')
param principalId string

@description('Grant the Microsoft Graph application permissions in graphPermissions to the identity.')
param grantGraphPermissions bool = true

@description('Values of the Graph app roles to grant, e.g. User.Invite.All.')
param graphPermissions array = [
  'User.Invite.All'
  'User.Read.All'
]

@description('Create one partner group (a Microsoft 365 group with hidden membership). When false, list existing Microsoft 365 groups in main.bicep partnerGroupIds instead, or none.')
param createPartnerGroup bool = false

@description('Immutable alternate key of the group; redeployments find the group by it.')
param partnerGroupUniqueName string = 'rms-signup-partners'

param partnerGroupDisplayName string = 'RMS sign-up partners'

@description('Object ids of users who own the group (optional).')
param partnerGroupOwnerIds array = []

var graphAppId = '00000003-0000-0000-c000-000000000000' // Microsoft Graph, the same in every tenant

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

// HiddenMembership and resourceBehaviorOptions can only be set when the group is created.
resource partnerGroup 'Microsoft.Graph/groups@beta' = if (createPartnerGroup) {
  uniqueName: partnerGroupUniqueName
  displayName: partnerGroupDisplayName
  description: 'Partner guests added by rms-signup under its run-time policy. Grant this group in the sensitivity labels that protect shared files.'
  groupTypes: [
    'Unified' // Microsoft 365 group: mail-enabled, so labels can grant it
  ]
  mailEnabled: true
  mailNickname: partnerGroupUniqueName
  securityEnabled: false
  visibility: 'HiddenMembership' // only owners see who else is in the group
  resourceBehaviorOptions: [
    'WelcomeEmailDisabled'
    'HideGroupInOutlook'
    'SubscribeMembersToCalendarEventsDisabled'
  ]
  owners: {
    relationshipSemantics: 'append' // never removes owners someone added later
    relationships: partnerGroupOwnerIds
  }
}

output partnerGroupId string = createPartnerGroup ? partnerGroup.id : ''
output grantedPermissions array = grantGraphPermissions ? graphPermissions : []
