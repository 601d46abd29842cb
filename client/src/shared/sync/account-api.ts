import { ACCOUNTS_PATH, ME_PATH, SESSION_PATH, SESSIONS_PATH, type AccountResponse, type Me, type PatchMeBody } from '@whisper/protocol';

/** REST calls of accounts and sessions (A1–A5). */

/**
 * A refusal from the server: `code` is its error code (username_taken,
 * weak_password, invalid_credentials, rate_limited, …), `message` its
 * explanation. `status` 0: the server could not be reached at all.
 */
export class AccountApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds to wait before trying again (429). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'AccountApiError';
  }
  /** The request never got an answer: offline, or the server is down. */
  get unreachable(): boolean {
    return this.status === 0;
  }
}

async function call<T>(origin: string, method: string, path: string, { token, body }: { token?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${origin}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new AccountApiError(0, 'unreachable', error instanceof Error ? error.message : String(error));
  }
  if (response.status === 204) return undefined as T;
  const payload = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('retry-after')) || undefined;
    throw new AccountApiError(response.status, payload.code ?? `http_${response.status}`, payload.message ?? `HTTP ${response.status}`, retryAfter);
  }
  return payload as T;
}

/** A1 with `token` (the anonymous identity becomes an account, same user_id); without, a new account. */
export const createAccount = (origin: string, username: string, password: string, token?: string) =>
  call<AccountResponse>(origin, 'POST', ACCOUNTS_PATH, { token, body: { username, password } });

/** A2: log in on this device. */
export const createSession = (origin: string, username: string, password: string) =>
  call<{ user_id: string; token: string }>(origin, 'POST', SESSION_PATH, { body: { username, password } });

/** A4: revokes this device's session (`everywhere`: every session of the user). */
export const deleteSession = (origin: string, token: string, everywhere = false) =>
  call<void>(origin, 'DELETE', everywhere ? SESSIONS_PATH : SESSION_PATH, { token });

/** A5 */
export const fetchMe = (origin: string, token: string) => call<Me>(origin, 'GET', ME_PATH, { token });
export const patchMe = (origin: string, token: string, changes: PatchMeBody) => call<Me>(origin, 'PATCH', ME_PATH, { token, body: changes });
