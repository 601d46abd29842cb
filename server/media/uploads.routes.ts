import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Server as TusServer, type ServerOptions } from '@tus/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ulid } from 'ulid';
import Type from 'typebox';
import { errorResponses } from '../infra/http-errors.js';
import { ErrorCode, UPLOADS_PATH } from '../protocol/index.js';
import { UploadIdSchema } from '../protocol/schemas.js';
import { processMedia, UnsupportedMediaError } from './media-processing.js';
import type { UploadState } from './media-repository.js';

/** tus 1.0 (F2): what a request of the protocol carries, for /docs. */
const TUS_VERSION = '1.0.0';
const TUS_HEADERS = Type.Object({ 'tus-resumable': Type.Optional(Type.Literal(TUS_VERSION, { description: 'Required; 412 without it' })) }, { additionalProperties: true });
const TUS_DESCRIPTION =
  'tus 1.0 (https://tus.io/protocols/resumable-upload): creation, HEAD for the offset, PATCH with `Upload-Offset` and `Content-Type: application/offset+octet-stream`, termination. Every request needs `Tus-Resumable: 1.0.0` and the bearer token.';

/** A refusal with the P8 body, raised from a tus hook and answered as JSON. */
class UploadRefusal extends Error {
  constructor(
    readonly status_code: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
  get body(): string {
    return JSON.stringify({ type: 'error', code: this.code, message: this.message });
  }
}

type TusRequest = Parameters<NonNullable<ServerOptions['onUploadCreate']>>[0];

/** Fastify's request as the web Request @tus/server handles; the body streams through, unread by Fastify. */
function webRequest(request: FastifyRequest): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const hasBody = request.method === 'PATCH' || request.method === 'POST';
  return new Request(new URL(request.url, 'http://uploads.invalid'), {
    method: request.method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(request.raw) as ReadableStream, duplex: 'half' } : {}),
  } as RequestInit);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const formatBytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

/** Upload-Metadata `duration_ms`: a hint for containers that carry none (MediaRecorder's WebM). */
const MAX_DURATION_HINT_MS = 24 * 60 * 60 * 1000;
function durationHint(value: string | null | undefined): number | null {
  const ms = Number(value);
  return value && Number.isInteger(ms) && ms >= 0 && ms <= MAX_DURATION_HINT_MS ? ms : null;
}

/**
 * F2: tus uploads under /v1/uploads. Fastify authenticates (401 without a
 * valid bearer token) and checks that the upload is the caller's (404
 * otherwise, as for one that does not exist), then hands the raw request to
 * @tus/server. On the last byte the file is typed by its magic bytes,
 * processed, stored once per content hash, and the staged bytes dropped.
 */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  const { media } = app;
  /** Who sent each request tus is handling (set before handing it over). */
  const callers = new WeakMap<TusRequest, string>();
  const callerOf = (request: TusRequest) => {
    const userId = callers.get(request);
    if (!userId) throw new Error('tus request without an authenticated caller');
    return userId;
  };
  /** Requests answered with a P8 body (the rest carry tus's own plain-text bodies). */
  const answeredInJson = new WeakSet<TusRequest>();

  async function finish(uploadId: string, userId: string, metadata: Record<string, string | null> | undefined): Promise<string> {
    const bytes = await readAll(await media.staging.read(uploadId));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    // F2: the same bytes, however often sent, are processed and stored once.
    let mediaId = await media.repository.mediaBySha(sha256);
    if (mediaId === null) {
      const processed = await processMedia(bytes, { waveform: metadata?.waveform, durationMs: durationHint(metadata?.duration_ms) });
      const storageKey = sha256;
      const thumbKey = processed.thumb ? `${sha256}-thumb` : null;
      await media.store.put(storageKey, processed.bytes, processed.mime);
      if (thumbKey) await media.store.put(thumbKey, processed.thumb!, 'image/webp');
      mediaId = await media.repository.insertMedia({
        id: ulid(),
        sha256,
        kind: processed.kind,
        mime: processed.mime,
        size: processed.bytes.length,
        width: processed.width,
        height: processed.height,
        durationMs: processed.durationMs,
        thumbhash: processed.thumbhash,
        waveform: processed.waveform,
        storageKey,
        thumbKey,
        thumbSize: processed.thumb?.length ?? null,
        createdBy: userId,
      });
    }
    await media.repository.completeUpload(uploadId, mediaId);
    return mediaId;
  }

  const tus = new TusServer({
    path: UPLOADS_PATH,
    datastore: media.staging,
    relativeLocation: true,
    // F2: the id is the Location's last segment; a ULID is URL-safe and sorts by time.
    namingFunction: () => ulid(),
    async onUploadCreate(request, upload) {
      const userId = callerOf(request);
      if (upload.size === undefined) {
        throw new UploadRefusal(400, ErrorCode.InvalidRequest, 'Upload-Length is required (deferred lengths are not supported)');
      }
      if (upload.size > media.maxUploadBytes) {
        throw new UploadRefusal(413, ErrorCode.TooLarge, `the file is ${formatBytes(upload.size)}; files may be at most ${formatBytes(media.maxUploadBytes)}`);
      }
      if (!(await media.repository.createUpload(upload.id, userId, upload.size, media.userQuotaBytes))) {
        throw new UploadRefusal(413, ErrorCode.TooLarge, `your uploads would take more than your ${formatBytes(media.userQuotaBytes)} of storage`);
      }
      return {};
    },
    async onUploadFinish(request, upload) {
      const userId = callerOf(request);
      let refusal: UploadRefusal | null = null;
      try {
        await finish(upload.id, userId, upload.metadata);
      } catch (error) {
        // Any other failure (storage down) keeps the staged bytes: the
        // client's retry of the last PATCH finishes the upload then.
        if (!(error instanceof UnsupportedMediaError)) throw error;
        await media.repository.failUpload(upload.id, error.message);
        refusal = new UploadRefusal(415, ErrorCode.UnsupportedMedia, error.message);
      }
      // Processed or refused (F4: refused bytes are not kept), the staged copy has served its purpose.
      await media.discardStaged(upload.id);
      if (refusal) throw refusal;
      return {};
    },
    onResponseError(request, error) {
      let refusal: UploadRefusal;
      if (error instanceof UploadRefusal) refusal = error;
      else if ('status_code' in error && error.status_code < 500) return undefined; // tus's own answers (409 offset, 412, …)
      else {
        // As elsewhere (app.ts): logged here, never shown to the client.
        app.log.error({ err: error }, 'upload failed');
        refusal = new UploadRefusal(503, ErrorCode.Unavailable, 'the server could not complete the upload; try again');
      }
      answeredInJson.add(request);
      return { status_code: refusal.status_code, body: refusal.body };
    },
  });

  interface TusAnswer {
    status: number;
    headers: Headers;
    body: string;
    json: boolean;
  }

  /** Hands the request to tus and collects its answer. */
  async function handOver(request: FastifyRequest, userId: string): Promise<TusAnswer> {
    const web = webRequest(request);
    callers.set(web, userId);
    const response = await tus.handleWeb(web);
    return { status: response.status, headers: response.headers, body: await response.text(), json: answeredInJson.has(web) };
  }

  /** Sends an answer through Fastify (so helmet's headers and logging apply). */
  function send(reply: FastifyReply, answer: TusAnswer) {
    reply.code(answer.status);
    answer.headers.forEach((value, name) => {
      if (name !== 'content-length') reply.header(name, value);
    });
    if (answer.json) reply.header('content-type', 'application/json; charset=utf-8');
    return reply.send(answer.body === '' ? undefined : answer.body);
  }

  /**
   * F2: the answer for an upload that has ended, from its row: the staged
   * bytes are gone by then, so tus alone would say 404 and a client whose
   * answer to the last PATCH was lost would start again from zero, or (asking
   * while the server was still processing) count the upload done before it
   * was. HEAD shows the whole length; a PATCH at the end (the client's way
   * to ask how it ended) answers 204 for a processed file and 415 with the
   * reason for a refused one. Null while the upload has not ended.
   */
  function endedAnswer(method: string, offsetHeader: string | undefined, state: UploadState): TusAnswer | null {
    const headers = new Headers({ 'Tus-Resumable': TUS_VERSION, 'Cache-Control': 'no-store' });
    if (state.error !== null) {
      const refusal = new UploadRefusal(415, ErrorCode.UnsupportedMedia, state.error);
      return { status: 415, headers, body: method === 'HEAD' ? '' : refusal.body, json: method !== 'HEAD' };
    }
    if (state.media_id === null || method === 'DELETE') return null;
    headers.set('Upload-Offset', String(state.size));
    if (method === 'HEAD') {
      headers.set('Upload-Length', String(state.size));
      return { status: 200, headers, body: '', json: false };
    }
    return { status: Number(offsetHeader) === state.size ? 204 : 409, headers, body: '', json: false };
  }

  // PATCH bodies (and a creation request's optional first chunk) are read by tus itself.
  app.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) => done(null));

  app.post(
    UPLOADS_PATH,
    {
      // Creation counts against the per-user REST budget; the PATCHes of an upload do not (they are bounded by its length).
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['files'],
        summary: 'F2: create a tus upload',
        description: `${TUS_DESCRIPTION} \`Upload-Length\` is required; \`Upload-Metadata\` may carry \`filename\`, \`filetype\` (ignored: the type comes from the bytes), and for voice notes \`waveform\` (base64 of up to 64 levels 0–255) and \`duration_ms\`. Answers 201 with \`Location: /v1/uploads/{id}\`; the upload id is its last segment. 413 over the per-file limit or the user's quota. A creation that carries the whole file is processed at once (415 as for PATCH).`,
        security: [{ bearer: [] }],
        headers: TUS_HEADERS,
        response: { 201: Type.Null({ description: 'Created; see Location' }), ...errorResponses(400, 401, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      return send(reply, await handOver(request, userId));
    },
  );

  for (const method of ['HEAD', 'PATCH', 'DELETE'] as const) {
    app.route({
      method,
      url: `${UPLOADS_PATH}/:id`,
      schema: {
        tags: ['files'],
        summary: {
          HEAD: 'F2: an upload\'s offset (resume from there)',
          PATCH: 'F2: append bytes at Upload-Offset; the last byte finishes the upload',
          DELETE: 'F2: abandon an upload',
        }[method],
        description: `${TUS_DESCRIPTION} Only the uploader may touch an upload (404 for anyone else, as for an id that does not exist).${
          method === 'PATCH'
            ? ' On the last byte the file is typed by its magic bytes: anything but JPEG, PNG, WebP, GIF, WebM, Ogg, MP3, M4A or WAV is refused with 415 `unsupported_media` and the bytes deleted. Images are re-encoded without metadata (EXIF, GPS, XMP, IPTC). Once an upload has ended, an empty PATCH at its length answers how it ended (204 processed, 415 refused with the reason): the way to learn it after the answer to the last PATCH was lost.'
            : method === 'HEAD'
              ? ' An upload that has ended shows its whole length (processed) or answers 415 (refused).'
              : ''
        }`,
        security: [{ bearer: [] }],
        params: Type.Object({ id: UploadIdSchema }),
        headers: TUS_HEADERS,
        response: { 204: Type.Null(), 200: Type.Null(), ...errorResponses(400, 401, 404, 409, 415, 503) },
      },
      handler: async (request, reply) => {
        const { userId } = await app.authenticate(request);
        const { id } = request.params as { id: string };
        const offset = request.headers['upload-offset'] as string | undefined;
        const state = await media.repository.uploadState(id);
        if (state?.user_id !== userId) {
          return reply.code(404).send({ type: 'error', code: ErrorCode.NotFound, message: 'no such upload' });
        }
        const ended = endedAnswer(method, offset, state);
        if (ended) return send(reply, ended);
        const answer = await handOver(request, userId);
        // It ended while this request waited for the upload's lock (another
        // request was processing the last bytes): answer how it ended.
        const endedMeanwhile = answer.status === 404 ? await media.repository.uploadState(id) : null;
        return send(reply, (endedMeanwhile && endedAnswer(method, offset, endedMeanwhile)) ?? answer);
      },
    });
  }
};

export default routes;
