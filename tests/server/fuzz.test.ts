/**
 * R2: bad input gets P7/P8 answers and the process keeps serving.
 *
 * Property-based fuzzing (fast-check) of the chat socket and the REST API
 * against the real app (in-process, real PostgreSQL). Every socket property
 * checks, for every generated input:
 *   - the answers match an oracle of the documented protocol (README, P7/P8):
 *     which error code, which items are rejected (with any code that applies
 *     to them), which are acked and in what order;
 *   - the same socket still answers `{"type":"ping"}` within a deadline, or
 *     it was closed with an expected code (1009 oversized, 1008 flood, 4401
 *     bad token; 1007 for text frames that are not UTF-8, which RFC 6455
 *     §8.1 requires; 1002 for broken WebSocket framing on a raw connection);
 *   - what was acked is exactly what is stored for that user, verbatim, and
 *     nothing rejected was stored (S3: one message per client_id);
 *   - a "canary" socket sending valid messages keeps getting acks throughout.
 * The REST properties check status codes and bodies against the same item
 * oracle, history pages against the table, and forged tokens against P1.
 * Process-level failures (uncaught exceptions, unhandled rejections, a
 * blocked event loop) fail the run, and the last test checks /healthz, the
 * canary, leaked sockets and database connections. Each run connects from a
 * loopback address of its own, so the per-address limits see separate
 * clients (see nextIp).
 *
 * Bugs this found are pinned by the tests under "R2 regressions".
 *
 * Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx vitest run --project server tests/server/fuzz.test.ts
 *
 * Reproducible: a fixed seed by default. FUZZ_SEED=<int> picks another run,
 * FUZZ_RUNS=<n> sets the number of runs of every property, FUZZ_SHRINK=1
 * shrinks a failing input (slower; otherwise the first failure is reported
 * with its seed and path).
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { createHmac } from 'node:crypto';
import httpClient from 'node:http';
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import fc from 'fast-check';
import { ulid } from 'ulid';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_ID_PATTERN,
  CloseCode,
  DEFAULT_ROOM_ID,
  ErrorCode,
  HISTORY_DEFAULT_LIMIT,
  HISTORY_MAX_LIMIT,
  MAX_BATCH_SIZE,
  MAX_CONTENT_LENGTH,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  ROOM_ID_PATTERN,
} from '../../server/protocol/index.js';
import { FLOOD_BURST_FRAMES } from '../../server/realtime/chat-socket.js';
import { startTestServer, TEST_TOKEN_SECRET, type TestServer } from '../support/test-server.js';

// ---------------------------------------------------------------------------
// Configuration

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return value;
}

const SEED = envInt('FUZZ_SEED') ?? 20_260_221;
const RUNS = envInt('FUZZ_RUNS');
const SHRINK = process.env.FUZZ_SHRINK === '1';

/** A live socket must answer a ping this fast even right after hostile input. */
const PONG_DEADLINE_MS = 3_000;
/** Queued work (a batch of up to 100 items, a catch-up) must be answered by then. */
const FENCE_DEADLINE_MS = 15_000;
const CLOSE_DEADLINE_MS = 5_000;
const HTTP_DEADLINE_MS = 10_000;
const CANARY_ACK_DEADLINE_MS = 5_000;
const CANARY_INTERVAL_MS = 40;
/** The event loop must never be blocked this long (a wedge). */
const MAX_EVENT_LOOP_DELAY_MS = 2_000;
/** RFC 6455 §8.1: a text frame that is not UTF-8 fails the connection with 1007. */
const INVALID_UTF8_CLOSE = 1007;
/** RFC 6455 §7.4.1: broken WebSocket framing is closed with 1002. */
const PROTOCOL_ERROR_CLOSE = 1002;

/** A second room, so that room_id is not always the default. */
const EXTRA_ROOM = 'fuzz-room';
const EXISTING_ROOMS = new Set([DEFAULT_ROOM_ID, EXTRA_ROOM]);
/** Stands for the socket's own user id in generated frames; replaced before sending. */
const SELF = 'self-user-id-sentinel';
const SELF_JSON = JSON.stringify(SELF);
/** Fences are syncs of rooms that do not exist: queued behind the frame before them, answered with unknown_room. */
const FENCE_PREFIX = 'zz-fence-';

const clientIdPattern = new RegExp(CLIENT_ID_PATTERN);
const roomIdPattern = new RegExp(ROOM_ID_PATTERN);
const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** Answered at once, without going through the socket's queue. */
const IMMEDIATE_CODES = new Set<string>([ErrorCode.InvalidFrame, ErrorCode.BinaryFrame, ErrorCode.BatchTooLarge]);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Every fuzzing run connects from its own loopback address (all of
 * 127.0.0.0/8 is this host): the server's per-address limits (sessions,
 * sends, socket connects) then treat each run as a different client, as a
 * real attacker spread over many addresses would be, and the canary has an
 * address of its own.
 */
const CANARY_IP = '127.9.9.9';
let ipCounter = 0;
function nextIp(): string {
  ipCounter++;
  return `127.77.${(Math.floor(ipCounter / 250) % 250) + 1}.${(ipCounter % 250) + 1}`;
}

// ---------------------------------------------------------------------------
// Process-level failure recorders and statistics

const processFailures: string[] = [];
const onUncaught = (error: unknown) => processFailures.push(`uncaughtException: ${(error as Error)?.stack ?? String(error)}`);
const onUnhandled = (reason: unknown) => processFailures.push(`unhandledRejection: ${(reason as Error)?.stack ?? String(reason)}`);
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

interface Stats {
  name: string;
  runs: number;
  inputs: number;
  ms: number;
  outcomes: Map<string, number>;
}
const allStats: Stats[] = [];
let maxPongMs = 0;

function tally(stats: Stats, outcome: string): void {
  stats.outcomes.set(outcome, (stats.outcomes.get(outcome) ?? 0) + 1);
}

function formatStats(stats: Stats): string {
  const outcomes = [...stats.outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v}`).join(', ');
  return `[fuzz] ${stats.name}: ${stats.runs} runs, ${stats.inputs} inputs, ${stats.ms} ms (seed ${SEED}) | ${outcomes}`;
}

let server: TestServer;
let canary: Canary;

/**
 * Runs one property; afterwards nothing may have escaped to the process and
 * the canary must have been acked again since the property started.
 */
async function fuzz<T>(name: string, defaultRuns: number, arbitrary: fc.Arbitrary<T>, run: (value: T, stats: Stats) => Promise<void>): Promise<Stats> {
  const stats: Stats = { name, runs: 0, inputs: 0, ms: 0, outcomes: new Map() };
  allStats.push(stats);
  const canaryAcksBefore = canary.acks;
  const started = performance.now();
  try {
    await fc.assert(
      fc.asyncProperty(arbitrary, async (value) => {
        stats.runs++;
        await run(value, stats);
      }),
      { seed: SEED, numRuns: RUNS ?? defaultRuns, endOnFailure: !SHRINK },
    );
  } finally {
    stats.ms = Math.round(performance.now() - started);
    console.log(formatStats(stats));
  }
  expect(processFailures, 'uncaught exceptions / unhandled rejections').toEqual([]);
  await waitUntil(() => canary.acks > canaryAcksBefore + 1 || canary.failures.length > 0, 15_000, 'the canary to be acked again');
  expect(canary.failures, 'the canary (valid traffic alongside the fuzzing)').toEqual([]);
  return stats;
}

// ---------------------------------------------------------------------------
// Clients

/** A socket client that never throws on what the server sends: it records it. */
class FuzzSocket {
  readonly frames: Json[] = [];
  /** Anything the server sent that is not a JSON text frame. */
  readonly problems: string[] = [];
  closeInfo: { code: number; reason: string } | null = null;
  error: Error | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) this.problems.push('the server sent a binary frame');
      else {
        try {
          const frame = JSON.parse(data.toString('utf8')) as Json;
          // L1: other sockets of the run coming and going, unasked and in no
          // order with the answers checked here; presence.test.ts checks them.
          if (frame?.type !== 'presence') this.frames.push(frame);
        } catch {
          this.problems.push(`the server sent a frame that is not JSON: ${data.toString('utf8').slice(0, 200)}`);
        }
      }
      this.wake();
    });
    ws.on('error', (error) => {
      this.error = error;
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      this.wake();
    });
  }

  /** Resolves once the server said something or the connection ended. */
  static async open(url: string, ip = nextIp()): Promise<FuzzSocket> {
    const socket = new FuzzSocket(new WebSocket(url, { localAddress: ip }));
    await socket.until(() => socket.frames.length > 0 || socket.closeInfo !== null, 5_000, 'the first frame');
    return socket;
  }

  /** A socket that got its hello (P1). */
  static async connect(url: string, ip = nextIp()): Promise<FuzzSocket> {
    const socket = await FuzzSocket.open(url, ip);
    if (socket.frames[0]?.type !== 'hello') {
      throw new Error(`expected hello, got ${JSON.stringify(socket.frames[0])} / close ${JSON.stringify(socket.closeInfo)} / ${socket.error?.message}`);
    }
    return socket;
  }

  get userId(): string {
    return this.frames[0].user_id as string;
  }

  count(type: string): number {
    return this.frames.reduce((n, frame) => n + (frame?.type === type ? 1 : 0), 0);
  }

  until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; frames: ${JSON.stringify(this.frames.slice(-5)).slice(0, 800)}`));
      }, timeoutMs);
      this.listeners.add(check);
    });
  }

  async closed(timeoutMs = CLOSE_DEADLINE_MS): Promise<{ code: number; reason: string }> {
    await this.until(() => this.closeInfo !== null, timeoutMs, 'the close');
    return this.closeInfo!;
  }

  /** Our clean close; the server must complete the handshake (no stuck socket). */
  async shutdown(): Promise<void> {
    if (this.closeInfo) return;
    this.ws.close(1000);
    try {
      await this.closed();
    } finally {
      this.ws.terminate();
    }
  }

  private wake(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

interface HttpResult {
  status: number;
  text: string;
  json: Json;
}

/** A request from its own loopback address (see nextIp); no retries, a hard deadline. */
function http(method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer; ip?: string } = {}): Promise<HttpResult> {
  const url = new URL(path, server.baseUrl);
  return new Promise((resolve, reject) => {
    const request = httpClient.request(
      {
        host: url.hostname,
        port: Number(url.port),
        path: url.pathname + url.search,
        method,
        headers: { ...init.headers, ...(init.body ? { 'content-length': String(init.body.length) } : {}) },
        localAddress: init.ip ?? nextIp(),
        agent: false,
        timeout: HTTP_DEADLINE_MS,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: response.statusCode ?? 0, text, json });
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${method} ${path}: no answer within ${HTTP_DEADLINE_MS} ms`)));
    request.on('error', reject);
    request.end(init.body);
  });
}

async function newSession(): Promise<{ user_id: string; token: string }> {
  const { status, json } = await http('POST', '/v1/session');
  expect(status).toBe(200);
  return json;
}

/**
 * Valid traffic alongside the fuzzing, from an address of its own: a socket
 * sending small batches (every tenth time a REST send instead) and waiting
 * for each ack.
 */
class Canary {
  acks = 0;
  maxAckMs = 0;
  readonly failures: string[] = [];
  private running = true;
  private loop: Promise<void> = Promise.resolve();
  private socket!: FuzzSocket;
  private token = '';

  async start(): Promise<void> {
    const session = await newSession();
    this.token = session.token;
    this.socket = await FuzzSocket.connect(`${server.wsUrl}?token=${encodeURIComponent(this.token)}`, CANARY_IP);
    expect(this.socket.userId).toBe(session.user_id);
    this.loop = this.run();
  }

  get open(): boolean {
    return this.socket.closeInfo === null;
  }

  private async run(): Promise<void> {
    let n = 0;
    let scanned = 0;
    while (this.running) {
      n++;
      const batch = Array.from({ length: 1 + (n % 3) }, (_, i) => ({ client_id: ulid(), content: `canary ${n}.${i}` }));
      const started = performance.now();
      try {
        if (n % 10 === 0) {
          const { status, json } = await http('POST', '/v1/chat/messages', {
            headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
            body: Buffer.from(JSON.stringify({ type: 'messages', data: batch })),
            ip: CANARY_IP,
          });
          if (status !== 200) throw new Error(`REST send answered ${status}`);
          expect(json.client_ids).toEqual(batch.map((m) => m.client_id));
        } else {
          this.socket.ws.send(JSON.stringify({ type: 'messages', data: batch }));
          let ack: Json;
          await this.socket.until(
            () => {
              for (; scanned < this.socket.frames.length; scanned++) {
                const frame = this.socket.frames[scanned];
                if (frame?.type === 'message_ids' && frame.client_ids?.[0] === batch[0].client_id) ack = frame;
              }
              return ack !== undefined || this.socket.closeInfo !== null;
            },
            CANARY_ACK_DEADLINE_MS,
            'the canary ack',
          );
          if (ack === undefined) throw new Error(`canary socket closed: ${JSON.stringify(this.socket.closeInfo)}`);
          expect(ack.client_ids).toEqual(batch.map((m) => m.client_id));
          // Keep memory flat: everything up to here has been looked at.
          this.socket.frames.splice(1, scanned - 1);
          scanned = 1;
        }
        this.maxAckMs = Math.max(this.maxAckMs, performance.now() - started);
        this.acks++;
      } catch (error) {
        this.failures.push(`#${n}: ${(error as Error).message}`);
        if (this.socket.closeInfo) return;
      }
      await sleep(CANARY_INTERVAL_MS);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.socket.shutdown();
  }
}

// ---------------------------------------------------------------------------
// The oracle: what the protocol (README P7/P8) says the server answers

type FrameSpec = { text: string } | { bytes: Uint8Array; binary: boolean };

interface ItemExpectation {
  index: number;
  clientId: string | null;
  /** Every P7 code that applies; empty: the item must be stored and acked. */
  codes: Set<string>;
  content?: string;
  roomId?: string;
}

type FrameExpectation =
  | { kind: 'immediate'; answer: { type: 'pong' } | { type: 'error'; code: string } }
  | { kind: 'send'; items: ItemExpectation[] }
  | { kind: 'sync'; roomId: string; exists: boolean }
  | { kind: 'close'; codes: number[] };

const immediateError = (code: string): FrameExpectation => ({ kind: 'immediate', answer: { type: 'error', code } });

/** P7, per item. The server picks one code when several apply; any of them is right. */
function expectItem(raw: unknown, index: number, userId: string): ItemExpectation {
  if (!isRecord(raw)) return { index, clientId: null, codes: new Set([ErrorCode.InvalidMessage]) };
  const codes = new Set<string>();
  const clientId = typeof raw.client_id === 'string' && clientIdPattern.test(raw.client_id) ? raw.client_id : null;
  if (raw.client_id !== undefined && raw.client_id !== null && clientId === null) codes.add(ErrorCode.InvalidMessage);
  if (raw.user_id !== undefined && raw.user_id !== userId) codes.add(ErrorCode.Forbidden);
  const roomId = raw.room_id ?? DEFAULT_ROOM_ID;
  if (typeof roomId !== 'string' || !roomIdPattern.test(roomId) || !EXISTING_ROOMS.has(roomId)) codes.add(ErrorCode.UnknownRoom);
  const content = raw.content;
  if (typeof content !== 'string') codes.add(ErrorCode.InvalidMessage);
  else if (content.trim().length === 0 || content.length > MAX_CONTENT_LENGTH || content.includes('\u0000') || !content.isWellFormed()) {
    codes.add(ErrorCode.InvalidContent);
  }
  return {
    index,
    clientId,
    codes,
    content: typeof content === 'string' ? content : undefined,
    roomId: typeof roomId === 'string' ? roomId : undefined,
  };
}

/** P8, per frame, from the bytes the server receives. */
function expectFrame(payload: Buffer, binary: boolean, userId: string): FrameExpectation {
  if (payload.length > MAX_FRAME_BYTES) return { kind: 'close', codes: [CloseCode.MessageTooBig] };
  if (binary) return immediateError(ErrorCode.BinaryFrame);
  if (!isUtf8(payload)) return { kind: 'close', codes: [INVALID_UTF8_CLOSE] };
  let frame: unknown;
  try {
    frame = JSON.parse(payload.toString('utf8'));
  } catch {
    return immediateError(ErrorCode.InvalidFrame);
  }
  if (!isRecord(frame)) return immediateError(ErrorCode.InvalidFrame);
  switch (frame.type) {
    case 'ping':
      return { kind: 'immediate', answer: { type: 'pong' } };
    case 'messages': {
      const { data } = frame;
      if (!Array.isArray(data) || data.length === 0) return immediateError(ErrorCode.InvalidFrame);
      if (data.length > MAX_BATCH_SIZE) return immediateError(ErrorCode.BatchTooLarge);
      return { kind: 'send', items: data.map((raw, index) => expectItem(raw, index, userId)) };
    }
    case 'sync': {
      const { room_id: roomId, after_seq: afterSeq } = frame;
      const valid =
        typeof roomId === 'string' &&
        roomIdPattern.test(roomId) &&
        typeof afterSeq === 'number' &&
        Number.isInteger(afterSeq) &&
        afterSeq >= 0 &&
        afterSeq <= Number.MAX_SAFE_INTEGER;
      if (!valid) return immediateError(ErrorCode.InvalidFrame);
      return { kind: 'sync', roomId, exists: EXISTING_ROOMS.has(roomId) };
    }
    default:
      return immediateError(ErrorCode.InvalidFrame);
  }
}

interface Acked {
  item: ItemExpectation;
  messageId: string;
}

/**
 * Checks the P7 rejections and the P3 ack of one batch against the oracle:
 * each rejected item is named (by client_id) under a code that applies to
 * it, codes are grouped one frame each, client_ids in request order, and
 * exactly the acceptable items are acked, in request order.
 */
function checkSendAnswers(items: ItemExpectation[], rejectedFrames: Json[], ack: Json, where: string): Acked[] {
  const rejected = items.filter((item) => item.codes.size > 0);
  const accepted = items.filter((item) => item.codes.size === 0);
  const codes = rejectedFrames.map((frame) => frame.code as string);
  for (const frame of rejectedFrames) {
    expect(frame, where).toEqual({ type: 'rejected', client_ids: expect.any(Array), code: expect.any(String), message: expect.any(String) });
    expect(rejected.some((item) => item.codes.has(frame.code)), `${where}: code ${frame.code} applies to no item`).toBe(true);
  }
  expect(new Set(codes).size, `${where}: one rejected frame per code`).toBe(codes.length);
  expect(rejectedFrames.length > 0, `${where}: rejected items are answered`).toBe(rejected.length > 0);
  for (const item of rejected) {
    if (item.clientId === null) expect([...item.codes].some((code) => codes.includes(code)), `${where}: item ${item.index} rejected under one of ${[...item.codes]}`).toBe(true);
  }
  // Every client_id named in a rejection is a rejected item with that id and a code that applies to it.
  const occurrences = rejectedFrames.flatMap((frame) => (frame.client_ids as string[]).map((id, position) => ({ id, position, code: frame.code as string })));
  const identifiable = rejected.filter((item) => item.clientId !== null);
  expect(occurrences.length, `${where}: rejected client_ids ${JSON.stringify(occurrences)} vs items ${JSON.stringify(identifiable.map((i) => [i.clientId, [...i.codes]]))}`).toBe(identifiable.length);
  const used = new Set<ItemExpectation>();
  const assigned: number[] = [];
  const solve = (k: number): boolean => {
    if (k === occurrences.length) return true;
    const occurrence = occurrences[k];
    const previous = occurrence.position === 0 ? -1 : assigned[k - 1];
    for (const item of identifiable) {
      if (used.has(item) || item.clientId !== occurrence.id || !item.codes.has(occurrence.code) || item.index <= previous) continue;
      used.add(item);
      assigned[k] = item.index;
      if (solve(k + 1)) return true;
      used.delete(item);
    }
    return false;
  };
  expect(solve(0), `${where}: rejections ${JSON.stringify(rejectedFrames)} do not match the items`).toBe(true);

  if (accepted.length === 0) {
    expect(ack, `${where}: nothing acceptable, nothing acked`).toBeUndefined();
    return [];
  }
  expect(ack, `${where}: an ack for the accepted items`).toBeDefined();
  expect(ack.status).toBe('success');
  expect(ack.client_ids, `${where}: acked client_ids in request order`).toEqual(accepted.map((item) => item.clientId));
  expect(ack.message_ids).toHaveLength(accepted.length);
  expect(ack.seqs).toHaveLength(accepted.length);
  for (const id of ack.message_ids) expect(id).toMatch(ULID_PATTERN);
  for (const seq of ack.seqs) expect(Number.isSafeInteger(seq) && seq > 0).toBe(true);
  return accepted.map((item, i) => ({ item, messageId: ack.message_ids[i] as string }));
}

/**
 * What is stored for a user is exactly what was acked, verbatim: nothing
 * rejected was stored, a client_id maps to one message (S3), and content
 * comes back byte for byte.
 */
async function checkStored(userId: string, acked: Acked[], where: string): Promise<void> {
  const { rows } = await server.db.pool.query<{ id: string; client_id: string | null; room_id: string; content: string }>(
    'SELECT id, client_id, room_id, content FROM messages WHERE user_id = $1',
    [userId],
  );
  const byId = new Map(rows.map((row) => [row.id.trim(), row]));
  expect([...byId.keys()].sort(), `${where}: stored = acked`).toEqual([...new Set(acked.map((a) => a.messageId))].sort());
  const keyed = new Map<string, { ids: Set<string>; contents: Set<string> }>();
  const unkeyed = new Set<string>();
  for (const { item, messageId } of acked) {
    const row = byId.get(messageId)!;
    if (item.clientId === null) {
      expect(unkeyed.has(messageId), `${where}: items without client_id are stored separately`).toBe(false);
      unkeyed.add(messageId);
      expect(row.client_id).toBeNull();
      expect(row.room_id).toBe(item.roomId);
      expect(row.content === item.content, `${where}: content stored verbatim`).toBe(true);
    } else {
      const group = keyed.get(item.clientId) ?? { ids: new Set(), contents: new Set() };
      group.ids.add(messageId);
      group.contents.add(item.content!);
      keyed.set(item.clientId, group);
      expect(row.client_id).toBe(item.clientId);
    }
  }
  for (const [clientId, group] of keyed) {
    expect(group.ids.size, `${where}: S3, client_id ${clientId} is one message`).toBe(1);
    const row = byId.get([...group.ids][0])!;
    expect(group.contents.has(row.content), `${where}: content of ${clientId} stored verbatim`).toBe(true);
  }
}

// ---------------------------------------------------------------------------
// The socket harness

function materialise(spec: FrameSpec, userId: string): { payload: Buffer; binary: boolean } {
  if ('text' in spec) return { payload: Buffer.from(spec.text.split(SELF_JSON).join(JSON.stringify(userId)), 'utf8'), binary: false };
  return { payload: Buffer.from(spec.bytes), binary: spec.binary };
}

const fenceFrame = (k: number) => JSON.stringify({ type: 'sync', room_id: `${FENCE_PREFIX}${k}`, after_seq: 0 });
const isFence = (frame: Json, k: number) =>
  frame?.type === 'error' && frame.code === ErrorCode.UnknownRoom && typeof frame.message === 'string' && frame.message.includes(`"${FENCE_PREFIX}${k}"`);

/**
 * Splits what the server sent into immediate answers (pong and envelope
 * errors, answered at once) and queued ones (acks, rejections, syncs:
 * handled in arrival order, S4), and checks both against the oracle. Each
 * hostile frame is followed by a fence, so the queued answers of frame k
 * are exactly those between fence k-1 and fence k.
 */
function checkAnswers(socket: FuzzSocket, sent: FrameExpectation[], finalPong: boolean, where: string): Acked[] {
  expect(socket.problems, where).toEqual([]);
  expect(socket.frames[0]?.type, where).toBe('hello');
  const immediate: Json[] = [];
  const queued: Json[] = [];
  for (const frame of socket.frames.slice(1)) {
    switch (frame?.type) {
      case 'messages':
        // Broadcasts (P4) and catch-up pages (P6).
        expect(Array.isArray(frame.data), where).toBe(true);
        break;
      case 'pong':
        immediate.push({ type: 'pong' });
        break;
      case 'error':
        expect(typeof frame.message, where).toBe('string');
        if (IMMEDIATE_CODES.has(frame.code)) immediate.push({ type: 'error', code: frame.code });
        else queued.push(frame);
        break;
      default:
        queued.push(frame);
    }
  }
  const expectedImmediate = sent.flatMap((e) => (e.kind === 'immediate' ? [e.answer] : []));
  expect(immediate, `${where}: immediate answers`).toEqual(finalPong ? [...expectedImmediate, { type: 'pong' }] : expectedImmediate);

  const acked: Acked[] = [];
  let cursor = 0;
  sent.forEach((expectation, k) => {
    const end = queued.findIndex((frame, i) => i >= cursor && isFence(frame, k));
    expect(end, `${where}: fence ${k} answered in order`).toBeGreaterThanOrEqual(cursor);
    const segment = queued.slice(cursor, end);
    cursor = end + 1;
    const at = `${where}, frame ${k}`;
    switch (expectation.kind) {
      case 'immediate':
        expect(segment, at).toEqual([]);
        break;
      case 'sync':
        expect(segment, at).toEqual(
          expectation.exists
            ? [{ type: 'synced', room_id: expectation.roomId, seq: expect.any(Number) }]
            : [{ type: 'error', code: ErrorCode.UnknownRoom, message: expect.any(String) }],
        );
        break;
      case 'send': {
        const rejections = segment.filter((frame) => frame.type === 'rejected');
        const rest = segment.slice(rejections.length);
        expect(segment.slice(0, rejections.length), `${at}: rejections come first`).toEqual(rejections);
        expect(rest.length <= 1 && rest.every((frame) => frame.type === 'message_ids'), `${at}: then at most one ack, nothing else: ${JSON.stringify(rest).slice(0, 500)}`).toBe(true);
        acked.push(...checkSendAnswers(expectation.items, rejections, rest[0], at));
        break;
      }
      case 'close':
        throw new Error('a closing frame is never followed by a fence');
    }
  });
  expect(queued.slice(cursor), `${where}: nothing after the last fence`).toEqual([]);
  return acked;
}

interface AttackOptions {
  /** Follow each frame with a fence (off for floods). */
  fences?: boolean;
  /** The frames are a flood: a 1008 close is expected when there are more than the burst allows. */
  flood?: boolean;
}

/**
 * One run against one fresh socket: send the frames, then prove the socket
 * still works (pong within the deadline) or was closed with an expected
 * code, check every answer against the oracle and the stored rows.
 */
async function attackSocket(specs: FrameSpec[], stats: Stats, options: AttackOptions = {}): Promise<void> {
  const fences = options.fences ?? true;
  const socket = await FuzzSocket.connect(server.wsUrl);
  const userId = socket.userId;
  const sent: FrameExpectation[] = [];
  let closer: { codes: number[] } | undefined;
  try {
    for (const spec of specs) {
      const { payload, binary } = materialise(spec, userId);
      const expected = expectFrame(payload, binary, userId);
      if (expected.kind === 'close') {
        // Let everything before it be answered, so it can be checked in full.
        if (fences && sent.length > 0) {
          const last = sent.length - 1;
          await socket.until(() => socket.frames.some((f) => isFence(f, last)) || socket.closeInfo !== null, FENCE_DEADLINE_MS, 'the fence before a closing frame');
        }
        socket.ws.send(payload, { binary });
        stats.inputs++;
        closer = expected;
        break;
      }
      socket.ws.send(payload, { binary });
      stats.inputs++;
      if (fences) socket.ws.send(fenceFrame(sent.length));
      sent.push(expected);
    }

    if (closer) {
      const { code } = await socket.closed();
      tally(stats, `closed ${code}`);
      expect(closer.codes, 'close code').toContain(code);
      checkAnswers(socket, fences ? sent : [], false, 'before the close');
      return;
    }

    // R2: the same socket still answers a ping, at once.
    const expectedPongs = sent.filter((e) => e.kind === 'immediate' && e.answer.type === 'pong').length;
    const pingAt = performance.now();
    socket.ws.send('{"type":"ping"}');
    await socket.until(() => socket.count('pong') > expectedPongs || socket.closeInfo !== null, PONG_DEADLINE_MS, 'the pong');
    if (socket.closeInfo) {
      const { code } = socket.closeInfo;
      tally(stats, `closed ${code}`);
      if (options.flood && code === CloseCode.PolicyViolation) {
        expect(socket.problems).toEqual([]);
        return;
      }
      throw new Error(`the socket was closed with ${code} (${socket.closeInfo.reason}) after ${JSON.stringify(sent).slice(0, 500)}`);
    }
    maxPongMs = Math.max(maxPongMs, performance.now() - pingAt);
    expect(!options.flood || specs.length + 1 <= FLOOD_BURST_FRAMES + 10, `a flood of ${specs.length} frames is closed with 1008`).toBe(true);

    if (!fences) {
      // Floods use frames answered at once only: all of them, then the pong.
      const expected = [...sent.flatMap((e) => (e.kind === 'immediate' ? [e.answer] : [])), { type: 'pong' }];
      const answers = socket.frames.slice(1).filter((f) => f.type !== 'messages').map((f) => (f.type === 'pong' ? { type: 'pong' } : { type: f.type, code: f.code }));
      expect(answers).toEqual(expected);
      tally(stats, 'open');
      return;
    }
    const last = sent.length - 1;
    await socket.until(() => socket.frames.some((f) => isFence(f, last)), FENCE_DEADLINE_MS, 'the last fence');
    const acked = checkAnswers(socket, sent, true, 'answers');
    await checkStored(userId, acked, 'stored');
    for (const e of sent) tally(stats, e.kind === 'immediate' ? (e.answer.type === 'pong' ? 'pong' : e.answer.code) : e.kind);
    tally(stats, 'open');
  } finally {
    await socket.shutdown();
  }
}

// ---------------------------------------------------------------------------
// Arbitraries

const json = (value: unknown): FrameSpec => ({ text: JSON.stringify(value) ?? 'null' });
const printable = (min: number, max: number) => fc.integer({ min, max }).map((code) => String.fromCharCode(code));
/** Printable ASCII without the space: safe in header values and request lines. */
const visibleAscii = printable(0x21, 0x7e);

const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1e308, -0),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);
const ulidLike = fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/);
const clientIdField = fc.oneof(
  { weight: 6, arbitrary: ulidLike as fc.Arbitrary<unknown> },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9A-Za-z_-]{1,64}$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', ' ', 'a'.repeat(64), 'a'.repeat(65), 'ünïcode', 'has space', 'line\n', '../../etc/passwd', "x'; DROP TABLE messages; --", 'nul\u0000', 'lone\ud800', null),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 1, arbitrary: wrongType },
);
const roomField = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<unknown>(DEFAULT_ROOM_ID, EXTRA_ROOM) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('nope', 'General', '', ' general', 'general ', 'gen eral', 'a'.repeat(64), 'a'.repeat(65), '-general', '_x', 'général', 'general\u0000', "general'; --", 'general\n', null),
  },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,10}$/) },
  { weight: 1, arbitrary: wrongType },
);
const userField = fc.oneof(
  { weight: 3, arbitrary: fc.constant<unknown>(SELF) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.constantFrom('', SELF.toUpperCase(), '00000000-0000-0000-0000-000000000000') },
  { weight: 1, arbitrary: wrongType },
);
const contentField = fc.oneof(
  { weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) as fc.Arbitrary<unknown> },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\n\t\r ',
      '\u3000\u00a0\u2003',
      '\uFEFF',
      '\u200B',
      'x'.repeat(MAX_CONTENT_LENGTH),
      'x'.repeat(MAX_CONTENT_LENGTH + 1),
      '😀'.repeat(MAX_CONTENT_LENGTH / 2),
      '😀'.repeat(MAX_CONTENT_LENGTH / 2) + 'x',
      '\u0000',
      'a\u0000b',
      '\ud800',
      'a\udc00b',
      '\udbff\udfff',
      'x\ud83d',
    ),
  },
  { weight: 2, arbitrary: wrongType },
);
const seqField = fc.oneof(
  { weight: 3, arbitrary: fc.nat(50) as fc.Arbitrary<unknown> },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, -0, 0.5, 1e20, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, '0', '1') },
  { weight: 1, arbitrary: wrongType },
);
const typeField = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom<unknown>('messages', 'sync', 'ping') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('pong', 'hello', 'message_ids', 'error', 'rejected', 'synced', 'Messages', 'PING', ' ping', 'ping ', 'messages\u0000', '__proto__', 'constructor', 'toString', 'hasOwnProperty', ''),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 1, arbitrary: wrongType },
);

const validItem = fc.record(
  {
    client_id: ulidLike,
    content: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0),
    room_id: fc.constantFrom(DEFAULT_ROOM_ID, EXTRA_ROOM),
  },
  { requiredKeys: ['content'] },
);
const fuzzedItem = fc.record({ client_id: clientIdField, room_id: roomField, user_id: userField, content: contentField }, { requiredKeys: [] });
const itemArb = fc.oneof(
  { weight: 4, arbitrary: fuzzedItem as fc.Arbitrary<unknown> },
  { weight: 4, arbitrary: validItem },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);
const messagesValue = fc.record({ type: fc.constant('messages'), data: fc.array(itemArb, { minLength: 1, maxLength: 12 }) });
const syncValue = fc.record({ type: fc.constant('sync'), room_id: roomField, after_seq: seqField }, { requiredKeys: ['type'] });
const envelopeValue = fc.record(
  {
    type: typeField,
    data: fc.oneof(fc.array(itemArb, { maxLength: 4 }) as fc.Arbitrary<unknown>, wrongType, fc.string({ maxLength: 10 })),
    room_id: roomField,
    after_seq: seqField,
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);
const validFrameValue: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ type: fc.constant('messages'), data: fc.array(validItem, { minLength: 1, maxLength: 6 }) }),
  fc.record({ type: fc.constant('sync'), room_id: fc.constantFrom(DEFAULT_ROOM_ID, EXTRA_ROOM), after_seq: fc.nat(100) }),
  fc.constant({ type: 'ping' }),
);

const RAW_TEXTS = [
  '',
  ' ',
  'null',
  'true',
  '0',
  '""',
  '[]',
  '{}',
  '{"type":"ping"}{"type":"ping"}',
  ' \n{"type":"ping"}\t ',
  '{"type":"ping",}',
  "{'type':'ping'}",
  '{"type":"ping","type":"messages"}',
  '{"type":"messages","type":"ping"}',
  '{"__proto__":{"type":"ping"}}',
  '{"constructor":{"prototype":{"type":"ping"}}}',
  '{"type":"messages","data":[{"__proto__":{"content":"x"}}]}',
  '{"type":"messages","data":[{"content":"proto","__proto__":{"user_id":"x"}}]}',
  '{"type":"ping"}\u0000',
  '{"type":"pi\u0000ng"}',
  '{"type":"messages","data":[{"content":"raw\u0000nul"}]}',
  '\ufeff{"type":"ping"}',
  '{"type":"\\u0070ing"}',
  '{"type":"sync","room_id":"general","after_seq":1e400}',
  '{"type":"sync","room_id":"general","after_seq":-0}',
  '{"type":"sync","room_id":"general","after_seq":1.0}',
  '{"type":"sync","room_id":"general","after_seq":0.99999999999999999999}',
  '{"type":"sync","room_id":"gen\\u0065ral","after_seq":5}',
  'NaN',
  'Infinity',
  '1e309',
  '-',
  '{"type":"messages","data":[1,2,3]}',
  '[{"type":"ping"}]',
  '"{\\"type\\":\\"ping\\"}"',
  '{"type":"messages","data":[{"content":"\\ud800"}]}',
  '{"type":"messages","data":[{"content":"\\u0000"}]}',
  '{"type":"messages","data":[{"content":"ok","client_id":"\\u0041"}]}',
];
const randomText = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.json({ maxDepth: 3 }),
  fc.json({ maxDepth: 3 }).map((s) => s.slice(0, -1)),
  fc.constantFrom(...RAW_TEXTS),
);
const randomFrame: fc.Arbitrary<FrameSpec> = fc.oneof(
  { weight: 3, arbitrary: randomText.map((text) => ({ text })) },
  { weight: 3, arbitrary: envelopeValue.map(json) },
  { weight: 2, arbitrary: fc.jsonValue().map(json) },
  { weight: 1, arbitrary: fc.object().map(json) },
  { weight: 2, arbitrary: messagesValue.map(json) },
  { weight: 1, arbitrary: syncValue.map(json) },
);

/** Every field of a valid frame (and of its first item) replaced by a value of the wrong type. */
const FIELDS = ['type', 'data', 'room_id', 'after_seq', 'item', 'item.client_id', 'item.content', 'item.room_id', 'item.user_id'] as const;
const wrongTypesFrame = fc
  .record({ frame: validFrameValue, fields: fc.subarray([...FIELDS], { minLength: 1 }), values: fc.array(wrongType, { minLength: FIELDS.length, maxLength: FIELDS.length }) })
  .map(({ frame, fields, values }) => {
    const value = structuredClone(frame) as Json;
    fields.forEach((field, i) => {
      if (!field.startsWith('item')) value[field] = values[i];
      else if (Array.isArray(value.data) && value.data.length > 0) {
        if (field === 'item') value.data[0] = values[i];
        else if (isRecord(value.data[0])) value.data[0][field.slice('item.'.length)] = values[i];
      }
    });
    return json(value);
  });

type Mutation =
  | { kind: 'delete' | 'replace' | 'add' | 'wrap' | 'stringify' | 'duplicate'; pick: number; key: string; value: unknown }
  | { kind: 'truncate' | 'insert' | 'remove' | 'overwrite' | 'double' | 'quotes'; pick: number; text: string };

const structuralMutation = fc.record({
  kind: fc.constantFrom('delete', 'replace', 'add', 'wrap', 'stringify', 'duplicate') as fc.Arbitrary<'delete'>,
  pick: fc.nat(),
  key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('type', 'data', 'content', 'client_id', 'room_id', 'user_id', 'after_seq', '__proto__', 'constructor')),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), wrongType, fc.constant(SELF)),
});
const textualMutation = fc.record({
  kind: fc.constantFrom('truncate', 'insert', 'remove', 'overwrite', 'double', 'quotes') as fc.Arbitrary<'truncate'>,
  pick: fc.nat(),
  text: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }), fc.constantFrom('"', '{', '}', '[', ']', ',', ':', '\\', '\u0000', '\ud800', 'null')),
});

/** Every container in a JSON value, with how to replace or delete each node. */
function nodes(root: Json): { get: () => Json; set: (v: Json) => void; remove: () => void }[] {
  const out: { get: () => Json; set: (v: Json) => void; remove: () => void }[] = [];
  const walk = (parent: Json) => {
    for (const key of Object.keys(parent)) {
      out.push({
        get: () => parent[key],
        set: (v) => {
          parent[key] = v;
        },
        remove: () => {
          if (Array.isArray(parent)) parent.splice(Number(key), 1);
          else delete parent[key];
        },
      });
      if (typeof parent[key] === 'object' && parent[key] !== null) walk(parent[key]);
    }
  };
  walk(root);
  return out;
}

function mutate(frame: Record<string, unknown>, structural: Mutation[], textual: Mutation[]): FrameSpec {
  const box: Json = { root: structuredClone(frame) };
  for (const m of structural) {
    if (!('key' in m)) continue;
    const all = nodes(box);
    const node = all[m.pick % all.length];
    const current = node.get();
    switch (m.kind) {
      case 'delete':
        if (all.length > 1 && node !== all[0]) node.remove();
        break;
      case 'replace':
        node.set(m.value);
        break;
      case 'add':
        if (isRecord(current)) current[m.key] = m.value;
        else if (Array.isArray(current)) current.push(m.value);
        break;
      case 'wrap':
        node.set([current]);
        break;
      case 'stringify':
        // JSON in a string where an object or value was.
        node.set(JSON.stringify(current) ?? 'undefined');
        break;
      case 'duplicate':
        if (Array.isArray(current) && current.length > 0) current.push(structuredClone(current[m.pick % current.length]));
        break;
    }
  }
  let text = JSON.stringify(box.root) ?? 'null';
  for (const m of textual) {
    if (!('text' in m)) continue;
    const at = m.pick % (text.length + 1);
    switch (m.kind) {
      case 'truncate':
        text = text.slice(0, at);
        break;
      case 'insert':
        text = text.slice(0, at) + m.text + text.slice(at);
        break;
      case 'remove':
        text = text.slice(0, at) + text.slice(at + 1);
        break;
      case 'overwrite':
        text = text.slice(0, at) + m.text + text.slice(at + m.text.length);
        break;
      case 'double':
        text = text + text;
        break;
      case 'quotes':
        text = text.replace('"', "'");
        break;
    }
  }
  return { text };
}

const mutatedFrame: fc.Arbitrary<FrameSpec> = fc
  .tuple(validFrameValue, fc.array(structuralMutation, { maxLength: 3 }), fc.array(textualMutation, { maxLength: 2 }))
  .map(([frame, structural, textual]) => mutate(frame, structural, textual));

/** NUL bytes, lone surrogates and other Unicode oddities, in every string field. */
const nastyPiece = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)),
  fc.constantFrom(
    '\u0000',
    '\u0000\u0000',
    '\uFFFE',
    '\uFFFF',
    '\uFEFF',
    '\u200B',
    '\u0085',
    '\u2028',
    '\u2029',
    '\u{10FFFF}',
    '\u{E0001}',
    '\uD83D\uDE00',
    '\uDE00\uD83D',
    '\\u0000',
    '\\ud800',
    '%00',
    '\u001b[31m',
    '\r',
    'x',
  ),
);
const nastyString = fc.array(nastyPiece, { minLength: 1, maxLength: 8 }).map((pieces) => pieces.join(''));
const nastyItem = fc.record(
  {
    client_id: fc.oneof({ weight: 3, arbitrary: ulidLike }, { weight: 1, arbitrary: nastyString }),
    room_id: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(DEFAULT_ROOM_ID, EXTRA_ROOM) }, { weight: 1, arbitrary: nastyString }),
    user_id: fc.oneof(fc.constant(SELF), nastyString),
    content: nastyString,
  },
  { requiredKeys: ['content'] },
);
/** JSON.stringify escapes lone surrogates and NUL; "raw" puts them in the text as they are. */
function rawEscapes(text: string): string {
  return text.replace(/(?<!\\)\\u(d[89a-f][0-9a-f]{2}|0000)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
const nastyFrame: fc.Arbitrary<FrameSpec> = fc
  .record({
    encoding: fc.constantFrom('escaped', 'escaped', 'raw'),
    value: fc.oneof(
      { weight: 5, arbitrary: fc.record({ type: fc.constant('messages'), data: fc.array(nastyItem, { minLength: 1, maxLength: 6 }) }) as fc.Arbitrary<unknown> },
      { weight: 1, arbitrary: fc.record({ type: fc.constant('sync'), room_id: nastyString, after_seq: fc.nat(10) }) },
      { weight: 1, arbitrary: fc.record({ type: fc.oneof(nastyString, fc.constantFrom('ping\u0000', 'p\ud800ing')) }) },
    ),
  })
  .map(({ encoding, value }) => {
    const text = JSON.stringify(value);
    return { text: encoding === 'raw' ? rawEscapes(text) : text };
  });

/** Binary frames, random bytes as text, invalid UTF-8 and a byte flipped in a valid frame. */
const bytesFrame: fc.Arbitrary<FrameSpec> = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ bytes, binary: true })),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => ({ bytes, binary: false })),
  fc
    .tuple(validFrameValue, fc.nat(), fc.integer({ min: 0, max: 255 }))
    .map(([frame, at, byte]) => {
      const bytes = Buffer.from(JSON.stringify(frame), 'utf8');
      bytes[at % bytes.length] = byte;
      return { bytes: new Uint8Array(bytes), binary: false };
    }),
  fc
    .constantFrom(
      [0xc0, 0x80], // overlong NUL
      [0xed, 0xa0, 0x80], // an encoded surrogate
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
      [0xff],
      [0xe2, 0x82], // truncated sequence
      [0xef, 0xbb, 0xbf, 0x7b, 0x7d], // BOM + {}
    )
    .map((prefix) => ({ bytes: new Uint8Array([...Buffer.from('{"type":"messages","data":[{"content":"'), ...prefix, ...Buffer.from('"}]}')]), binary: false })),
  fc.constantFrom({ bytes: new Uint8Array(0), binary: true }, { bytes: new Uint8Array(0), binary: false }),
  fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => ({ bytes, binary: true })),
);

/** Huge strings, huge and empty batches, deep nesting and the frame size limit, as small descriptors built on demand. */
type Huge =
  | { kind: 'content'; length: number; unit: string; items: number }
  | { kind: 'batch'; size: number; fill: 'valid' | 'junk' | 'mixed' }
  | { kind: 'deep'; depth: number; shape: 'array' | 'object'; where: 'root' | 'data' | 'item' | 'content' | 'type' | 'extra' | 'room_id' }
  | { kind: 'long-type'; length: number }
  | { kind: 'frame-size'; delta: -1 | 0 | 1 }
  | { kind: 'many-keys'; keys: number }
  | { kind: 'long-number'; digits: number }
  | { kind: 'escapes'; count: number }
  | { kind: 'oversized-content'; length: number };

const hugeArb: fc.Arbitrary<Huge> = fc.oneof(
  fc.record({
    kind: fc.constant('content' as const),
    length: fc.constantFrom(MAX_CONTENT_LENGTH - 1, MAX_CONTENT_LENGTH, MAX_CONTENT_LENGTH + 1, 10_000, 1_000_000),
    unit: fc.constantFrom('x', 'é', '中', '😀', ' ', '\u0000', '\ud800', '\\'),
    items: fc.constantFrom(1, 2, MAX_BATCH_SIZE),
  }),
  fc.record({
    kind: fc.constant('batch' as const),
    size: fc.constantFrom(0, 1, MAX_BATCH_SIZE - 1, MAX_BATCH_SIZE, MAX_BATCH_SIZE + 1, 5_000, 200_000),
    fill: fc.constantFrom('valid' as const, 'junk' as const, 'mixed' as const),
  }),
  fc.record({
    kind: fc.constant('deep' as const),
    depth: fc.constantFrom(100, 1_000, 10_000, 100_000),
    shape: fc.constantFrom('array' as const, 'object' as const),
    where: fc.constantFrom('root' as const, 'data' as const, 'item' as const, 'content' as const, 'type' as const, 'extra' as const, 'room_id' as const),
  }),
  fc.record({ kind: fc.constant('long-type' as const), length: fc.constantFrom(10_000, 3_000_000) }),
  fc.record({ kind: fc.constant('frame-size' as const), delta: fc.constantFrom(-1 as const, 0 as const, 1 as const) }),
  fc.record({ kind: fc.constant('many-keys' as const), keys: fc.constantFrom(1_000, 100_000) }),
  fc.record({ kind: fc.constant('long-number' as const), digits: fc.constantFrom(400, 100_000) }),
  fc.record({ kind: fc.constant('escapes' as const), count: fc.constantFrom(MAX_CONTENT_LENGTH, MAX_CONTENT_LENGTH + 1) }),
  fc.record({ kind: fc.constant('oversized-content' as const), length: fc.constantFrom(MAX_FRAME_BYTES, 2 * MAX_FRAME_BYTES) }),
);

function nested(depth: number, shape: 'array' | 'object', leaf = '1'): string {
  return shape === 'array' ? '['.repeat(depth) + leaf + ']'.repeat(depth) : '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
}

function buildHuge(huge: Huge): FrameSpec {
  switch (huge.kind) {
    case 'content': {
      const content = huge.unit.repeat(Math.ceil(huge.length / huge.unit.length)).slice(0, huge.length);
      // No more than twice the frame limit even at 6 bytes per character: beyond it is just a bigger 1009.
      const items = Math.max(1, Math.min(huge.items, Math.floor((2 * MAX_FRAME_BYTES) / (6 * huge.length))));
      return json({ type: 'messages', data: Array.from({ length: items }, (_, i) => ({ client_id: `c${i}`, content })) });
    }
    case 'batch': {
      const data = Array.from({ length: huge.size }, (_, i) =>
        huge.fill === 'valid' || (huge.fill === 'mixed' && i % 2 === 0) ? { client_id: `b${i}`, content: `item ${i}` } : 0,
      );
      return json({ type: 'messages', data });
    }
    case 'deep': {
      const deep = nested(huge.depth, huge.shape);
      const text = {
        root: deep,
        data: `{"type":"messages","data":[${deep}]}`,
        item: `{"type":"messages","data":[{"client_id":"deep","content":"x","extra":${deep}}]}`,
        content: `{"type":"messages","data":[{"client_id":"deep","content":${deep}}]}`,
        type: `{"type":${deep}}`,
        extra: `{"type":"ping","extra":${deep}}`,
        room_id: `{"type":"sync","room_id":${deep},"after_seq":0}`,
      }[huge.where];
      return { text };
    }
    case 'long-type':
      return json({ type: 'x'.repeat(huge.length) });
    case 'frame-size': {
      // {"type":"ping"} padded with whitespace to exactly the limit (+delta).
      const head = '{"type":"ping"';
      return { text: head + ' '.repeat(MAX_FRAME_BYTES + huge.delta - head.length - 1) + '}' };
    }
    case 'many-keys':
      return { text: `{"type":"ping",${Array.from({ length: huge.keys }, (_, i) => `"k${i}":${i}`).join(',')}}` };
    case 'long-number':
      return { text: `{"type":"sync","room_id":"general","after_seq":1${'0'.repeat(huge.digits)}}` };
    case 'escapes':
      // Each \u0041 is one character: 6 bytes on the wire, one code unit in content.
      return { text: `{"type":"messages","data":[{"client_id":"esc","content":"${'\\u0041'.repeat(huge.count)}"}]}` };
    case 'oversized-content':
      return json({ type: 'messages', data: [{ client_id: 'big', content: 'z'.repeat(huge.length) }] });
  }
}

// Injection strings and Unicode tricks: stored verbatim when otherwise valid.
const INJECTIONS = [
  "'; DROP TABLE messages; --",
  "Robert'); DROP TABLE rooms;--",
  "1' OR '1'='1",
  '" OR ""="',
  '$1',
  '$$; SELECT pg_sleep(10); $$',
  "\\'; SELECT 1; --",
  "E'\\x00'",
  "'; NOTIFY whisper_messages, '{\"r\":\"general\",\"a\":1,\"b\":999999}'; --",
  "COPY messages TO PROGRAM 'id'",
  '%s%s%s%n',
  '{{7*7}}',
  '${7*7}',
  '#{7*7}',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '</textarea><svg onload=alert(1)>',
  'javascript:alert(1)',
  '&lt;b&gt;&amp;&#0;',
  '<!--',
  ']]>',
  '{"type":"messages","data":[{"content":"x"}]}',
  '{"__proto__":{"polluted":true}}',
  '\\u0000',
  '\\ud800',
  '\\"',
  '\\\\',
  'null',
  'undefined',
  'NaN',
  '[object Object]',
  '\u202Eevil\u202C',
  '\uFEFFbom',
  '\u200B',
  '\u2028\u2029',
  'e\u0301',
  '\u00e9',
  '\u212B',
  '\u00C5',
  'A\u030A',
  '\uFB01',
  'ｆｕｌｌ',
  'İı',
  'ß',
  'Ⅻ',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  'Z̴̡̢͇̗̈́͛͗a̸l̷g̶o̵',
  '\r\n',
  '\t',
  'line1\nline2',
  '\uFFFE\uFFFF',
  '\u{10FFFF}',
  '\u0001\u0008\u001F\u007F',
  '\u0085',
  '%00',
  '%ud800',
  '../../../etc/passwd',
  '\u001b[2J\u001b[31mred',
  ' leading and trailing spaces ',
];
const isStorable = (s: string) => s.trim().length > 0 && s.length <= MAX_CONTENT_LENGTH && !s.includes('\u0000') && s.isWellFormed();
const injectionPiece = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
  { weight: 1, arbitrary: fc.constantFrom(' ', '\n', '\t', '\u00a0') },
);
const injectionContent = fc.oneof(
  { weight: 8, arbitrary: fc.array(injectionPiece, { minLength: 1, maxLength: 6 }).map((pieces) => pieces.join('')) },
  // The longest content there is, made of injections.
  {
    weight: 1,
    arbitrary: fc.constantFrom(...INJECTIONS).map((s) => {
      let out = s.repeat(Math.ceil(MAX_CONTENT_LENGTH / s.length)).slice(0, MAX_CONTENT_LENGTH);
      if (!out.isWellFormed()) out = out.slice(0, -1);
      return out;
    }),
  },
).filter(isStorable);

// ---------------------------------------------------------------------------
// Raw TCP: what a WebSocket library would never send

function encodeFrame(options: { fin?: boolean; rsv?: number; opcode: number; payload: Uint8Array; masked?: boolean; declaredLength?: number }): Buffer {
  const { fin = true, rsv = 0, opcode, payload, masked = true } = options;
  const length = options.declaredLength ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f)];
  const maskBit = masked ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (length < 126) head.push(maskBit | length);
  else if (length < 65_536) {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(length);
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(BigInt(length));
  }
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(payload);
  if (masked) for (let i = 0; i < body.length; i++) body[i] ^= key[i % 4];
  return Buffer.concat([Buffer.from(head), extended, masked ? key : Buffer.alloc(0), body]);
}

const UPGRADE_HEADERS = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

/** A TCP peer that speaks just enough HTTP and WebSocket to observe the server. */
class RawPeer {
  status: number | null = null;
  readonly frames: { opcode: number; payload: Buffer }[] = [];
  ended = false;
  private buffer = Buffer.alloc(0);
  private headersDone = false;
  private readonly listeners = new Set<() => void>();

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.parse();
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(ip = nextIp()): Promise<RawPeer> {
    const url = new URL(server.baseUrl);
    const socket = net.connect({ port: Number(url.port), host: url.hostname, localAddress: ip });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawPeer(socket);
  }

  write(data: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data);
  }

  /** Resolves true when the condition holds, false at the deadline or once the connection ends without it. */
  until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (!condition() && !this.ended) return false;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(condition());
        return true;
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        resolve(condition());
      }, timeoutMs);
      if (!check()) this.listeners.add(check);
    });
  }

  /** What followed the headers of a response that was not an upgrade. */
  body(): string {
    return this.status === 101 ? '' : this.buffer.toString('latin1');
  }

  textFrames(): Json[] {
    return this.frames.filter((f) => f.opcode === 1).map((f) => JSON.parse(f.payload.toString('utf8')));
  }

  closeCode(): number | null {
    const close = this.frames.find((f) => f.opcode === 8);
    if (!close) return null;
    return close.payload.length >= 2 ? close.payload.readUInt16BE(0) : 1005;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private parse(): void {
    if (!this.headersDone) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString('latin1');
      this.status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? NaN);
      this.headersDone = true;
      this.buffer = this.buffer.subarray(end + 4);
    }
    if (this.status !== 101) return;
    for (;;) {
      if (this.buffer.length < 2) return;
      let length = this.buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      this.frames.push({ opcode: this.buffer[0] & 0x0f, payload: Buffer.from(this.buffer.subarray(offset, offset + length)) });
      this.buffer = this.buffer.subarray(offset + length);
    }
  }

  private wake(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

async function rawUpgrade(target: Buffer, origin?: string): Promise<RawPeer> {
  const peer = await RawPeer.connect();
  const host = new URL(server.baseUrl).host;
  const headers = `Host: ${host}\r\n${origin === undefined ? '' : `Origin: ${origin}\r\n`}${UPGRADE_HEADERS}`;
  peer.write(Buffer.concat([Buffer.from('GET '), target, Buffer.from(` HTTP/1.1\r\n${headers}`, 'latin1')]));
  await peer.until(() => peer.status !== null && (peer.status !== 101 || peer.frames.length > 0), 5_000);
  return peer;
}

// JWTs, genuine and forged.
const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
function signJwt(header: object, payload: object, secret: string | null, hash = 'sha256'): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return secret === null ? `${input}.` : `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}
const nowSeconds = () => Math.floor(Date.now() / 1000);
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

type TokenKind =
  | 'genuine'
  | 'server-signed'
  | 'server-signed-exp'
  | 'alg-none'
  | 'alg-none-signed'
  | 'wrong-secret'
  | 'hs384'
  | 'hs512'
  | 'alg-mismatch'
  | 'rs256-header'
  | 'sub-not-uuid'
  | 'sub-uppercase'
  | 'sub-number'
  | 'sub-object'
  | 'no-sub'
  | 'expired'
  | 'not-yet-valid'
  | 'tampered-payload'
  | 'flipped-char'
  | 'truncated'
  | 'trailing-junk'
  | 'extra-segment'
  | 'padded'
  | 'garbage'
  | 'huge'
  | 'dots';
const ACCEPTED_KINDS = new Set<TokenKind>(['genuine', 'server-signed', 'server-signed-exp']);
const tokenCase = fc.record({
  kind: fc.constantFrom<TokenKind>(
    'genuine',
    'server-signed',
    'server-signed-exp',
    'alg-none',
    'alg-none-signed',
    'wrong-secret',
    'hs384',
    'hs512',
    'alg-mismatch',
    'rs256-header',
    'sub-not-uuid',
    'sub-uppercase',
    'sub-number',
    'sub-object',
    'no-sub',
    'expired',
    'not-yet-valid',
    'tampered-payload',
    'flipped-char',
    'truncated',
    'trailing-junk',
    'extra-segment',
    'padded',
    'garbage',
    'huge',
    'dots',
  ),
  sub: fc.uuid({ version: 4 }),
  pick: fc.nat(),
  junk: fc.string({ unit: visibleAscii, minLength: 1, maxLength: 40 }),
  scheme: fc.constantFrom('Bearer ', 'Bearer ', 'Bearer ', 'bearer ', 'BEARER ', 'Bearer  ', 'Basic ', '', 'Bearer\t', 'Token '),
  hugeLength: fc.constantFrom(4_000, 12_000, 20_000),
});

function forgeToken(c: { kind: TokenKind; sub: string; pick: number; junk: string; hugeLength: number }, genuine: string): string {
  const secret = TEST_TOKEN_SECRET;
  const hs256 = { alg: 'HS256', typ: 'JWT' };
  const claims = { sub: c.sub, iat: nowSeconds() };
  const [header, payload, signature] = genuine.split('.');
  switch (c.kind) {
    case 'genuine':
      return genuine;
    case 'server-signed':
      return signJwt(hs256, { sub: c.sub }, secret);
    case 'server-signed-exp':
      return signJwt(hs256, { ...claims, exp: nowSeconds() + 3600 }, secret);
    case 'alg-none':
      return signJwt({ alg: 'none', typ: 'JWT' }, claims, null);
    case 'alg-none-signed':
      return signJwt({ alg: 'none', typ: 'JWT' }, claims, secret);
    case 'wrong-secret':
      return signJwt(hs256, claims, `${secret}-not`);
    case 'hs384':
      return signJwt({ alg: 'HS384', typ: 'JWT' }, claims, secret, 'sha384');
    case 'hs512':
      return signJwt({ alg: 'HS512', typ: 'JWT' }, claims, secret, 'sha512');
    case 'alg-mismatch':
      return signJwt({ alg: 'HS512', typ: 'JWT' }, claims, secret, 'sha256');
    case 'rs256-header':
      return signJwt({ alg: 'RS256', typ: 'JWT' }, claims, secret);
    case 'sub-not-uuid':
      return signJwt(hs256, { sub: 'admin' }, secret);
    case 'sub-uppercase':
      return signJwt(hs256, { sub: c.sub.toUpperCase() }, secret);
    case 'sub-number':
      return signJwt(hs256, { sub: 42 }, secret);
    case 'sub-object':
      return signJwt(hs256, { sub: { id: c.sub } }, secret);
    case 'no-sub':
      return signJwt(hs256, { iat: nowSeconds() }, secret);
    case 'expired':
      return signJwt(hs256, { sub: c.sub, iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }, secret);
    case 'not-yet-valid':
      return signJwt(hs256, { ...claims, nbf: nowSeconds() + 3600 }, secret);
    case 'tampered-payload':
      return `${header}.${b64url(JSON.stringify({ sub: c.sub }))}.${signature}`;
    case 'flipped-char': {
      const at = c.pick % genuine.length;
      if (genuine[at] === '.') return genuine.slice(0, at) + 'A' + genuine.slice(at + 1);
      const replacement = BASE64URL[(BASE64URL.indexOf(genuine[at]) + 1 + (c.pick % 63)) % 64];
      return genuine.slice(0, at) + replacement + genuine.slice(at + 1);
    }
    case 'truncated':
      return genuine.slice(0, c.pick % genuine.length);
    case 'trailing-junk':
      return genuine + c.junk;
    case 'extra-segment':
      return `${genuine}.${c.junk}`;
    case 'padded':
      return `${header}.${payload}.${signature}=`;
    case 'garbage':
      return c.junk;
    case 'huge':
      return 'a'.repeat(c.hugeLength);
    case 'dots':
      return ['.', '..', '...', ' '][c.pick % 4];
  }
}

// ---------------------------------------------------------------------------

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
  loopDelay.enable();
  server = await startTestServer();
  await server.db.pool.query("INSERT INTO rooms (id, name, everyone) VALUES ($1, 'Fuzz room', true)", [EXTRA_ROOM]);
  // Some history in the extra room, so that pages, limits and has_more mean something.
  const session = await newSession();
  for (let batch = 0; batch < 2; batch++) {
    const { status } = await http('POST', '/v1/chat/messages', {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
      body: Buffer.from(JSON.stringify({ data: Array.from({ length: 60 }, (_, i) => ({ client_id: ulid(), room_id: EXTRA_ROOM, content: `seed ${batch}.${i}` })) })),
    });
    expect(status).toBe(200);
  }
  canary = new Canary();
  await canary.start();
}, 60_000);

afterAll(async () => {
  await canary?.stop().catch(() => undefined);
  await server?.close();
  loopDelay.disable();
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUnhandled);
  if (allStats.length > 0) {
    console.log(
      ['[fuzz] summary (seed ' + SEED + (RUNS ? `, FUZZ_RUNS=${RUNS}` : '') + ')', ...allStats.map((s) => `  ${s.name.padEnd(30)} ${String(s.runs).padStart(5)} runs ${String(s.inputs).padStart(6)} inputs ${String(s.ms).padStart(6)} ms`)].join('\n'),
    );
  }
}, 60_000);

describe('R2 fuzzing: the socket', () => {
  it('[R2][P8] random frames get error frames or a clean close; the socket and the canary keep working', async () => {
    await fuzz('socket: random frames', 120, fc.array(randomFrame, { minLength: 1, maxLength: 4 }), (specs, stats) => attackSocket(specs, stats));
  }, 180_000);

  it('[R2][P7][P8] wrong types in every field get P7 rejections per item or P8 errors; valid items alongside are acked', async () => {
    const frames = fc.array(
      fc.oneof(
        { weight: 3, arbitrary: wrongTypesFrame },
        { weight: 3, arbitrary: messagesValue.map(json) },
        { weight: 1, arbitrary: syncValue.map(json) },
        { weight: 1, arbitrary: envelopeValue.map(json) },
      ),
      { minLength: 1, maxLength: 3 },
    );
    await fuzz('socket: wrong types', 120, frames, (specs, stats) => attackSocket(specs, stats));
  }, 180_000);

  it('[R2][P7][P8] mutations of valid frames (deleted, replaced, added, wrapped, stringified fields; broken text) are answered per the protocol', async () => {
    await fuzz('socket: mutated frames', 150, fc.array(mutatedFrame, { minLength: 1, maxLength: 4 }), (specs, stats) => attackSocket(specs, stats));
  }, 180_000);

  it('[R2][P7] NUL bytes, lone surrogates and Unicode oddities in every field are rejected (or stored verbatim when valid), never a 5xx-like unavailable', async () => {
    await fuzz('socket: NUL & surrogates', 100, fc.array(nastyFrame, { minLength: 1, maxLength: 3 }), (specs, stats) => attackSocket(specs, stats));
  }, 180_000);

  it('[R2][P8] binary frames, random bytes and invalid UTF-8 get binary_frame / invalid_frame or the RFC 6455 close (1007)', async () => {
    await fuzz('socket: bytes & binary', 100, fc.array(bytesFrame, { minLength: 1, maxLength: 4 }), (specs, stats) => attackSocket(specs, stats));
  }, 180_000);

  it('[R2][P7][P8] huge strings, huge and empty batches, 100,000-deep nesting and the 4 MiB limit are answered or closed with 1009', async () => {
    await fuzz('socket: huge & deep', 30, hugeArb, async (huge, stats) => {
      tally(stats, huge.kind);
      await attackSocket([buildHuge(huge)], stats);
    });
  }, 240_000);

  it('[R2][P8] bursts of junk frames are all answered in order, and a flood beyond the burst closes with 1008', async () => {
    const burst = fc.record({
      size: fc.oneof(fc.integer({ min: 20, max: FLOOD_BURST_FRAMES - 10 }), fc.integer({ min: FLOOD_BURST_FRAMES + 60, max: FLOOD_BURST_FRAMES * 2 })),
      frames: fc.array(
        fc.oneof(
          randomText.filter((t) => expectFrame(Buffer.from(t), false, SELF).kind === 'immediate').map((text): FrameSpec => ({ text })),
          fc.uint8Array({ maxLength: 32 }).map((bytes): FrameSpec => ({ bytes, binary: true })),
        ),
        { minLength: 1, maxLength: 8 },
      ),
    });
    await fuzz('socket: bursts & floods', 12, burst, async ({ size, frames }, stats) => {
      const specs = Array.from({ length: size }, (_, i) => frames[i % frames.length]);
      await attackSocket(specs, stats, { fences: false, flood: true });
    });
  }, 120_000);

  it('[R2][P7][P3][P4][P5] injection strings and Unicode tricks are stored verbatim: what is sent is exactly what the ack, the broadcast, history and the table hold', async () => {
    const session = await newSession();
    const socket = await FuzzSocket.connect(`${server.wsUrl}?token=${encodeURIComponent(session.token)}`);
    // Subscribe to the extra room too (P6), so broadcasts from both rooms arrive.
    socket.ws.send(JSON.stringify({ type: 'sync', room_id: EXTRA_ROOM, after_seq: Number.MAX_SAFE_INTEGER }));
    await socket.until(() => socket.count('synced') === 1, 5_000, 'synced');
    const cases = fc.record({
      via: fc.constantFrom('socket', 'rest'),
      items: fc.array(fc.record({ content: injectionContent, room_id: fc.constantFrom(undefined, DEFAULT_ROOM_ID, EXTRA_ROOM) }), { minLength: 1, maxLength: 4 }),
    });
    try {
      await fuzz('round trip: injections', 80, cases, async ({ via, items }, stats) => {
        const data = items.map((m) => ({ client_id: ulid(), content: m.content, ...(m.room_id ? { room_id: m.room_id } : {}) }));
        stats.inputs += data.length;
        tally(stats, via);
        let ack: Json;
        if (via === 'socket') {
          const from = socket.frames.length;
          socket.ws.send(JSON.stringify({ type: 'messages', data }));
          await socket.until(() => socket.frames.slice(from).some((f) => f.type !== 'messages'), 5_000, 'the ack');
          ack = socket.frames.slice(from).find((f) => f.type !== 'messages');
        } else {
          const response = await http('POST', '/v1/chat/messages', {
            headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
            body: Buffer.from(JSON.stringify({ type: 'messages', data })),
          });
          expect(response.status).toBe(200);
          expect(response.json.rejected).toEqual([]);
          ack = response.json;
        }
        expect(ack.type).toBe('message_ids');
        expect(ack.client_ids).toEqual(data.map((m) => m.client_id));
        const ids = ack.message_ids as string[];
        // The broadcast copy (P4).
        await socket.until(() => ids.every((id) => socket.frames.some((f) => f.type === 'messages' && f.data.some((m: Json) => m.id === id))), 5_000, 'the broadcasts');
        const broadcast = new Map<string, Json>(socket.frames.filter((f) => f.type === 'messages').flatMap((f) => f.data.map((m: Json) => [m.id, m])));
        const { rows } = await server.db.pool.query<{ id: string; content: string; bytes: number }>(
          'SELECT id, content, octet_length(content) AS bytes FROM messages WHERE id = ANY($1)',
          [ids],
        );
        const stored = new Map(rows.map((row) => [row.id.trim(), row]));
        for (const [i, item] of data.entries()) {
          const id = ids[i];
          const roomId = item.room_id ?? DEFAULT_ROOM_ID;
          expect(broadcast.get(id).content === item.content, `broadcast of ${JSON.stringify(item.content)}`).toBe(true);
          expect(stored.get(id)!.content === item.content, `stored ${JSON.stringify(item.content)}`).toBe(true);
          expect(Number(stored.get(id)!.bytes)).toBe(Buffer.byteLength(item.content, 'utf8'));
          // History (P5): the page that holds exactly this message.
          const history = await http('GET', `/v1/chat/messages?room_id=${roomId}&after_seq=${ack.seqs[i] - 1}&limit=1`);
          expect(history.status).toBe(200);
          expect(history.json.data[0].id).toBe(id);
          expect(history.json.data[0].content === item.content, `history of ${JSON.stringify(item.content)}`).toBe(true);
        }
        // Normalisation is not applied: NFC and NFD spellings stay different messages with different bytes.
        socket.frames.splice(1);
      });
    } finally {
      await socket.shutdown();
    }
  }, 180_000);

  it('[R2][S3] concurrent resends of the same client_ids by one user, over several sockets and REST and into both rooms, are stored once and acked with one id', async () => {
    const cases = fc.record({
      ids: fc.integer({ min: 1, max: 4 }),
      senders: fc.array(
        fc.record({
          via: fc.constantFrom('socket', 'socket', 'rest'),
          items: fc.array(
            fc.record({ id: fc.nat(3), room: fc.constantFrom(DEFAULT_ROOM_ID, EXTRA_ROOM), content: fc.string({ minLength: 1, maxLength: 12 }).filter((c) => c.trim().length > 0) }),
            { minLength: 1, maxLength: 6 },
          ),
        }),
        { minLength: 2, maxLength: 5 },
      ),
    });
    await fuzz('concurrency: S3 races', 40, cases, async ({ ids, senders }, stats) => {
      const session = await newSession();
      const prefix = ulid();
      const batches = senders.map((sender) => ({
        via: sender.via,
        data: sender.items.map((item) => ({ client_id: `${prefix}-${item.id % ids}`, room_id: item.room, content: item.content })),
      }));
      const sockets = await Promise.all(
        batches.map((batch) => (batch.via === 'socket' ? FuzzSocket.connect(`${server.wsUrl}?token=${encodeURIComponent(session.token)}`) : Promise.resolve(null))),
      );
      try {
        stats.inputs += batches.length;
        const acks = await Promise.all(
          batches.map(async (batch, i): Promise<Json> => {
            const socket = sockets[i];
            if (!socket) {
              const response = await http('POST', '/v1/chat/messages', {
                headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
                body: Buffer.from(JSON.stringify({ data: batch.data })),
              });
              expect(response.status, response.text).toBe(200);
              expect(response.json.rejected).toEqual([]);
              return response.json;
            }
            socket.ws.send(JSON.stringify({ type: 'messages', data: batch.data }));
            await socket.until(() => socket.frames.some((f) => ['message_ids', 'rejected', 'error'].includes(f.type)), FENCE_DEADLINE_MS, 'the ack');
            const answers = socket.frames.filter((f) => ['message_ids', 'rejected', 'error'].includes(f.type));
            expect(answers.map((f) => f.type), JSON.stringify(answers)).toEqual(['message_ids']);
            return answers[0];
          }),
        );
        // S3: each client_id names one message, whichever socket, channel or room it came through.
        const idOf = new Map<string, string>();
        const contentsOf = new Map<string, Set<string>>();
        batches.forEach((batch, i) => {
          expect(acks[i].client_ids).toEqual(batch.data.map((m) => m.client_id));
          batch.data.forEach((item, j) => {
            const messageId = acks[i].message_ids[j] as string;
            expect(idOf.get(item.client_id) ?? messageId, `S3: ${item.client_id}`).toBe(messageId);
            idOf.set(item.client_id, messageId);
            contentsOf.set(item.client_id, (contentsOf.get(item.client_id) ?? new Set()).add(item.content));
          });
        });
        const { rows } = await server.db.pool.query<{ id: string; client_id: string; content: string }>('SELECT id, client_id, content FROM messages WHERE user_id = $1', [session.user_id]);
        expect(rows.map((r) => r.client_id).sort()).toEqual([...idOf.keys()].sort());
        for (const row of rows) {
          expect(row.id.trim()).toBe(idOf.get(row.client_id));
          expect(contentsOf.get(row.client_id)!.has(row.content)).toBe(true);
        }
        tally(stats, `${batches.length} senders`);
      } finally {
        await Promise.all(sockets.map((socket) => socket?.shutdown()));
      }
    });
  }, 180_000);

  it('[R2][P8] JSON nested 10,000 and 1,000,000 levels deep is parsed without a stack overflow and answered (V8 JSON.parse is iterative)', async () => {
    // The runtime facts the server relies on: JSON.parse has no depth limit
    // (it is not recursive), JSON.stringify does (so the server must never
    // re-serialise client input, and it does not).
    for (const depth of [10_000, 1_000_000]) {
      expect(() => JSON.parse(nested(depth, 'array'))).not.toThrow();
      expect(() => JSON.parse(nested(depth, 'object'))).not.toThrow();
    }
    expect(() => JSON.stringify(JSON.parse(nested(100_000, 'array')))).toThrow(RangeError);

    const stats: Stats = { name: 'deep nesting (fixed)', runs: 0, inputs: 0, ms: 0, outcomes: new Map() };
    const started = performance.now();
    const deepCases: [number, 'array' | 'object', 'all' | 'content'][] = [
      [10_000, 'array', 'all'],
      [10_000, 'object', 'all'],
      // A million levels: an array is 2 MB (under the 4 MiB limit), an object 5 MB (1009).
      [1_000_000, 'array', 'content'],
      [1_000_000, 'object', 'content'],
    ];
    for (const [depth, shape, placements] of deepCases) {
      const deep = nested(depth, shape);
      const texts = [`{"type":"messages","data":[{"client_id":"deep1","content":${deep}},{"client_id":"ok1","content":"fine"}]}`];
      if (placements === 'all') texts.push(deep, `{"type":"messages","data":[${deep}]}`, `{"type":"ping","deep":${deep}}`, `{"type":"sync","room_id":${deep},"after_seq":0}`);
      for (const text of texts) {
        stats.runs++;
        await attackSocket([{ text }], stats);
      }
      const session = await newSession();
      const body = Buffer.from(`{"data":[{"client_id":"deep","content":${deep}},{"client_id":"fine","content":"fine"}]}`);
      const rest = await http('POST', '/v1/chat/messages', {
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
        body,
      });
      stats.inputs++;
      tally(stats, `REST ${rest.status}`);
      if (body.length > MAX_FRAME_BYTES) {
        expect(rest.status).toBe(413);
        continue;
      }
      expect(rest.status).toBe(200);
      expect(rest.json.client_ids).toEqual(['fine']);
      expect(rest.json.rejected).toEqual([expect.objectContaining({ code: ErrorCode.InvalidMessage, client_ids: ['deep'] })]);
    }
    stats.ms = Math.round(performance.now() - started);
    allStats.push(stats);
    console.log(formatStats(stats));
    expect(processFailures).toEqual([]);
  }, 120_000);
});

describe('R2 fuzzing: REST', () => {
  it('[R2][P10] random bodies, content types and auth headers to POST /v1/chat/messages get 200/422 per the oracle or a 4xx error, never a 5xx', async () => {
    const bodyArb = fc.oneof(
      { weight: 3, arbitrary: messagesValue.map((v) => ({ text: JSON.stringify(v) })) },
      { weight: 2, arbitrary: mutatedFrame },
      { weight: 2, arbitrary: envelopeValue.map(json) },
      { weight: 1, arbitrary: wrongTypesFrame },
      { weight: 1, arbitrary: fc.record({ data: fc.array(itemArb, { minLength: 1, maxLength: 8 }) }).map(json) },
      { weight: 1, arbitrary: fc.jsonValue().map(json) },
      { weight: 1, arbitrary: randomText.map((text) => ({ text })) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }).map((bytes): FrameSpec => ({ bytes, binary: true })) },
      { weight: 1, arbitrary: fc.constantFrom<FrameSpec>({ text: '' }, { text: `{"data":[${'{"content":"x"},'.repeat(MAX_BATCH_SIZE)}{"content":"x"}]}` }, { text: '{"data":[]}' }) },
    );
    const contentType = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom<string | undefined>('application/json', 'application/json; charset=utf-8') },
      {
        weight: 3,
        arbitrary: fc.constantFrom<string | undefined>(
          undefined,
          'Application/JSON',
          'application/json; charset=utf-16',
          'application/json;',
          'application/json; charset=',
          'text/plain',
          'text/plain; charset=utf-8',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=xyz',
          'application/octet-stream',
          'application/vnd.api+json',
          'application/json-patch+json',
          '*/*',
          'application/',
          '/json',
          ';',
          'text/html',
          'application/xml',
        ),
      },
      { weight: 1, arbitrary: fc.string({ unit: printable(0x20, 0x7e), maxLength: 40 }) },
    );
    const auth = fc.constantFrom('valid', 'valid', 'valid', 'none', 'garbage', 'lowercase', 'double-space', 'basic', 'valid-junk');
    const requests = fc.record({ body: bodyArb, contentType, auth });
    await fuzz('rest: POST bodies', 150, requests, async ({ body, contentType: type, auth: authKind }, stats) => {
      const session = await newSession();
      const payload = 'text' in body ? Buffer.from(body.text.split(SELF_JSON).join(JSON.stringify(session.user_id)), 'utf8') : Buffer.from(body.bytes);
      const authorization = {
        valid: `Bearer ${session.token}`,
        none: undefined,
        garbage: 'Bearer not-a-token',
        lowercase: `bearer ${session.token}`,
        'double-space': `Bearer  ${session.token}`,
        basic: `Basic ${session.token}`,
        'valid-junk': `Bearer ${session.token} junk`,
      }[authKind];
      const headers: Record<string, string> = {};
      if (type !== undefined) headers['content-type'] = type;
      if (authorization !== undefined) headers.authorization = authorization;
      const response = await http('POST', '/v1/chat/messages', { headers, body: payload });
      stats.inputs++;
      tally(stats, String(response.status));
      expect(response.status, response.text).toBeLessThan(500);
      expect([200, 400, 401, 413, 415, 422], response.text).toContain(response.status);
      if (response.status >= 400 && response.status !== 422) expect(response.json, response.text).toEqual({ type: 'error', code: expect.any(String), message: expect.any(String) });

      // The oracle, where the request is unambiguous JSON.
      const authOk = ['valid', 'lowercase'].includes(authKind);
      const strictType = type === 'application/json' || type === 'application/json; charset=utf-8';
      let parsed: unknown;
      let parses = false;
      if (isUtf8(payload)) {
        try {
          parsed = JSON.parse(payload.toString('utf8'));
          parses = true;
        } catch {
          parses = false;
        }
      }
      const poisoned = /"(__proto__|constructor)"/.test(payload.toString('utf8'));
      const envelopeOk =
        parses &&
        isRecord(parsed) &&
        Array.isArray(parsed.data) &&
        parsed.data.length >= 1 &&
        parsed.data.length <= MAX_BATCH_SIZE &&
        (parsed.type === undefined || parsed.type === 'messages');
      let acked: Acked[] = [];
      if (strictType && !poisoned) {
        if (!envelopeOk) expect(response.status, response.text).toBe(400);
        else if (!authOk) expect(response.status, response.text).toBe(401);
        else {
          const items = (parsed as { data: unknown[] }).data.map((raw, i) => expectItem(raw, i, session.user_id));
          const accepted = items.some((item) => item.codes.size === 0);
          expect(response.status, response.text).toBe(accepted ? 200 : 422);
        }
      }
      if (response.status === 200 || response.status === 422) {
        expect(authOk).toBe(true);
        expect(envelopeOk).toBe(true);
        const items = (parsed as { data: unknown[] }).data.map((raw, i) => expectItem(raw, i, session.user_id));
        const { rejected, ...ack } = response.json;
        acked = checkSendAnswers(items, rejected, response.status === 200 ? ack : undefined, 'REST');
        if (response.status === 422) expect(ack).toEqual({ type: 'message_ids', status: 'success', message_ids: [], client_ids: [], seqs: [] });
      }
      await checkStored(session.user_id, acked, 'REST stored');
    });
  }, 180_000);

  it('[R2][P5][M3] random query strings for GET /v1/chat/messages get a bounded page in seq order, 400, or 401 for a room only members may read, never a 5xx', async () => {
    type Param = { key: string; raw: string; kind: 'valid' | 'invalid' | 'junk' | 'extra'; value?: string | number };
    const enc = encodeURIComponent;
    const junkValue = fc.string({ maxLength: 12 }).map((raw) => ({ raw, kind: 'junk' as const }));
    const room = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(DEFAULT_ROOM_ID, EXTRA_ROOM, EXTRA_ROOM).map((v) => ({ raw: v, kind: 'valid' as const, value: v })) },
      { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,10}$/).filter((v) => !EXISTING_ROOMS.has(v)).map((v) => ({ raw: v, kind: 'valid' as const, value: v })) },
      { weight: 1, arbitrary: fc.constantFrom('General', '', '-a', 'a'.repeat(65), 'gén', ' general', "general'--").map((v) => ({ raw: enc(v), kind: 'invalid' as const })) },
      { weight: 1, arbitrary: junkValue },
    );
    const cursor = fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 140 }).map((n) => ({ raw: String(n), kind: 'valid' as const, value: n })) },
      { weight: 1, arbitrary: fc.constant({ raw: String(Number.MAX_SAFE_INTEGER), kind: 'valid' as const, value: Number.MAX_SAFE_INTEGER }) },
      { weight: 2, arbitrary: fc.constantFrom('-1', '1.5', 'abc', '', '9007199254740992', '1e300', '1e400', '-0.5', 'NaN', 'Infinity', '-Infinity', '+Infinity', '0x', '99999999999999999999', '1,2').map((raw) => ({ raw: enc(raw), kind: 'invalid' as const })) },
      { weight: 1, arbitrary: junkValue },
    );
    const limit = fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max: HISTORY_MAX_LIMIT }).map((n) => ({ raw: String(n), kind: 'valid' as const, value: n })) },
      // P5: a limit over the maximum is read as the maximum, never refused.
      { weight: 1, arbitrary: fc.constantFrom(HISTORY_MAX_LIMIT + 1, 10_000, 1e9).map((n) => ({ raw: String(n), kind: 'valid' as const, value: n })) },
      { weight: 2, arbitrary: fc.constantFrom('0', '-5', '2.5', '', 'x', String(2 ** 53), 'Infinity', '1e999').map((raw) => ({ raw: enc(raw), kind: 'invalid' as const })) },
      { weight: 1, arbitrary: junkValue },
    );
    const param: fc.Arbitrary<Param> = fc.oneof(
      room.map((v) => ({ key: 'room_id', ...v })),
      cursor.map((v) => ({ key: 'after_seq', ...v })),
      cursor.map((v) => ({ key: 'before_seq', ...v })),
      limit.map((v) => ({ key: 'limit', ...v })),
      fc.record({ key: fc.stringMatching(/^[a-z_]{1,8}$/), raw: fc.string({ maxLength: 6 }).map(enc) }).filter((p) => !['room_id', 'after_seq', 'before_seq', 'limit'].includes(p.key)).map((p) => ({ ...p, kind: 'extra' as const })),
      fc.record({ key: fc.string({ maxLength: 6 }), raw: fc.string({ maxLength: 6 }) }).map((p) => ({ ...p, kind: 'junk' as const })),
    );
    const queries = fc.record({ params: fc.array(param, { maxLength: 5 }), tail: fc.constantFrom('', '', '&', '&&', '#frag', '%', '=') });
    await fuzz('rest: history queries', 200, queries, async ({ params, tail }, stats) => {
      const query = params.map((p) => `${p.key}=${p.raw}`).join('&') + tail;
      const response = await http('GET', `/v1/chat/messages?${query}`);
      stats.inputs++;
      tally(stats, String(response.status));
      expect(response.status, `${query} → ${response.text}`).toBeLessThan(500);
      expect([200, 400, 401], `${query} → ${response.text}`).toContain(response.status);
      if (response.status !== 200) {
        expect(response.json, query).toEqual({ type: 'error', code: expect.any(String), message: expect.any(String) });
      }

      const keys = params.map((p) => p.key);
      const clean = tail === '' || tail === '&' || tail === '&&' || tail === '#frag';
      const precise = clean && params.every((p) => p.kind !== 'junk') && new Set(keys).size === keys.length;
      const get = (key: string) => params.find((p) => p.key === key);
      if (precise) {
        const roomId = (get('room_id')?.value as string | undefined) ?? DEFAULT_ROOM_ID;
        if (params.some((p) => p.kind === 'invalid')) expect(response.status, query).toBe(400);
        // M3: without a token only the rooms everyone is in can be read; for any
        // other id the answer is the same whether the room exists or not.
        else if (!EXISTING_ROOMS.has(roomId)) expect(response.status, query).toBe(401);
        else expect(response.status, query).toBe(200);
      }
      if (response.status !== 200) return;
      const body = response.json;
      expect(body.type).toBe('messages');
      expect(typeof body.has_more).toBe('boolean');
      expect(body.data.length).toBeLessThanOrEqual(HISTORY_MAX_LIMIT);
      const seqs = (body.data as Json[]).map((m) => m.seq as number);
      for (let i = 1; i < seqs.length; i++) expect(seqs[i], 'seq order').toBeGreaterThan(seqs[i - 1]);
      if (new Set(body.data.map((m: Json) => m.room_id)).size > 1) throw new Error('a page mixes rooms');
      if (!precise) return;
      const roomId = (get('room_id')?.value as string | undefined) ?? DEFAULT_ROOM_ID;
      const after = get('after_seq')?.value as number | undefined;
      const before = get('before_seq')?.value as number | undefined;
      const pageLimit = Math.min((get('limit')?.value as number | undefined) ?? HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT);
      expect(body.data.length).toBeLessThanOrEqual(pageLimit);
      for (const m of body.data as Json[]) {
        expect(m.room_id).toBe(roomId);
        if (after !== undefined) expect(m.seq).toBeGreaterThan(after);
        if (before !== undefined) expect(m.seq).toBeLessThan(before);
      }
      if (roomId === EXTRA_ROOM) {
        // Nothing else writes to this room meanwhile: the page is exactly determined.
        const conditions = ['room_id = $1'];
        const values: unknown[] = [roomId];
        if (after !== undefined) conditions.push(`seq > $${values.push(after)}`);
        if (before !== undefined) conditions.push(`seq < $${values.push(before)}`);
        const { rows } = await server.db.pool.query<{ seq: number }>(
          `SELECT seq FROM messages WHERE ${conditions.join(' AND ')} ORDER BY seq ${after !== undefined ? 'ASC' : 'DESC'} LIMIT ${pageLimit + 1}`,
          values,
        );
        const expected = rows.slice(0, pageLimit).map((r) => Number(r.seq));
        if (after === undefined) expected.reverse();
        expect(seqs, query).toEqual(expected);
        expect(body.has_more, query).toBe(rows.length > pageLimit);
      }
    });
  }, 180_000);

  it('[R2][P1][P10] absent, malformed and forged bearer tokens get 401 (or 4401 on the socket) and store nothing; genuine ones work', async () => {
    const forgedSubs: string[] = [];
    await fuzz('auth: forged tokens', 150, tokenCase, async (c, stats) => {
      const session = await newSession();
      const token = forgeToken(c, session.token);
      const accepted = ACCEPTED_KINDS.has(c.kind);
      const expectedUser = c.kind === 'genuine' ? session.user_id : c.sub;
      if (!accepted && /^[0-9a-f-]{36}$/.test(c.sub)) forgedSubs.push(c.sub);
      tally(stats, c.kind);

      // REST (P10).
      const item = { client_id: ulid(), content: `token probe ${c.kind}` };
      const schemeOk = ['Bearer ', 'bearer ', 'BEARER '].includes(c.scheme);
      const headerValue = `${c.scheme}${token}`;
      const response = await http('POST', '/v1/chat/messages', {
        headers: { 'content-type': 'application/json', authorization: headerValue },
        body: Buffer.from(JSON.stringify({ data: [item] })),
      });
      stats.inputs++;
      expect(response.status, response.text).toBeLessThan(500);
      const shouldAccept = accepted && schemeOk && token.trim() === token && token.length > 0;
      if (c.kind === 'huge' && headerValue.length > 16_000) expect([401, 431]).toContain(response.status);
      else if (shouldAccept) {
        expect(response.status, `${c.kind}: ${response.text}`).toBe(200);
        const { rows } = await server.db.pool.query('SELECT user_id FROM messages WHERE id = $1', [response.json.message_ids[0]]);
        expect(rows[0].user_id).toBe(expectedUser);
      } else {
        expect(response.status, `${c.kind} with ${JSON.stringify(c.scheme)}: ${response.text}`).toBe(401);
        expect(response.json).toEqual({ type: 'error', code: ErrorCode.InvalidToken, message: expect.any(String) });
      }

      // The socket (P1): ?token=.
      const socket = await FuzzSocket.open(`${server.wsUrl}?token=${encodeURIComponent(token)}`);
      stats.inputs++;
      try {
        if (socket.frames.length === 0) {
          // Refused at the HTTP level (a URL longer than the header limit).
          expect(c.kind).toBe('huge');
          expect(socket.error?.message).toMatch(/Unexpected server response: (400|414|431)/);
          return;
        }
        expect(socket.problems).toEqual([]);
        if (accepted) {
          expect(socket.frames[0]).toEqual({ type: 'hello', user_id: expectedUser, token: expect.any(String), protocol: PROTOCOL_VERSION });
        } else if (token === '') {
          expect(socket.frames[0]).toMatchObject({ type: 'hello' });
        } else {
          expect(socket.frames[0], c.kind).toEqual({ type: 'error', code: ErrorCode.InvalidToken, message: expect.any(String) });
          expect((await socket.closed()).code).toBe(CloseCode.InvalidToken);
        }
      } finally {
        await socket.shutdown();
      }
    });
    const { rows } = await server.db.pool.query('SELECT count(*)::int AS n FROM messages WHERE user_id = ANY($1::uuid[])', [forgedSubs]);
    expect(rows[0].n, 'nothing stored under a forged identity').toBe(0);
  }, 180_000);

  it('[R2][P1] WebSocket upgrades with junk query strings (?token= garbage) and Origin headers get hello, invalid_token + 4401 or a 4xx refusal; never a 5xx', async () => {
    const session = await newSession();
    const sameOrigin = `http://${new URL(server.baseUrl).host}`;
    // Undefined: no Origin header (not a browser); 'same': this server's own origin.
    const origin = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom<string | undefined>(undefined, 'same') },
      {
        weight: 2,
        arbitrary: fc.constantFrom('https://evil.example', 'null', '', 'not a url', 'http://127.0.0.1', 'http://localhost', 'file://', 'http://[::1]:1', `${'http://'}${'a'.repeat(300)}`, 'javascript:alert(1)'),
      },
      { weight: 1, arbitrary: fc.string({ unit: printable(0x20, 0x7e), maxLength: 30 }) },
    );
    const queryValue = fc.oneof(
      fc.constant('<GENUINE>'),
      fc.string({ unit: visibleAscii, maxLength: 20 }),
      fc.constantFrom('', '%', '%zz', '%00', '%ff%fe', '%C0%80', 'a%20b', 'a+b', 'null', 'undefined', '[]', '{}', 'eyJhbGciOiJub25lIn0.e30.', "'--", '<script>'),
    );
    const piece = fc.oneof(
      { weight: 4, arbitrary: fc.record({ key: fc.constantFrom('token', 'token', 'TOKEN', 'tok%65n', 'token%00', 'token[]', '', 'x', '__proto__', 'constructor'), value: queryValue }).map(({ key, value }) => `${key}=${value}`) },
      { weight: 1, arbitrary: fc.constantFrom('&', '=', '==', '%', '%zz', '+', '?', ';', '#', '%%', 'token', 'token=', 'token=&token=') },
      { weight: 1, arbitrary: fc.string({ unit: visibleAscii, maxLength: 12 }) },
    );
    const cases = fc.record({ origin, pieces: fc.array(piece, { maxLength: 5 }), high: fc.oneof({ weight: 5, arbitrary: fc.constant(new Uint8Array(0)) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => b.map((x) => x | 0x80)) }) });
    await fuzz('upgrade: junk query & Origin', 100, cases, async ({ origin: originKind, pieces, high }, stats) => {
      const query = pieces.join('&').split('<GENUINE>').join(session.token);
      const target = Buffer.concat([Buffer.from(`/v1/chat/ws?${query}`, 'latin1'), Buffer.from(high)]);
      const originHeader = originKind === 'same' ? sameOrigin : originKind;
      const peer = await rawUpgrade(target, originHeader);
      stats.inputs++;
      try {
        tally(stats, String(peer.status));
        expect(peer.status, `${query} → ${peer.status}`).not.toBeNaN();
        expect(peer.status!, query).toBeLessThan(500);
        expect([101, 400, 403, 404, 414, 429, 431], query).toContain(peer.status);
        expect(peer.status, 'no per-address limit applies to a fresh address').not.toBe(429);
        // Where the request is simple, the outcome is determined.
        const simple = high.length === 0 && !/[%#+;]/.test(query);
        const originOk = originHeader === undefined || originHeader === sameOrigin;
        if (simple && !originOk) expect(peer.status, `Origin ${JSON.stringify(originHeader)}`).toBe(403);
        if (!originOk) expect([400, 403, 414, 431], `Origin ${JSON.stringify(originHeader)}`).toContain(peer.status);
        const tokens = simple ? new URLSearchParams(query).getAll('token') : [];
        if (simple && originOk && tokens.length >= 2) expect(peer.status, query).toBe(400);
        if (peer.status !== 101) return;
        const first = peer.textFrames()[0];
        if (simple && tokens.length <= 1) {
          if (tokens.length === 0 || tokens[0] === '') expect(first?.type, query).toBe('hello');
          else if (tokens[0] === session.token) expect(first, query).toMatchObject({ type: 'hello', user_id: session.user_id });
          else expect(first, query).toMatchObject({ type: 'error', code: ErrorCode.InvalidToken });
        }
        if (first?.type === 'hello') {
          tally(stats, 'hello');
          peer.write(encodeFrame({ opcode: 1, payload: Buffer.from('{"type":"ping"}') }));
          expect(await peer.until(() => peer.textFrames().some((f) => f.type === 'pong'), PONG_DEADLINE_MS), `pong after ${query}`).toBe(true);
        } else {
          expect(first, query).toEqual({ type: 'error', code: ErrorCode.InvalidToken, message: expect.any(String) });
          expect(await peer.until(() => peer.closeCode() !== null, CLOSE_DEADLINE_MS)).toBe(true);
          expect(peer.closeCode()).toBe(CloseCode.InvalidToken);
          tally(stats, '4401');
        }
      } finally {
        peer.destroy();
      }
    });
  }, 180_000);

  it('[R2] random methods, raw (un-normalised) paths and bodies on every endpoint never get a 5xx, and path traversal serves nothing', async () => {
    const method = fc.constantFrom('GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'CONNECT', 'FOO', 'get');
    const base = fc.constantFrom('/v1/session', '/v1/chat/messages', '/v1/chat/ws', '/healthz', '/docs', '/docs/json', '/docs/static/index.html', '/', '/v1', '/v1/chat', '*');
    const suffix = fc.oneof(
      fc.constantFrom('', '', '/', '/..', '/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fpackage.json', '/../../package.json', '%00', '/%00', '%ZZ', '//', '/./', ';x=1', '?x=1&x=2', '?', '#frag', '/\\..\\..\\package.json'),
      fc.string({ unit: visibleAscii, maxLength: 20 }).map((t) => `/${t}`),
    );
    const body = fc.oneof(
      fc.constant(''),
      fc.constant('{"data":[{"content":"hi"}]}'),
      fc.json({ maxDepth: 2 }),
      fc.string({ unit: printable(0x20, 0x7e), maxLength: 60 }),
    );
    const contentType = fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data');
    await fuzz('http: methods & raw paths', 100, fc.record({ method, base, suffix, body, contentType }), async (r, stats) => {
      const peer = await RawPeer.connect();
      const payload = Buffer.from(r.body);
      const head =
        `${r.method} ${r.base}${r.suffix} HTTP/1.1\r\nHost: ${new URL(server.baseUrl).host}\r\nConnection: close\r\n` +
        (r.contentType ? `Content-Type: ${r.contentType}\r\n` : '') +
        (payload.length > 0 || r.method === 'POST' ? `Content-Length: ${payload.length}\r\n` : '') +
        '\r\n';
      try {
        peer.write(Buffer.concat([Buffer.from(head, 'latin1'), payload]));
        await peer.until(() => peer.ended, 5_000);
        stats.inputs++;
        tally(stats, String(peer.status));
        const what = `${r.method} ${r.base}${r.suffix}`;
        if (r.method === 'CONNECT' && peer.status === null) {
          // Node's HTTP server closes a CONNECT nobody handles: a clean refusal.
          expect(peer.ended).toBe(true);
          return;
        }
        expect(peer.status, `${what}: no answer`).not.toBeNull();
        expect(peer.status!, `${what} → ${peer.body().slice(0, 200)}`).toBeLessThan(500);
        expect(peer.body(), what).not.toMatch(/root:x:0:0|"name":\s*"whisper"/);
      } finally {
        peer.destroy();
      }
    });
  }, 120_000);

  it('[R2] random bytes on the raw connection (before and after the upgrade, broken WebSocket framing) end in a 4xx or a protocol close; the server keeps serving', async () => {
    const wsPart = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b)),
      fc
        .record({
          fin: fc.boolean(),
          rsv: fc.integer({ min: 0, max: 7 }),
          opcode: fc.integer({ min: 0, max: 15 }),
          masked: fc.boolean(),
          payload: fc.uint8Array({ maxLength: 200 }),
          lie: fc.constantFrom(undefined, undefined, 0, 3, 126, 65_536, 2 ** 40),
        })
        .map(({ lie, ...frame }) => encodeFrame({ ...frame, declaredLength: lie })),
      fc.constantFrom(
        encodeFrame({ opcode: 1, payload: Buffer.from('{"type":"ping"}') }),
        encodeFrame({ opcode: 1, payload: Buffer.from('{"type":"ping"}'), masked: false }),
        encodeFrame({ opcode: 0, payload: Buffer.from('continuation without a start') }),
        encodeFrame({ opcode: 1, fin: false, payload: Buffer.from('{"type":') }),
        encodeFrame({ opcode: 9, payload: Buffer.alloc(126) }),
        encodeFrame({ opcode: 8, payload: Buffer.from([0x03, 0xe8]) }),
        encodeFrame({ opcode: 8, payload: Buffer.from([0x00, 0x01]) }),
        encodeFrame({ opcode: 8, payload: Buffer.from([0x03]) }),
        encodeFrame({ opcode: 2, payload: Buffer.alloc(0), declaredLength: MAX_FRAME_BYTES + 1 }),
      ),
    );
    const cases = fc.oneof(
      fc.record({ stage: fc.constant('after-upgrade' as const), parts: fc.array(wsPart, { minLength: 1, maxLength: 5 }) }),
      fc.record({
        stage: fc.constant('before-upgrade' as const),
        parts: fc.array(
          fc.oneof(
            fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => Buffer.from(b)),
            fc.string({ unit: printable(0x20, 0x7e), maxLength: 80 }).map((s) => Buffer.from(s)),
            fc.constantFrom(
              Buffer.from('GET /v1/chat/ws HTTP/1.1\r\n'),
              Buffer.from('Upgrade: websocket\r\nConnection: Upgrade\r\n'),
              Buffer.from('Content-Length: -1\r\n'),
              Buffer.from('Transfer-Encoding: chunked\r\n'),
              Buffer.from('POST /v1/chat/messages HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{"dat'),
              Buffer.from('\r\n'),
            ),
          ),
          { minLength: 1, maxLength: 4 },
        ),
      }),
    );
    await fuzz('raw tcp: random bytes', 80, cases, async ({ stage, parts }, stats) => {
      stats.inputs += parts.length;
      if (stage === 'before-upgrade') {
        const peer = await RawPeer.connect();
        try {
          for (const part of parts) peer.write(part);
          peer.write(Buffer.from('\r\n\r\n'));
          await peer.until(() => peer.status !== null, 300);
          tally(stats, `http ${peer.status ?? 'none'}`);
          if (peer.status !== null && !Number.isNaN(peer.status)) expect(peer.status, parts.map((p) => p.toString('latin1')).join('')).toBeLessThan(500);
        } finally {
          peer.destroy();
        }
        return;
      }
      const peer = await rawUpgrade(Buffer.from('/v1/chat/ws'));
      try {
        expect(peer.status).toBe(101);
        expect(peer.textFrames()[0]?.type).toBe('hello');
        for (const part of parts) peer.write(part);
        // A WebSocket-level ping: a pong means the server read everything before it.
        peer.write(encodeFrame({ opcode: 9, payload: Buffer.from('probe') }));
        await peer.until(() => peer.closeCode() !== null || peer.frames.some((f) => f.opcode === 10 && f.payload.toString() === 'probe'), 250);
        const code = peer.closeCode();
        tally(stats, code === null ? (peer.ended ? 'tcp end' : 'open') : `closed ${code}`);
        // Frames the server sent are well-formed JSON.
        expect(() => peer.textFrames()).not.toThrow();
        if (code !== null) {
          // ws echoes a valid close code it received, else answers a protocol error.
          expect(code === 1005 || code === 1000 || [PROTOCOL_ERROR_CLOSE, INVALID_UTF8_CLOSE, CloseCode.PolicyViolation, CloseCode.MessageTooBig].includes(code) || (code >= 3000 && code <= 4999), `close ${code}`).toBe(true);
        }
      } finally {
        peer.destroy();
      }
    });
  }, 180_000);
});

describe('R2 regressions found by the fuzzing', () => {
  it('[R2][P5] cursors and limits of Infinity, -Infinity or 1e400 are 400 invalid_request, never a 503 from the database', async () => {
    // Ajv coerced these strings to ±Infinity and skipped minimum/maximum;
    // PostgreSQL then refused 'Infinity' as a bigint and the request was a 503.
    for (const query of ['before_seq=Infinity', 'after_seq=Infinity', 'after_seq=-Infinity', 'before_seq=1e400', 'limit=Infinity', 'limit=-1e999', 'room_id=general&after_seq=%2BInfinity']) {
      const response = await http('GET', `/v1/chat/messages?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.json, query).toEqual({ type: 'error', code: 'invalid_request', message: expect.stringContaining('finite') });
    }
    // Finite spellings that coerce to valid integers still work.
    for (const query of ['after_seq=0x10', 'limit=1e2', 'before_seq=10.0']) {
      expect((await http('GET', `/v1/chat/messages?${query}`)).status, query).toBe(200);
    }
  });

  it('[R2][P7] a batch naming 100 made-up rooms is rejected after one query, not a transaction per room (socket and REST)', async () => {
    // Before the fix every distinct room of a batch got a writer transaction
    // of its own (BEGIN, SELECT … FOR UPDATE, ROLLBACK on a pool connection)
    // just to find out that it does not exist.
    const repository = server.app.messages;
    const insertBatch = repository.insertBatch;
    const written: string[] = [];
    repository.insertBatch = async (roomId, items) => {
      written.push(roomId);
      return insertBatch(roomId, items);
    };
    try {
      const bogus = Array.from({ length: MAX_BATCH_SIZE - 2 }, (_, i) => ({ client_id: `bogus${i}`, room_id: `no-such-room-${i}`, content: 'x' }));
      const good = [{ client_id: ulid(), content: 'fine' }, { client_id: ulid(), room_id: EXTRA_ROOM, content: 'fine too' }];
      const data = [good[0], ...bogus, good[1]];
      const socket = await FuzzSocket.connect(server.wsUrl);
      socket.ws.send(JSON.stringify({ type: 'messages', data }));
      await socket.until(() => socket.count('message_ids') === 1, 10_000, 'the ack');
      expect(socket.frames.filter((f) => f.type === 'rejected')).toEqual([
        { type: 'rejected', code: ErrorCode.UnknownRoom, client_ids: bogus.map((b) => b.client_id), message: expect.stringContaining('does not exist') },
      ]);
      expect(socket.frames.find((f) => f.type === 'message_ids').client_ids).toEqual(good.map((g) => g.client_id));
      await socket.shutdown();
      // Only real rooms reach the writer (the canary writes to general meanwhile).
      expect(written.filter((room) => !EXISTING_ROOMS.has(room))).toEqual([]);
      expect(written).toContain(EXTRA_ROOM);

      written.length = 0;
      const session = await newSession();
      const rest = await http('POST', '/v1/chat/messages', {
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
        body: Buffer.from(JSON.stringify({ data: bogus })),
      });
      expect(rest.status).toBe(422);
      expect(rest.json.rejected).toEqual([expect.objectContaining({ code: ErrorCode.UnknownRoom, client_ids: bogus.map((b) => b.client_id) })]);
      expect(written.filter((room) => !EXISTING_ROOMS.has(room))).toEqual([]);
    } finally {
      repository.insertBatch = insertBatch;
    }
  }, 30_000);

  it('[R2] sockets spending their whole message budget on made-up rooms do not hold up a valid sender', async () => {
    // 30 connections, each sending its full message burst (20 frames of 100
    // items) to 2,000 distinct made-up rooms. Before the fix that was 60,000
    // transactions queued on a 10-connection pool: valid sends waited up to
    // seconds for their acks until the backlog was gone, 10+ s later.
    const ATTACKERS = 30;
    const FRAMES = 20;
    const attackers = await Promise.all(Array.from({ length: ATTACKERS }, () => FuzzSocket.connect(server.wsUrl)));
    const valid = await FuzzSocket.connect(server.wsUrl);
    try {
      const started = performance.now();
      attackers.forEach((socket, a) => {
        for (let f = 0; f < FRAMES; f++) {
          socket.ws.send(JSON.stringify({ type: 'messages', data: Array.from({ length: MAX_BATCH_SIZE }, (_, i) => ({ content: 'x', room_id: `made-up-${a}-${f}-${i}` })) }));
        }
      });
      const answered = () => attackers.every((socket) => socket.count('rejected') === FRAMES || socket.closeInfo !== null);
      // A valid sender, one message at a time, for as long as the attack is being answered.
      let slowestAckMs = 0;
      let sent = 0;
      do {
        const item = { client_id: ulid(), content: `valid message ${sent}` };
        const at = performance.now();
        valid.ws.send(JSON.stringify({ type: 'messages', data: [item] }));
        sent++;
        await valid.until(() => valid.count('message_ids') === sent, 15_000, 'the valid ack');
        slowestAckMs = Math.max(slowestAckMs, performance.now() - at);
      } while (!answered() && performance.now() - started < 30_000);
      const drainedMs = performance.now() - started;
      console.log(`[fuzz] unknown-room attack: ${ATTACKERS * FRAMES * MAX_BATCH_SIZE} items answered after ${drainedMs.toFixed(0)} ms; ${sent} valid sends meanwhile, slowest ack ${slowestAckMs.toFixed(0)} ms`);
      for (const socket of attackers) {
        expect(socket.closeInfo).toBeNull();
        expect(socket.frames.filter((f) => f.type === 'rejected').every((f) => f.code === ErrorCode.UnknownRoom)).toBe(true);
      }
      expect(slowestAckMs).toBeLessThan(1_500);
      expect(drainedMs).toBeLessThan(6_000);
    } finally {
      await Promise.all([...attackers, valid].map((socket) => socket.shutdown()));
    }
  }, 60_000);
});

describe('R2 after the fuzzing', () => {
  it('[R2] the process kept serving: /healthz is 200, the canary was never refused, no uncaught errors, no leaked sockets or database connections, no wedged event loop', async () => {
    expect(processFailures).toEqual([]);
    const health = await http('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok' });
    expect(canary.failures).toEqual([]);
    expect(canary.open).toBe(true);
    expect(canary.acks).toBeGreaterThan(10);
    // Only the canary is still connected once every fuzzing socket has gone.
    await waitUntil(() => server.app.websocketServer.clients.size === 1, 10_000, 'fuzzing sockets to be released');
    // Nobody waits for a database connection and none is stuck in a transaction (once the canary,
    // whose own transactions pass through "idle in transaction" between statements, has stopped).
    await waitUntil(() => server.app.db.waitingCount === 0, 5_000, 'the pool to be idle');
    await canary.stop();
    const { rows } = await server.db.pool.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'whisper' AND state LIKE 'idle in transaction%'",
    );
    expect(rows[0].n).toBe(0);
    const maxDelayMs = loopDelay.max / 1e6;
    console.log(
      `[fuzz] event loop delay max ${maxDelayMs.toFixed(0)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms; slowest pong ${maxPongMs.toFixed(0)} ms; canary ${canary.acks} acks, slowest ${canary.maxAckMs.toFixed(0)} ms`,
    );
    expect(maxDelayMs, 'the event loop was never blocked (wedged)').toBeLessThan(MAX_EVENT_LOOP_DELAY_MS);
  }, 60_000);
});
