/**
 * A fake tus 1.0 server behind a fake fetch (F2 tests): uploads in memory,
 * every request recorded, and switches to cut a PATCH (the bytes land, the
 * answer is lost) or refuse the final one (415).
 */
export interface FakeTusRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  size: number;
}

export function createFakeTus(origin = 'https://chat.test', token = 't') {
  const uploads = new Map<string, { length: number; received: number; metadata: string }>();
  const requests: FakeTusRequest[] = [];
  const state = {
    /** The next PATCH stores its bytes, then the connection drops before the answer. */
    cutNextPatch: false,
    /** The final PATCH is refused as an unsupported type. */
    refuseFinal: false,
    /** Creation is refused as too large. */
    refuseCreate: false,
    /** Every request fails as a network error (offline). */
    offline: false,
  };
  let next = 0;
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = String(input);
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const body = init.body instanceof Blob ? init.body : null;
    const method = init.method ?? 'GET';
    requests.push({ method, url, headers, size: body?.size ?? 0 });
    if (state.offline) throw new TypeError('Failed to fetch');
    if (headers.authorization !== `Bearer ${token}`) return json(401, { code: 'invalid_token', message: 'no' });
    if (method === 'POST') {
      if (state.refuseCreate) return json(413, { code: 'too_large', message: 'Files may be up to 25 MB.' });
      const id = `up${++next}`;
      uploads.set(id, { length: Number(headers['upload-length']), received: 0, metadata: headers['upload-metadata'] ?? '' });
      return new Response(null, { status: 201, headers: { Location: `${origin}/v1/uploads/${id}` } });
    }
    const upload = uploads.get(url.split('/').pop() ?? '');
    if (!upload) return new Response(null, { status: 404 });
    if (method === 'HEAD') return new Response(null, { status: 200, headers: { 'Upload-Offset': String(upload.received), 'Upload-Length': String(upload.length) } });
    if (method === 'PATCH') {
      if (Number(headers['upload-offset']) !== upload.received) return new Response(null, { status: 409 });
      const size = body?.size ?? 0;
      if (state.refuseFinal && upload.received + size === upload.length) return json(415, { code: 'unsupported_media', message: 'Only images and audio can be sent.' });
      upload.received += size;
      if (state.cutNextPatch) {
        state.cutNextPatch = false;
        throw new TypeError('network connection lost');
      }
      return new Response(null, { status: 204, headers: { 'Upload-Offset': String(upload.received) } });
    }
    return new Response(null, { status: 405 });
  };
  return { fetch: fetch as typeof globalThis.fetch, uploads, requests, state, origin };
}
