/** The commands: each calls the admin API and prints its answer as a table or, with --json, as JSON. */
import type {
  AdminSignup,
  ApprovalDecided,
  AdminSignupDetail,
  AdminSignupPage,
  AdminReadiness,
  AdminStats,
  PolicyView,
  RetryResult,
  Revocation,
  RevocationList,
} from '../../shared/contracts/http';
import { type Invocation, parseArgs, USAGE, UsageError } from './args';
import { ApiError, type CliIo, client, explain } from './client';
import { formatPolicy, formatReadiness, formatSignup, formatSignups, formatStats } from './format';
import { applyChanges } from './policy';

const ids = (id: string) => encodeURIComponent(id);

export async function run(argv: string[], io: CliIo): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  const { command, json } = invocation;
  if (command.kind === 'help') {
    io.out(USAGE);
    return 0;
  }
  const call = client(invocation, io);
  const print = (data: unknown, human: () => string) =>
    io.out(json ? JSON.stringify(data, null, 2) : human());
  try {
    switch (command.kind) {
      case 'policy-get': {
        const { data } = await call<PolicyView>('GET', '/api/admin/policy');
        print(data, () => formatPolicy(data));
        break;
      }
      case 'policy-set': {
        const { data: current } = await call<PolicyView>('GET', '/api/admin/policy');
        const body = applyChanges(current.policy, command.changes);
        const { data } = await call<PolicyView>(
          'PUT',
          '/api/admin/policy',
          body,
          current.etag ? { 'if-match': current.etag } : {},
        );
        print(data, () => `Saved.\n\n${formatPolicy(data)}`);
        break;
      }
      case 'signups-list': {
        const items: AdminSignup[] = [];
        let token: string | undefined;
        do {
          const query = new URLSearchParams({
            ...command.query,
            ...(token ? { continuationToken: token } : {}),
          });
          const { data } = await call<AdminSignupPage>(
            'GET',
            `/api/admin/signups${query.size ? `?${query}` : ''}`,
          );
          items.push(...data.items);
          token = data.continuationToken;
        } while (token && command.all);
        if (command.all) items.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
        print(token ? { items, continuationToken: token } : { items }, () => formatSignups(items, token));
        break;
      }
      case 'signups-show': {
        const { data } = await call<AdminSignupDetail>('GET', `/api/admin/signups/${ids(command.signupId)}`);
        print(data, () => formatSignup(data));
        break;
      }
      case 'signups-retry': {
        const { data } = await call<RetryResult>('POST', `/api/admin/signups/${ids(command.signupId)}/retry`);
        print(data, () =>
          data.retried
            ? `Re-queued ${data.signupId} for provisioning.`
            : `${data.signupId} is already ${data.status}; nothing to retry.`,
        );
        break;
      }
      case 'signups-decide': {
        const { data } = await call<ApprovalDecided>(
          'POST',
          `/api/admin/signups/${ids(command.signupId)}/decision`,
          { decision: command.decision },
        );
        print(data, () =>
          data.decision === 'approve'
            ? `Approved ${data.signupId}; it is queued for provisioning.`
            : `Denied ${data.signupId}; the requester is told.`,
        );
        break;
      }
      case 'signups-erase': {
        await call(
          'DELETE',
          `/api/admin/signups/${ids(command.signupId)}${command.deleteGuest ? '?deleteGuest=true' : ''}`,
        );
        const result = { signupId: command.signupId, erased: true, guestDeleted: command.deleteGuest };
        print(
          result,
          () =>
            `Erased ${command.signupId}${command.deleteGuest ? ' and deleted its guest account' : ' (the Entra guest, if any, was kept)'}.`,
        );
        break;
      }
      case 'stats': {
        const { data } = await call<AdminStats>('GET', '/api/admin/stats');
        print(data, () => formatStats(data));
        break;
      }
      case 'readiness': {
        const { data } = await call<AdminReadiness>('GET', '/api/admin/readiness');
        print(data, () => formatReadiness(data));
        // A failed check is a misconfigured tenant: scripts (infra/deploy.sh) can tell from the exit code.
        return data.checks.some((c) => c.status === 'fail') ? 2 : 0;
      }
      case 'revocations-list': {
        const { data } = await call<RevocationList>('GET', '/api/admin/revocations');
        print(data, () =>
          data.items.length === 0
            ? 'No revoked addresses.'
            : data.items
                .map(
                  (r) => `${r.emailHash}  ${r.revokedAt}  ${r.revokedBy}${r.reason ? `  ${r.reason}` : ''}`,
                )
                .join('\n'),
        );
        break;
      }
      case 'revocations-add': {
        const { email, deleteGuest, reason } = command;
        const { data } = await call<Revocation>('POST', '/api/admin/revocations', {
          email,
          ...(deleteGuest ? { deleteGuest } : {}),
          ...(reason ? { reason } : {}),
        });
        print(
          data,
          () =>
            `Revoked (email hash ${data.emailHash}): removed from ${data.groupsRemoved} group(s)${data.guestDeleted ? ', guest deleted' : ''}.`,
        );
        break;
      }
      case 'revocations-lift': {
        await call('DELETE', `/api/admin/revocations/${ids(command.emailHash)}`);
        print({ emailHash: command.emailHash, lifted: true }, () => `Lifted ${command.emailHash}.`);
        break;
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof ApiError) {
      io.err(explain(error));
      return 1;
    }
    throw error;
  }
}
