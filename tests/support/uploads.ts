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

/** A mono 16-bit PCM WAV of `ms` milliseconds of a tone. */
export function makeWav(ms: number, sampleRate = 8000): Buffer {
  const samples = Math.round((sampleRate * ms) / 1000);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(8000 * Math.sin((i / sampleRate) * 2 * Math.PI * 440)), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
