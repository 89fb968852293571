/**
 * Exchange message traces: `GET /v1.0/admin/exchange/tracing/messageTraces` with `$filter` on
 * recipientAddress, senderAddress, status and receivedDateTime (ge/le), `$top` and `$skiptoken` paging;
 * and the control `POST /_emulator/message-traces` that seeds one (the emulator sends no mail itself).
 */
import { badRequest, readJsonObject, sendJson, type Exchange } from './http';
import type { EmulatedMessageTrace } from './directoryModel';
import { parseFilter, parseTop, type FilterSchema } from './odataFilter';
import type { EmulatorContext, RouteModule } from './router';

const TRACE_FILTER: FilterSchema<EmulatedMessageTrace> = {
  resource: 'exchangeMessageTrace',
  strings: {
    recipientaddress: (t) => t.recipientAddress,
    senderaddress: (t) => t.senderAddress,
    status: (t) => t.status,
  },
  dates: { receiveddatetime: (t) => t.receivedDateTime },
};

function listTraces({ state, baseUrl }: EmulatorContext, ex: Exchange): void {
  const params = ex.url.searchParams;
  const top = parseTop(params.get('$top'));
  const skip = Number(params.get('$skiptoken') ?? '0');
  if (!Number.isInteger(skip) || skip < 0) throw badRequest('Invalid $skiptoken.');
  const filterText = params.get('$filter');
  const traces =
    filterText && filterText.trim() !== ''
      ? state.messageTraces.filter(parseFilter(filterText, TRACE_FILTER).predicate)
      : [...state.messageTraces];
  // Newest first, as message trace answers.
  traces.sort((a, b) => b.receivedDateTime.localeCompare(a.receivedDateTime));
  const page = traces.slice(skip, skip + top);
  const next = new URL(`${baseUrl()}${ex.path}`);
  if (filterText) next.searchParams.set('$filter', filterText);
  next.searchParams.set('$top', String(top));
  next.searchParams.set('$skiptoken', String(skip + top));
  sendJson(ex, 200, {
    '@odata.context': `${baseUrl()}/v1.0/$metadata#admin/exchange/tracing/messageTraces`,
    ...(skip + top < traces.length ? { '@odata.nextLink': next.toString() } : {}),
    value: page,
  });
}

async function seedTrace({ state }: EmulatorContext, ex: Exchange): Promise<void> {
  if (ex.method !== 'POST') throw badRequest('Use POST /_emulator/message-traces.');
  const body = await readJsonObject(ex.req);
  const text = (name: string) => {
    const value = body[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') throw badRequest(`${name} must be a non-empty string.`);
    return value;
  };
  const recipientAddress = text('recipientAddress');
  if (!recipientAddress) throw badRequest('recipientAddress is required.');
  const receivedDateTime = text('receivedDateTime');
  if (receivedDateTime !== undefined && Number.isNaN(Date.parse(receivedDateTime)))
    throw badRequest('receivedDateTime must be an ISO 8601 date-time.');
  const trace = state.addMessageTrace({
    recipientAddress,
    senderAddress: text('senderAddress'),
    status: text('status'),
    receivedDateTime: receivedDateTime && new Date(receivedDateTime).toISOString(),
  });
  sendJson(ex, 201, trace);
}

export const registerMessageTraceRoutes: RouteModule = (router, context) => {
  router
    .graph('GET', '/v1.0/admin/exchange/tracing/messageTraces', (ex) => listTraces(context, ex))
    // Registered before the controls module, whose `/_emulator/` prefix would otherwise answer it.
    .openPrefix('/_emulator/message-traces', (ex) => seedTrace(context, ex));
};
