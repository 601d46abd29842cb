import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { FileStore } from '@tus/file-store';
import { S3Store } from '@tus/s3-store';
import fp from 'fastify-plugin';
import { createMediaRepository, type MediaRepository } from './media-repository.js';
import {
  DEFAULT_MAX_UPLOAD_BYTES,
  DEFAULT_SWEEP_INTERVAL_MS,
  DEFAULT_UPLOAD_TTL_MS,
  DEFAULT_USER_QUOTA_BYTES,
  s3ClientConfig,
  type MediaOptions,
} from './media-options.js';
import { fileMediaStore, s3MediaStore, type MediaStore } from './media-store.js';

/** F2: where tus keeps the bytes of uploads in progress (both have read(), which DataStore does not declare). */
export type StagingStore = FileStore | S3Store;

export interface MediaService {
  repository: MediaRepository;
  store: MediaStore;
  staging: StagingStore;
  maxUploadBytes: number;
  userQuotaBytes: number;
  uploadTtlMs: number;
  /** How long a signed media URL works. */
  signedUrlTtlMs: number;
  /** Drops an upload's staged bytes (processed, refused or expired); never throws. */
  discardStaged(uploadId: string): Promise<void>;
  /** Cleanup: forgets uploads and media nothing refers to that are older than the TTL. */
  sweep(now?: Date): Promise<{ uploads: number; media: number }>;
}

declare module 'fastify' {
  interface FastifyInstance {
    media: MediaService;
  }
}

/** Long enough to load a screenful of photos, short enough that a leaked URL soon stops working. */
export const DEFAULT_SIGNED_URL_TTL_MS = 10 * 60 * 1000;

export interface MediaPluginOptions extends MediaOptions {
  signedUrlTtlMs?: number;
}

/** Files (F1–F5): staging, storage, the repository and the cleanup sweep. */
export default fp<MediaPluginOptions>(
  async (app, options) => {
    // Tests run many apps at once: each gets a directory of its own unless told.
    const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-media-'));
    const s3 = options.s3;
    const store = s3 ? s3MediaStore(s3) : fileMediaStore(path.join(dataDir, 'media'));
    const staging: StagingStore = s3
      ? // Tags would mark finished uploads for lifecycle rules; the sweep does that job here.
        new S3Store({ useTags: false, s3ClientConfig: { bucket: s3.bucket, ...s3ClientConfig(s3) } })
      : new FileStore({ directory: path.join(dataDir, 'uploads') });
    const repository = createMediaRepository(app.db);
    const s3Client = s3 ? new S3Client(s3ClientConfig(s3)) : null;

    async function discardStaged(uploadId: string) {
      try {
        await staging.remove(uploadId);
      } catch (error) {
        if (!s3Client || !s3) {
          app.log.warn({ err: error, uploadId }, 'staged upload not removed');
          return;
        }
        // @tus/s3-store's remove() first aborts the multipart upload, which a
        // completed one no longer has (NoSuchUpload), and then gives up
        // before deleting the objects; delete them here.
        for (const key of [uploadId, `${uploadId}.info`, `${uploadId}.part`]) {
          await s3Client
            .send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: key }))
            .catch((failure: unknown) => app.log.warn({ err: failure, key }, 'staged object not removed'));
        }
      }
    }
    const uploadTtlMs = options.uploadTtlMs ?? DEFAULT_UPLOAD_TTL_MS;

    async function sweep(now = new Date()) {
      const cutoff = new Date(now.getTime() - uploadTtlMs);
      const uploads = await repository.deleteExpiredUploads(cutoff);
      for (const upload of uploads) {
        if (upload.staged) await discardStaged(upload.id);
      }
      const media = await repository.deleteUnreferencedMedia(cutoff);
      for (const row of media) {
        for (const key of [row.storage_key, row.thumb_key]) {
          if (key) await store.delete(key).catch((error: unknown) => app.log.warn({ err: error, key }, 'media object not deleted'));
        }
      }
      return { uploads: uploads.length, media: media.length };
    }

    app.decorate('media', {
      repository,
      store,
      staging,
      maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
      userQuotaBytes: options.userQuotaBytes ?? DEFAULT_USER_QUOTA_BYTES,
      uploadTtlMs,
      signedUrlTtlMs: options.signedUrlTtlMs ?? DEFAULT_SIGNED_URL_TTL_MS,
      discardStaged,
      sweep,
    });

    // Unref'd: a pending sweep never keeps the process (or a test) alive.
    const timer = setInterval(() => {
      sweep().catch((error: unknown) => app.log.warn({ err: error }, 'media sweep failed'));
    }, options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  },
  { name: 'media', dependencies: ['db', 'auth'] },
);
