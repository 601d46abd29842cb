/**
 * Upload resume (issue 16): a 20 MB file uploaded by the app's own tus client
 * (client/src/shared/sync/tus-upload.ts: 512 KiB PATCHes, HEAD to resume)
 * through a TCP proxy that cuts every connection every 2 s. The link is
 * also slowed to UPLOAD_LINK_MBIT (8 Mbit/s up, as a phone's uplink), since
 * on loopback the whole file would be across before the first cut. Each
 * interruption is resumed at once, as a new uploadFile() call on the same
 * file row (the worker's retry does the same after its backoff).
 *
 * Counted: bytes in PATCH bodies (fetch wrapped), bytes the proxy relayed to
 * the server, cuts during the upload, resumes, HEADs; chunks re-sent =
 * (PATCH body bytes − file size) / chunk size. Target: re-sent chunks ≤ cuts.
 * Prints `RESULT {json}` for run.ts.
 *
 *   node --import tsx tests/bench/upload-resume.ts
 *
 * Needs PostgreSQL (lib/servers.ts: BENCH_DATABASE_URL, DATABASE_URL or the default).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import sharp from 'sharp';
import { startServer, type RunningServer } from './lib/servers.js';
import { killAllNow, stopAll } from './lib/procs.js';

const CUT_EVERY_MS = Number(process.env.UPLOAD_CUT_MS ?? 2_000);
const LINK_MBIT = Number(process.env.UPLOAD_LINK_MBIT ?? 8);
/** 2572 × 2572 RGB of random bytes: a PNG of ~20 MiB (the server's limit is 25 MiB). */
const SIDE = Number(process.env.UPLOAD_SIDE ?? 2572);
const UPLOAD_TIMEOUT_MS = 5 * 60_000;
const MAX_ATTEMPTS = 2_000;
const SERVER_WAIT_MS = 60_000;

const log = (line: string) => process.stderr.write(`[upload-resume ${(performance.now() / 1000).toFixed(1)}s] ${line}\n`);

// ------------------------------------------------------------ the client code

/** client/src/shared/db/whisper-db.ts FileRow, as far as used here. */
interface FileRow {
  id: string;
  client_id: string;
  index: number;
  blob: Blob;
  name: string;
  mime: string;
  size: number;
  kind: 'image' | 'audio';
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  waveform: string | null;
  upload_url: string | null;
  upload_offset: number;
  upload_id: string | null;
  state: 'queued' | 'uploading' | 'done' | 'refused';
}
interface TusModule {
  UPLOAD_CHUNK_SIZE: number;
  UploadInterrupted: new (message: string) => Error;
  uploadFile(
    db: unknown,
    fileId: string,
    options: { endpoint: string; token: string; fetch?: typeof fetch; chunkSize?: number; onRefused(file: FileRow, message: string): Promise<void> },
  ): Promise<'done' | 'refused' | 'gone'>;
}
// A computed specifier: the root tsconfig (NodeNext) must not compile client sources.
const tusPath = '../../client/src/shared/sync/tus-upload.ts';
const tus = (await import(tusPath)) as TusModule;

/** The only part of the Dexie database uploadFile touches (filesTable.get / update): the `files` table, in memory. */
function memoryDatabase(rows: FileRow[]) {
  const files = new Map(rows.map((row) => [row.id, { ...row }]));
  return {
    files: {
      get: async (id: string) => (files.has(id) ? { ...files.get(id)! } : undefined),
      update: async (id: string, changes: Partial<FileRow>) => {
        const row = files.get(id);
        if (!row) return 0;
        Object.assign(row, changes);
        return 1;
      },
    },
    row: (id: string) => files.get(id),
  };
}

// ------------------------------------------------------------ the bad link

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  dead: boolean;
}

/**
 * A TCP relay to the server: uploader → server bytes go through a shared
 * link of LINK_MBIT (each chunk is delivered when the link would have
 * carried it); every CUT_EVERY_MS all connections are destroyed both ways,
 * bytes still "on the wire" lost.
 */
class CuttingProxy {
  readonly pairs = new Set<Pair>();
  private readonly server: net.Server;
  private linkBusyUntil = 0;
  private timer: NodeJS.Timeout | undefined;
  bytesToServer = 0;
  connections = 0;
  cuts = 0;
  cutsWithOpenConnections = 0;
  connectionsCut = 0;

  constructor(private readonly targetPort: number) {
    const bytesPerMs = (LINK_MBIT * 1_000_000) / 8 / 1000;
    this.server = net.createServer((client) => {
      this.connections++;
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      const pair: Pair = { client, upstream, dead: false };
      this.pairs.add(pair);
      const kill = () => {
        if (pair.dead) return;
        pair.dead = true;
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('data', (data: Buffer) => {
        const now = performance.now();
        const start = Math.max(now, this.linkBusyUntil);
        this.linkBusyUntil = start + data.length / bytesPerMs;
        client.pause();
        setTimeout(() => {
          if (pair.dead) return;
          this.bytesToServer += data.length;
          upstream.write(data);
          client.resume();
        }, this.linkBusyUntil - now);
      });
      upstream.on('data', (data: Buffer) => {
        if (!pair.dead) client.write(data);
      });
      for (const socket of [client, upstream]) {
        socket.on('error', kill);
        socket.on('close', kill);
      }
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  startCutting(): void {
    this.timer = setInterval(() => this.cutAll(), CUT_EVERY_MS);
  }

  stopCutting(): void {
    clearInterval(this.timer);
  }

  cutAll(): void {
    this.cuts++;
    if (this.pairs.size > 0) this.cutsWithOpenConnections++;
    for (const pair of [...this.pairs]) {
      this.connectionsCut++;
      pair.dead = true;
      pair.client.destroy();
      pair.upstream.destroy();
    }
    this.pairs.clear();
    // What was queued on the link is gone with the connections.
    this.linkBusyUntil = performance.now();
  }

  async close(): Promise<void> {
    this.stopCutting();
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// ------------------------------------------------------------ the run

async function noisePng(): Promise<Buffer> {
  const raw = randomBytes(SIDE * SIDE * 3);
  return sharp(raw, { raw: { width: SIDE, height: SIDE, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

let server: RunningServer | undefined;
let proxy: CuttingProxy | undefined;
async function cleanup(): Promise<void> {
  await proxy?.close().catch(() => undefined);
  await server?.stop().catch(() => undefined);
  // server.stop() dropped its own database; other people's bench databases are left alone.
  await stopAll();
}
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().finally(() => process.exit(1)));
}

try {
  const png = await noisePng();
  log(`file: ${SIDE}×${SIDE} noise PNG, ${png.length} bytes (${(png.length / 1024 / 1024).toFixed(2)} MiB)`);

  server = await startServer('whisper');
  const serverPort = Number(new URL(server.url).port);
  const direct = `http://127.0.0.1:${serverPort}`;
  log(`server pid ${server.pid} on ${direct}`);
  const session = await fetch(`${direct}/v1/session`, { method: 'POST' });
  if (!session.ok) throw new Error(`POST /v1/session answered ${session.status}`);
  const { token } = (await session.json()) as { token: string };

  proxy = new CuttingProxy(serverPort);
  const proxyPort = await proxy.listen();
  const origin = `http://127.0.0.1:${proxyPort}`;
  log(`proxy on ${origin}: ${LINK_MBIT} Mbit/s up, every connection cut every ${CUT_EVERY_MS} ms`);

  const chunkSize = tus.UPLOAD_CHUNK_SIZE;
  const counts = { patches: 0, patchBodyBytes: 0, patchesFailed: 0, heads: 0, posts: 0, statuses: {} as Record<string, number> };
  const countingFetch: typeof fetch = async (input, init) => {
    const method = init?.method ?? 'GET';
    if (method === 'PATCH') {
      counts.patches++;
      counts.patchBodyBytes += (init?.body as Blob).size;
    } else if (method === 'HEAD') counts.heads++;
    else if (method === 'POST') counts.posts++;
    try {
      const response = await fetch(input, init);
      counts.statuses[`${method} ${response.status}`] = (counts.statuses[`${method} ${response.status}`] ?? 0) + 1;
      return response;
    } catch (error) {
      if (method === 'PATCH') counts.patchesFailed++;
      counts.statuses[`${method} failed`] = (counts.statuses[`${method} failed`] ?? 0) + 1;
      throw error;
    }
  };

  const fileId = 'upload-bench-file';
  const db = memoryDatabase([
    {
      id: fileId,
      client_id: 'upload-bench-message',
      index: 0,
      blob: new Blob([new Uint8Array(png)], { type: 'image/png' }),
      name: 'noise.png',
      mime: 'image/png',
      size: png.length,
      kind: 'image',
      width: SIDE,
      height: SIDE,
      duration_ms: null,
      waveform: null,
      upload_url: null,
      upload_offset: 0,
      upload_id: null,
      state: 'queued',
    },
  ]);
  let refusal: string | null = null;
  const options = {
    endpoint: `${origin}/v1/uploads`,
    token,
    fetch: countingFetch,
    chunkSize,
    onRefused: async (_file: FileRow, message: string) => {
      refusal = message;
    },
  };

  let resumes = 0;
  let outcome: string = 'none';
  const interruptions: string[] = [];
  const started = performance.now();
  proxy.startCutting();
  for (let attempt = 1; ; attempt++) {
    if (attempt > MAX_ATTEMPTS || performance.now() - started > UPLOAD_TIMEOUT_MS) throw new Error(`not done after ${attempt - 1} attempts`);
    try {
      outcome = await tus.uploadFile(db, fileId, options);
      break;
    } catch (error) {
      if (!(error instanceof tus.UploadInterrupted)) throw error;
      resumes++;
      interruptions.push((error as Error).message);
      if (process.env.UPLOAD_DEBUG) log(`interrupted at ${db.row(fileId)!.upload_offset}: ${(error as Error).message}`);
    }
  }
  const totalMs = performance.now() - started;
  proxy.stopCutting();
  const row = db.row(fileId)!;
  log(`${outcome} in ${(totalMs / 1000).toFixed(1)} s; upload ${row.upload_id}`);

  // The server's own word: the upload is complete and became a media row.
  // The client stops at the HEAD's offset = size, which tus answers once the
  // last byte is staged, possibly while the file is still being processed:
  // wait (at most SERVER_WAIT_MS) and say how long that took.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  let stored: { media_id: string | null; error: string | null; completed_at: Date | null } | null = null;
  let completeOnServer = false;
  const waitStarted = performance.now();
  for (;;) {
    const { rows } = await client.query<{ media_id: string | null; error: string | null; completed_at: Date | null }>(
      'SELECT media_id, error, completed_at FROM uploads WHERE id = $1',
      [row.upload_id],
    );
    stored = rows[0] ?? null;
    completeOnServer = stored?.media_id != null;
    if (completeOnServer || stored?.error || performance.now() - waitStarted > SERVER_WAIT_MS) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const serverCompleteAfterClientDoneMs = completeOnServer ? Math.round(performance.now() - waitStarted) : null;
  await client.end();
  log(`on the server: ${JSON.stringify(stored)} (${serverCompleteAfterClientDoneMs} ms after the client's done)`);

  const resentBytes = counts.patchBodyBytes - png.length;
  const resentChunks = resentBytes / chunkSize;
  const cuts = proxy.cuts;
  const reasons: Record<string, number> = {};
  for (const reason of interruptions) reasons[reason] = (reasons[reason] ?? 0) + 1;
  const result = {
    fileBytes: png.length,
    chunkSize,
    chunks: Math.ceil(png.length / chunkSize),
    linkMbit: LINK_MBIT,
    cutEveryMs: CUT_EVERY_MS,
    outcome,
    refusal,
    completeOnServer,
    serverError: stored?.error ?? null,
    serverCompleteAfterClientDoneMs,
    totalMs: Math.round(totalMs),
    cuts,
    cutsWithOpenConnections: proxy.cutsWithOpenConnections,
    connectionsCut: proxy.connectionsCut,
    connections: proxy.connections,
    resumes,
    interruptions: reasons,
    requests: { patches: counts.patches, patchesFailed: counts.patchesFailed, heads: counts.heads, posts: counts.posts, statuses: counts.statuses },
    patchBodyBytes: counts.patchBodyBytes,
    proxyBytesToServer: proxy.bytesToServer,
    resentBytes,
    resentChunks: Number(resentChunks.toFixed(2)),
    resentChunksPerCut: cuts > 0 ? Number((resentChunks / cuts).toFixed(2)) : null,
    sentOverFileSize: Number((counts.patchBodyBytes / png.length).toFixed(3)),
    target: 'a 20 MB upload over a link cut every 2 s finishes, with at most one 512 KiB chunk re-sent per cut (PATCH body bytes − file size ≤ cuts × chunk size)',
    met: outcome === 'done' && completeOnServer && resentChunks <= cuts,
  };
  console.log(`RESULT ${JSON.stringify(result)}`);
} catch (error) {
  log(`failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanup();
  process.exit();
}
