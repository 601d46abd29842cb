/** Where S3-compatible storage is (S3_* in server/config.ts). */
export interface S3Options {
  bucket: string;
  region: string;
  /** Absent: AWS itself. */
  endpoint?: string;
  /** MinIO, s3rver and most self-hosted stores want bucket-in-path URLs. */
  forcePathStyle?: boolean;
  /** Absent: the SDK's default chain (environment, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface MediaOptions {
  /** Absent S3: tus staging under dataDir/uploads and media under dataDir/media. */
  dataDir?: string;
  /** UPLOAD_MAX_BYTES: largest file (F4). */
  maxUploadBytes?: number;
  /** UPLOAD_USER_QUOTA_BYTES: most bytes one person's uploads may hold at once. */
  userQuotaBytes?: number;
  /** UPLOAD_TTL_MS: how long an upload (and media) never attached to a message is kept. */
  uploadTtlMs?: number;
  /** How often the cleanup sweep runs. */
  sweepIntervalMs?: number;
  /** Present: uploads are staged and media kept in S3, so any instance can resume and serve any of them (S6). */
  s3?: S3Options;
}

export const DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
export const DEFAULT_USER_QUOTA_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;
/** Often enough that nothing outlives its TTL by much, rarely enough to cost nothing. */
export const DEFAULT_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

export function s3ClientConfig(s3: S3Options) {
  return {
    region: s3.region,
    // S3-compatible stores (MinIO, s3rver, Ceph, older R2) do not all
    // understand the SDK's default streaming checksums (aws-chunked bodies
    // with trailers) and would store the framing as data; checksums are sent
    // only where an operation requires them.
    ...(s3.endpoint ? { endpoint: s3.endpoint, requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const } : {}),
    forcePathStyle: s3.forcePathStyle ?? false,
    ...(s3.credentials ? { credentials: s3.credentials } : {}),
  };
}
