import { AccountApiError } from './account-api';

/**
 * A5: a profile picture's upload (tus, F2), in the page and at once: a
 * picture is small and set while online (like the display name), so there
 * is no queue and no resume here; a cut upload fails and the user picks
 * Save again. The server types, re-encodes and strips it (F1, F4).
 */

// The protocol's UPLOADS_PATH and tus-upload.ts's TUS_VERSION, written out:
// importing them from here would have the bundler export them from the first
// screen's chunks for this lazy one, which costs the initial JavaScript bytes.
const UPLOADS_PATH = '/v1/uploads';
const TUS_VERSION = '1.0.0';

async function send(url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new AccountApiError(0, 'unreachable', error instanceof Error ? error.message : String(error));
  }
  if (response.ok) return response;
  // 413 too_large, 415 unsupported_media: the server's words.
  const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
  throw new AccountApiError(response.status, body.code ?? `http_${response.status}`, body.message ?? `HTTP ${response.status}`);
}

/** Uploads `image` and answers its upload id, for PATCH /v1/me `avatar_upload_id`. */
export async function uploadAvatar(origin: string, token: string, image: Blob): Promise<string> {
  const headers = { Authorization: `Bearer ${token}`, 'Tus-Resumable': TUS_VERSION };
  const created = await send(`${origin}${UPLOADS_PATH}`, { method: 'POST', headers: { ...headers, 'Upload-Length': String(image.size) } });
  const location = created.headers.get('Location');
  if (!location) throw new AccountApiError(created.status, 'no_location', 'The server did not say where to upload the picture.');
  const url = new URL(location, origin).href;
  await send(url, {
    method: 'PATCH',
    headers: { ...headers, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' },
    body: image,
  });
  return new URL(url).pathname.split('/').filter(Boolean).pop() ?? '';
}
