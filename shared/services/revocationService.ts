/**
 * Durable revocation (security review M3, L8): an admin revokes an address; its guest
 * leaves every group this service manages, is deleted when asked and only when our own invitation created
 * it, and the address (its keyed hash only) goes on a deny list that the provisioner checks, so signing up
 * again verifies the code and ends `not_eligible` (`revoked`) with no Graph write.
 */
import { keyedHash } from '../domain/codes';
import { parseEmailAddress } from '../domain/emailAddress';
import { AppError } from '../errors';
import type { Logger } from '../log';
import type { AccessStore, AuditLog, Clock, Directory, Revocation } from '../ports';
import { audit } from './audit';

export interface RevocationSettings {
  secret: string;
  managedGroupIds: readonly string[];
}

export interface RevocationDeps {
  access: AccessStore;
  directory: Directory;
  audit: AuditLog;
  clock: Clock;
  settings: RevocationSettings;
}

export interface RevokeInput {
  email: string;
  deleteGuest?: boolean;
  reason?: string;
}

/** The deny-list key of an address: the same keyed hash that keys its limits and flows (`addressKey`). */
export function emailHashOf(secret: string, email: string): string {
  return keyedHash(secret, 'address', parseEmailAddress(email).rateLimitKey);
}

export function makeRevocationService(deps: RevocationDeps) {
  const { settings } = deps;

  async function revoke(input: RevokeInput, actor: string, log: Logger): Promise<Revocation> {
    const address = parseEmailAddress(input.email);
    const emailHash = keyedHash(settings.secret, 'address', address.rateLimitKey);
    const found = await deps.directory.findUserByEmail(address.canonical);
    const guest = found?.userType === 'Guest' ? found : undefined;
    let deletable = false;
    if (input.deleteGuest) {
      const created = await deps.access.createdGuest(emailHash);
      deletable = guest !== undefined && created?.userId === guest.id;
      if (guest && !deletable) {
        throw new AppError(
          'conflict',
          'deleteGuest removes only a guest account this service created; this one was not. Nothing was changed.',
        );
      }
    }
    // The deny list first: from here on the provisioner refuses the address, whatever happens below.
    const revocation: Revocation = {
      emailHash,
      revokedAt: deps.clock.now().toISOString(),
      revokedBy: actor,
      ...(input.reason?.trim() ? { reason: input.reason.trim() } : {}),
      guestDeleted: false,
      groupsRemoved: 0,
    };
    await deps.access.putRevocation(revocation);
    if (guest) {
      for (const groupId of settings.managedGroupIds) {
        if ((await deps.directory.removeFromGroup(groupId, guest.id)) === 'removed')
          revocation.groupsRemoved++;
      }
      if (deletable) {
        await deps.directory.deleteUser(guest.id);
        await deps.access.forgetCreatedGuest(emailHash);
        revocation.guestDeleted = true;
      }
      await deps.access.putRevocation(revocation);
    }
    await audit(deps.audit, log, 'revoked', undefined, deps.clock.now(), {
      actor,
      details: {
        emailHash,
        guestDeleted: revocation.guestDeleted,
        groupsRemoved: revocation.groupsRemoved,
        ...(revocation.reason ? { reason: revocation.reason.slice(0, 200) } : {}),
      },
    });
    log.event('address_revoked', {
      emailHash,
      actor,
      guestDeleted: revocation.guestDeleted,
      groupsRemoved: revocation.groupsRemoved,
    });
    return revocation;
  }

  async function lift(emailHash: string, actor: string, log: Logger): Promise<void> {
    if (!/^[A-Za-z0-9_-]{32}$/.test(emailHash) || !(await deps.access.deleteRevocation(emailHash))) {
      throw new AppError('not_found', 'No revocation for this email hash.');
    }
    await audit(deps.audit, log, 'revocation_lifted', undefined, deps.clock.now(), {
      actor,
      details: { emailHash },
    });
    log.event('revocation_lifted', { emailHash, actor });
  }

  async function list(): Promise<Revocation[]> {
    const all = await deps.access.listRevocations();
    return all.sort((a, b) => b.revokedAt.localeCompare(a.revokedAt));
  }

  return { revoke, lift, list };
}

export type RevocationService = ReturnType<typeof makeRevocationService>;
