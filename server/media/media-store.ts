import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { s3ClientConfig, type S3Options } from './media-options.js';

/** Bytes start..end, both inclusive (as in an HTTP Range). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where processed media live (F5): files under DATA_DIR/media for one
 * instance, S3 when several share the load (S6). Keys are content hashes
 * (F2), so writing the same key twice writes the same bytes.
 */
export interface MediaStore {
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  get(key: string, range?: ByteRange): Promise<Readable>;
  delete(key: string): Promise<void>;
}

/** Keys are hex digests with a suffix; anything else would be a bug, and must not become a path. */
const KEY_PATTERN = /^[0-9a-f]{64}(-[a-z]+)?$/;

function checkKey(key: string): string {
  if (!KEY_PATTERN.test(key)) throw new Error(`bad media key ${JSON.stringify(key)}`);
  return key;
}

export function fileMediaStore(dir: string): MediaStore {
  // Two levels of fan-out keep directories small.
  const fileOf = (key: string) => path.join(dir, checkKey(key).slice(0, 2), key);
  return {
    async put(key, bytes) {
      const file = fileOf(key);
      await fs.mkdir(path.dirname(file), { recursive: true });
      // Written aside and renamed, so a reader never sees half a file.
      const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
      await fs.writeFile(temporary, bytes);
      await fs.rename(temporary, file);
    },
    async get(key, range) {
      const stream = createReadStream(fileOf(key), range ? { start: range.start, end: range.end } : {});
      // Surface a missing file here rather than as a stream error mid-response.
      await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
      return stream;
    },
    async delete(key) {
      await fs.rm(fileOf(key), { force: true });
    },
  };
}

export function s3MediaStore(s3: S3Options, prefix = 'media/'): MediaStore {
  const client = new S3Client(s3ClientConfig(s3));
  const Key = (key: string) => `${prefix}${checkKey(key)}`;
  return {
    async put(key, bytes, contentType) {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: Key(key), Body: bytes, ContentType: contentType }));
    },
    async get(key, range) {
      const answer = await client.send(
        new GetObjectCommand({ Bucket: s3.bucket, Key: Key(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      if (!(answer.Body instanceof Readable)) throw new Error('S3 answered without a body stream');
      return answer.Body;
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: Key(key) }));
    },
  };
}
