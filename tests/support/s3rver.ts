import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

/** s3rver's built-in credentials (it checks signatures). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  close(): Promise<void>;
}

interface KoaContext {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  status: number;
  type: string;
  body: unknown;
}

const xmlError = (code: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${code}</Message></Error>`;

/**
 * s3rver lacks ListParts and AbortMultipartUpload, which S3, MinIO and R2
 * have and @tus/s3-store needs to resume (it asks which parts are there).
 * This answers them from s3rver's own part files, ahead of its router.
 */
function multipartShim(store: { getResourcePath(bucket: string, key: undefined, resource: string): string }) {
  return async (ctx: KoaContext, next: () => Promise<void>) => {
    const uploadId = ctx.query.uploadId;
    if (!uploadId || (ctx.method !== 'GET' && ctx.method !== 'DELETE')) return next();
    const [bucket, ...key] = ctx.path.slice(1).split('/');
    const dir = path.join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
    if (!fs.existsSync(dir)) {
      ctx.status = 404;
      ctx.type = 'application/xml';
      ctx.body = xmlError('NoSuchUpload');
      return;
    }
    if (ctx.method === 'DELETE') {
      fs.rmSync(dir, { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    const parts = fs
      .readdirSync(dir)
      .filter((file) => /^\d+$/.test(file))
      .map(Number)
      .sort((a, b) => a - b)
      .map((n) => {
        const size = fs.statSync(path.join(dir, String(n))).size;
        const md5 = fs.readFileSync(path.join(dir, `${n}.md5`), 'utf8');
        return `<Part><PartNumber>${n}</PartNumber><ETag>"${md5}"</ETag><Size>${size}</Size></Part>`;
      });
    ctx.status = 200;
    ctx.type = 'application/xml';
    ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult><Bucket>${bucket}</Bucket><Key>${decodeURIComponent(key.join('/'))}</Key><UploadId>${uploadId}</UploadId><IsTruncated>false</IsTruncated>${parts.join('')}</ListPartsResult>`;
  };
}

/** s3rver on 127.0.0.1, a random port and a temporary directory, with one bucket. */
export async function startS3rver(bucket = 'whisper-test'): Promise<LocalS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket, configs: [] }] });
  const koa = server as unknown as { middleware: unknown[]; store: Parameters<typeof multipartShim>[0] };
  koa.middleware.unshift(multipartShim(koa.store));
  const { port } = (await server.run()) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    async close() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
