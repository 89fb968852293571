/**
 * An in-memory subset of Microsoft Graph v1.0 for dev and tests only (see README.md beside this file).
 * The public API: start an emulator, its state and the address rules the in-memory fake shares.
 */
export { guestUserPrincipalName, invitedAddressProblem } from './addressRules';
export {
  DirectoryModel,
  type AddMemberOutcome,
  type EmulatedGroup,
  type EmulatedInvitation,
  type EmulatedMessageTrace,
  type EmulatedUser,
  type InviteInput,
  type InviteOutcome,
  type SeedUserInput,
} from './directoryModel';
export { startGraphEmulator, type GraphEmulator, type GraphEmulatorOptions } from './server';
export {
  GraphEmulatorState,
  type EmulatorConfig,
  type FaultSpec,
  type RequestLogEntry,
  type WriteLimit,
} from './state';
