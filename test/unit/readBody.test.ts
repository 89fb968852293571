import { HttpRequest } from '@azure/functions';
import { z } from 'zod';

import { readBodyText, readJsonBody } from '../../shared/http';

/** A chunked body (no Content-Length) that counts how much of it was pulled. */
function streamingRequest(chunks: number, chunkBytes: number) {
  let pulled = 0;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= chunks) return controller.close();
      pulled++;
      controller.enqueue(new Uint8Array(chunkBytes).fill(0x20));
    },
    cancel() {
      cancelled = true;
    },
  });
  // The library's streaming path (HTTP streams) wraps a native Request; that is how a live body arrives.
  const nativeRequest = new Request('http://localhost/api/signups', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    duplex: 'half',
  } as RequestInit);
  const req = new HttpRequest({ method: 'POST', url: nativeRequest.url, nativeRequest } as never);
  return { req, pulled: () => pulled, cancelled: () => cancelled };
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'read',
    (e: { code?: string }) => e.code,
  );

describe('request bodies are limited while streaming (review L6, req 33)', () => {
  it('stops reading a chunked body at the limit and cancels the rest', async () => {
    const r = streamingRequest(50_000, 1024); // 50 MB on offer
    expect(await codeOf(readBodyText(r.req, 4096))).toBe('payload_too_large');
    expect(r.pulled()).toBeLessThanOrEqual(8);
    expect(r.cancelled()).toBe(true);
  });

  it('refuses a declared Content-Length over the limit without reading', async () => {
    const req = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/x',
      headers: { 'content-length': '5000', 'content-type': 'application/json' },
      body: { string: '{}' },
    });
    expect(await codeOf(readJsonBody(req, z.object({})))).toBe('payload_too_large');
  });

  it('reads a body at exactly the limit, multi-byte text intact', async () => {
    const text = JSON.stringify({ email: `${'é'.repeat(2000)}@x.com` });
    const req = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/x',
      headers: { 'content-type': 'application/json' },
      body: { string: text },
    });
    expect(await readBodyText(req, Buffer.byteLength(text))).toBe(text);
  });
});
