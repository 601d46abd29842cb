import sharp from 'sharp';

/** What a tus call answered: status, headers and body text (JSON when it is). */
export interface TusAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | null;
}

async function answer(response: Response): Promise<TusAnswer> {
  const text = await response.text();
  let json: Record<string, unknown> | null = null;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : null;
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, text, json };
}

const auth = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/** tus Upload-Metadata: comma-separated `key base64(value)`. */
function encodeMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
}

export async function tusCreate(baseUrl: string, token: string | undefined, length: number, metadata: Record<string, string> = {}): Promise<TusAnswer & { uploadId: string | null }> {
  const response = await fetch(`${baseUrl}/v1/uploads`, {
    method: 'POST',
    headers: { 'tus-resumable': '1.0.0', 'upload-length': String(length), ...(Object.keys(metadata).length ? { 'upload-metadata': encodeMetadata(metadata) } : {}), ...auth(token) },
  });
  const result = await answer(response);
  const location = response.headers.get('location');
  return { ...result, uploadId: location ? location.split('/').at(-1)! : null };
}

export async function tusPatch(baseUrl: string, token: string | undefined, uploadId: string, offset: number, bytes: Buffer): Promise<TusAnswer> {
  return answer(
    await fetch(`${baseUrl}/v1/uploads/${uploadId}`, {
      method: 'PATCH',
      headers: { 'tus-resumable': '1.0.0', 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream', ...auth(token) },
      body: new Uint8Array(bytes),
    }),
  );
}

export async function tusHead(baseUrl: string, token: string | undefined, uploadId: string): Promise<TusAnswer> {
  return answer(await fetch(`${baseUrl}/v1/uploads/${uploadId}`, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0', ...auth(token) } }));
}

/** A whole upload in one PATCH; the last answer (the finishing PATCH's), and the upload id. */
export async function upload(baseUrl: string, token: string, bytes: Buffer, metadata: Record<string, string> = {}): Promise<{ uploadId: string; finish: TusAnswer }> {
  const created = await tusCreate(baseUrl, token, bytes.length, metadata);
  if (created.status !== 201 || !created.uploadId) throw new Error(`upload creation answered ${created.status}: ${created.text}`);
  return { uploadId: created.uploadId, finish: await tusPatch(baseUrl, token, created.uploadId, 0, bytes) };
}

/** A small photo-like JPEG (noise, so it does not compress to nothing). */
export async function makeJpeg(width = 64, height = 48, seed = 1): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  let state = seed;
  for (let i = 0; i < pixels.length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    pixels[i] = state & 0xff;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}
