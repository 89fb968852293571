/** A synthetic client's JSON call (its address in X-Forwarded-For), for the bench, the soak and the fault suite. */

export interface JsonReply {
  /** 0 when the request failed at the network level (the host is down, a timeout). */
  status: number;
  json: Record<string, unknown>;
  ms: number;
}

/** One JSON call from a synthetic client (its address in X-Forwarded-For); never throws. */
export async function requestJson(
  url: string,
  options: { method: string; ip: string; body?: unknown; timeoutMs: number },
): Promise<JsonReply> {
  const began = performance.now();
  try {
    const res = await fetch(url, {
      method: options.method,
      headers: {
        'x-forwarded-for': options.ip,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      json = {};
    }
    return { status: res.status, json, ms: performance.now() - began };
  } catch {
    return { status: 0, json: {}, ms: performance.now() - began };
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
