/** How users and groups look on the wire, and which user properties `$select` and `$filter` know. */
import type { EmulatedGroup, EmulatedUser } from './directoryModel';
import type { FilterSchema } from './odataFilter';

export const USER_PROPERTIES = [
  'id',
  'accountEnabled',
  'businessPhones',
  'createdDateTime',
  'creationType',
  'displayName',
  'externalUserState',
  'externalUserStateChangeDateTime',
  'givenName',
  'jobTitle',
  'mail',
  'mailNickname',
  'mobilePhone',
  'officeLocation',
  'otherMails',
  'preferredLanguage',
  'proxyAddresses',
  'surname',
  'userPrincipalName',
  'userType',
] as const;
export type UserProperty = (typeof USER_PROPERTIES)[number];

/** What Graph returns for a user when no $select is given (note: no userType, no otherMails). */
export const DEFAULT_USER_PROPERTIES: UserProperty[] = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];

/** The user properties `$filter` takes in this emulator. */
export const USER_FILTER: FilterSchema<EmulatedUser> = {
  resource: 'User',
  strings: {
    id: (u) => u.id,
    mail: (u) => u.mail,
    userprincipalname: (u) => u.userPrincipalName,
    displayname: (u) => u.displayName,
    usertype: (u) => u.userType,
    externaluserstate: (u) => u.externalUserState,
    creationtype: (u) => u.creationType,
    mailnickname: (u) => u.mailNickname,
  },
  booleans: { accountenabled: { name: 'accountEnabled', get: (u) => u.accountEnabled } },
  collections: {
    othermails: { name: 'otherMails', get: (u) => u.otherMails },
    proxyaddresses: { name: 'proxyAddresses', get: (u) => u.proxyAddresses },
  },
};

export function userView(user: EmulatedUser, properties: UserProperty[]): Record<string, unknown> {
  const full: Record<UserProperty, unknown> = {
    id: user.id,
    accountEnabled: user.accountEnabled,
    businessPhones: [],
    createdDateTime: user.createdDateTime,
    creationType: user.creationType,
    displayName: user.displayName,
    externalUserState: user.externalUserState,
    externalUserStateChangeDateTime: user.externalUserStateChangeDateTime,
    givenName: null,
    jobTitle: null,
    mail: user.mail,
    mailNickname: user.mailNickname,
    mobilePhone: null,
    officeLocation: null,
    otherMails: [...user.otherMails],
    preferredLanguage: null,
    proxyAddresses: [...user.proxyAddresses],
    surname: null,
    userPrincipalName: user.userPrincipalName,
    userType: user.userType,
  };
  return Object.fromEntries(properties.map((p) => [p, full[p]]));
}

export function groupView(group: EmulatedGroup): Record<string, unknown> {
  return {
    id: group.id,
    displayName: group.displayName,
    mailNickname: group.mailNickname,
    mailEnabled: group.mailEnabled,
    securityEnabled: group.securityEnabled,
    visibility: group.visibility ?? null,
    groupTypes: [],
  };
}
