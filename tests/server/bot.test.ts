/**
 * Whisper Bot (B1, B2): a DM with it, its answers (delay, typing, commands,
 * variety), its greeting, and exactly-once answers across two instances and
 * across a SIGKILL of the process that was about to answer.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BOT_DISPLAY_NAME, BOT_USER_ID, dmRoomId, type AckFrame, type ChatMessage, type ServerFrame, type TypingFrame } from '../../server/protocol/index.js';
import { FRIENDLY_REPLIES, GREETING, HELP, botReply } from '../../server/bot/bot-replies.js';
import { BotWorker, botClientId } from '../../server/bot/bot-worker.js';
import { loadConfig } from '../../server/config.js';
import { createSession, isMessages, item, received, restSend, waitFor } from '../support/fixtures.js';
import { freePort } from '../support/free-port.js';
import { api, createRoom } from '../support/rooms-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { startChildServer } from '../support/child-server.js';
import { TestSocket } from '../support/ws-client.js';

/** Short, so the suite is quick; a window wide enough that "not before min" means something. */
const DELAY = { delayMinMs: 400, delayMaxMs: 800 };
/** A commit, a NOTIFY, a timer and a socket write on a loaded 2-core machine. */
const SLACK_MS = 2_000;
/** How long a test waits to be sure nothing more comes. */
const QUIET_MS = DELAY.delayMaxMs + 700;
/** A child server (tsx compiling the server) may take a while to answer /healthz. */

let db: TestDatabase;
let a: TestServer;
let b: TestServer;
/** Greets every identity made through it. */
let greeter: TestServer;
beforeAll(async () => {
  db = await createTestDatabase();
  [a, b, greeter] = await Promise.all([
    startTestServer({ db, bot: DELAY }),
    startTestServer({ db, bot: DELAY }),
    startTestServer({ db, bot: { ...DELAY, greeting: true } }),
  ]);
});
afterAll(async () => {
  await Promise.all([a, b, greeter].map((server) => server.close()));
  await db.drop();
});

/** The DM between someone and the bot (M2: derived from the two ids). */
const dmRoomIdOf = (userId: string) => dmRoomId(userId, BOT_USER_ID);
const quiet = () => new Promise((resolve) => setTimeout(resolve, QUIET_MS));
const fromBot = (socket: TestSocket, roomId: string) => received(socket.frames).filter((m) => m.user_id === BOT_USER_ID && m.room_id === roomId);
const isBotTyping = (roomId: string) => (frame: ServerFrame): frame is TypingFrame => frame.type === 'typing' && frame.room_id === roomId && frame.user_id === BOT_USER_ID;

/** The DM with the bot, opened through the REST twin (P12). */
async function openBotDm(server: TestServer, token: string): Promise<string> {
  const response = await api(server.baseUrl, token, 'POST', '/v1/dms', { user_id: BOT_USER_ID });
  expect(response.status).toBe(200);
  return response.body.id as string;
}

/** A new person with a DM with the bot and a socket that hears it. */
async function personWithBot(server: TestServer) {
  const session = await createSession(server.baseUrl);
  const roomId = await openBotDm(server, session.token);
  const socket = await TestSocket.connect(server.wsUrl, session.token);
  return { ...session, roomId, socket };
}

/** Sends one message over the socket; resolves with it once acked. */
async function say(socket: TestSocket, roomId: string, content: string): Promise<{ id: string; clientId: string }> {
  const sent = item(content, { room_id: roomId });
  socket.send({ type: 'messages', data: [sent] });
  const ack = await socket.next<AckFrame>((frame) => frame.type === 'message_ids' && frame.client_ids.includes(sent.client_id));
  return { id: ack.message_ids[ack.client_ids.indexOf(sent.client_id)], clientId: sent.client_id };
}

/** The bot's answer to a message, once the socket has it (answers may come in any order: each has its own delay). */
async function answerTo(socket: TestSocket, messageId: string, timeoutMs = DELAY.delayMaxMs + SLACK_MS): Promise<ChatMessage> {
  const clientId = botClientId({ kind: 'reply', subject: messageId });
  const find = () => received(socket.frames).find((m) => m.client_id === clientId);
  await waitFor(() => find() !== undefined, timeoutMs, `the answer to ${messageId}`);
  return find()!;
}

async function storedAnswers(roomId: string): Promise<{ client_id: string; n: number }[]> {
  const { rows } = await db.pool.query<{ client_id: string; n: number }>(
    'SELECT client_id, count(*)::int AS n FROM messages WHERE room_id = $1 AND user_id = $2 GROUP BY client_id ORDER BY client_id',
    [roomId, BOT_USER_ID],
  );
  return rows;
}

describe('B1 the bot', () => {
  it('[B1] is a person anyone finds by name and opens a DM with, and nobody can log in as', async () => {
    const ana = await createSession(a.baseUrl);
    const found = await api(a.baseUrl, ana.token, 'GET', '/v1/users?query=bot');
    expect(found.body.data).toContainEqual({ id: BOT_USER_ID, display_name: BOT_DISPLAY_NAME, color: expect.any(String), avatar: null });
    const dm = await api(a.baseUrl, ana.token, 'POST', '/v1/dms', { user_id: BOT_USER_ID });
    expect(dm.status).toBe(200);
    expect(dm.body).toMatchObject({ kind: 'dm' });
    expect([...(dm.body.members as string[])].sort()).toEqual([ana.user_id, BOT_USER_ID].sort());

    const { rows } = await db.pool.query('SELECT username, password_hash FROM users WHERE id = $1', [BOT_USER_ID]);
    expect(rows).toEqual([{ username: null, password_hash: null }]);
    const login = await api(a.baseUrl, undefined, 'POST', '/v1/session', { username: 'whisper_bot', password: 'whatever-it-is' });
    expect(login.status).toBe(401);
  });

  it('[B1] answers a message once, after a delay within the window, typing while it thinks', async () => {
    const ana = await personWithBot(a);
    const sentAt = Date.now();
    const message = await say(ana.socket, ana.roomId, 'Hello bot!');
    const answer = await answerTo(ana.socket, message.id);
    const waited = Date.now() - sentAt;

    const { rows } = await db.pool.query<{ created_at: Date }>('SELECT created_at FROM messages WHERE id = $1', [message.id]);
    const thought = Date.parse(answer.created_at) - rows[0].created_at.getTime();
    expect(thought).toBeGreaterThanOrEqual(DELAY.delayMinMs);
    expect(thought).toBeLessThanOrEqual(DELAY.delayMaxMs + SLACK_MS);
    expect(waited).toBeGreaterThanOrEqual(DELAY.delayMinMs);
    expect(FRIENDLY_REPLIES).toContain(answer.content);

    // Typing came first, and stopped once the answer was out.
    const typingAt = ana.socket.frames.findIndex(isBotTyping(ana.roomId));
    const answerAt = ana.socket.frames.findIndex((f) => isMessages(f) && f.data.some((m) => m.id === answer.id));
    expect(typingAt).toBeGreaterThanOrEqual(0);
    expect(typingAt).toBeLessThan(answerAt);
    expect((ana.socket.frames[typingAt] as TypingFrame).typing).toBe(true);
    await waitFor(() => ana.socket.frames.some((f) => isBotTyping(ana.roomId)(f) && !f.typing), SLACK_MS, 'typing: false');

    await quiet();
    expect(fromBot(ana.socket, ana.roomId).map((m) => m.id)).toEqual([answer.id]);
    expect(await storedAnswers(ana.roomId)).toEqual([{ client_id: botClientId({ kind: 'reply', subject: message.id }), n: 1 }]);
    await ana.socket.close();
  });

  it('[B1] understands /help, /time and /echo', async () => {
    const ana = await personWithBot(b);
    const help = await say(ana.socket, ana.roomId, '/help');
    const time = await say(ana.socket, ana.roomId, '/time');
    const echo = await say(ana.socket, ana.roomId, '/echo  Hello, <b>world</b> ');
    const unknown = await say(ana.socket, ana.roomId, '/dance');
    expect((await answerTo(ana.socket, help.id)).content).toBe(HELP);
    const said = (await answerTo(ana.socket, time.id)).content;
    const iso = /\((\d{4}-\d\d-\d\dT[\d:.]+Z)\)/.exec(said)?.[1];
    expect(iso, said).toBeDefined();
    expect(Math.abs(Date.parse(iso!) - Date.now())).toBeLessThan(DELAY.delayMaxMs + SLACK_MS);
    expect((await answerTo(ana.socket, echo.id)).content).toBe('Hello, <b>world</b>');
    expect((await answerTo(ana.socket, unknown.id)).content).toMatch(/don't know \/dance/);
    await ana.socket.close();
  });

  it('[B1] varies its replies', async () => {
    const ana = await personWithBot(a);
    const sent = [];
    for (let i = 0; i < 8; i++) sent.push(await say(ana.socket, ana.roomId, `message ${i}`));
    const answers = [];
    for (const message of sent) answers.push((await answerTo(ana.socket, message.id)).content);
    expect(answers.every((content) => (FRIENDLY_REPLIES as readonly string[]).includes(content))).toBe(true);
    expect(new Set(answers).size).toBeGreaterThan(1);
    // And the choice is the random source's: the same draw, the same reply.
    const draw = (x: number) => botReply({ content: 'hi', hasAttachments: false }, () => x, new Date());
    expect(new Set([0, 0.2, 0.4, 0.6, 0.8, 0.99].map(draw)).size).toBe(6);
    await ana.socket.close();
  });

  it('[B1] answers only people in its DMs: not itself, not a group it is in, not general, not a DM between people', async () => {
    const ana = await personWithBot(a);
    const ben = await createSession(a.baseUrl);
    const group = await createRoom(ana.socket, { userIds: [BOT_USER_ID, ben.user_id] });
    const humans = (await api(a.baseUrl, ana.token, 'POST', '/v1/dms', { user_id: ben.user_id })).body.id as string;
    const toBot = await say(ana.socket, ana.roomId, 'just one');
    await say(ana.socket, group, 'hello group');
    await say(ana.socket, 'general', 'hello everyone');
    await say(ana.socket, humans, 'hello Ben');
    await answerTo(ana.socket, toBot.id);
    await quiet();
    // One answer, and no answer to the answer.
    expect(fromBot(ana.socket, ana.roomId)).toHaveLength(1);
    expect(await storedAnswers(ana.roomId)).toHaveLength(1);
    for (const roomId of [group, 'general', humans]) expect(await storedAnswers(roomId)).toEqual([]);
    const { rows } = await db.pool.query('SELECT 1 FROM bot_jobs WHERE user_id = $1', [ana.user_id]);
    expect(rows).toEqual([]);
    await ana.socket.close();
  });

  it('[B1] greets a new identity once, in a DM it opens, when greeting is on; not where it is off', async () => {
    const ana = await createSession(greeter.baseUrl);
    const roomId = dmRoomIdOf(ana.user_id);
    await waitFor(async () => (await storedAnswers(roomId)).length > 0, DELAY.delayMaxMs + SLACK_MS, 'the greeting');
    const socket = await TestSocket.connect(greeter.wsUrl, ana.token);
    const rooms = await api(greeter.baseUrl, ana.token, 'GET', '/v1/rooms');
    expect((rooms.body.data as { id: string; kind: string }[]).find((room) => room.id === roomId)).toMatchObject({ kind: 'dm' });
    const history = await api(greeter.baseUrl, ana.token, 'GET', `/v1/chat/messages?room_id=${roomId}`);
    expect((history.body.data as ChatMessage[]).map((m) => [m.user_id, m.content])).toEqual([[BOT_USER_ID, GREETING]]);

    // Signing up without a token is a new identity too; claiming an account for an anonymous one is not.
    const signup = await api(greeter.baseUrl, undefined, 'POST', '/v1/accounts', { username: `bot_fan_${Date.now()}`, password: 'correct horse battery' });
    expect(signup.status).toBe(201);
    const upgrade = await api(greeter.baseUrl, ana.token, 'POST', '/v1/accounts', { username: `ana_${Date.now()}`, password: 'correct horse battery' });
    expect(upgrade.status).toBe(201);
    const elsewhere = await createSession(a.baseUrl);
    await waitFor(async () => (await storedAnswers(dmRoomIdOf(signup.body.user_id as string))).length > 0, DELAY.delayMaxMs + SLACK_MS, 'the signup greeted');
    await quiet();
    expect(await storedAnswers(roomId)).toEqual([{ client_id: botClientId({ kind: 'greet', subject: ana.user_id }), n: 1 }]);
    expect(await storedAnswers(dmRoomIdOf(elsewhere.user_id))).toEqual([]);
    const { rows } = await db.pool.query('SELECT 1 FROM rooms WHERE id = $1', [dmRoomIdOf(elsewhere.user_id)]);
    expect(rows).toEqual([]);
    await socket.close();
  });
});

describe('B1 settings', () => {
  it('[B1] npm start greets unless BOT_GREETING is off, and takes the delay window from the environment', () => {
    expect(loadConfig({}).bot).toEqual({ greeting: true });
    expect(loadConfig({ BOT_GREETING: '0' }).bot.greeting).toBe(false);
    expect(loadConfig({ BOT_GREETING: 'off' }).bot.greeting).toBe(false);
    expect(loadConfig({ BOT_DELAY_MS_MIN: '10', BOT_DELAY_MS_MAX: '20' }).bot).toMatchObject({ delayMinMs: 10, delayMaxMs: 20 });
    expect(() => loadConfig({ BOT_GREETING: 'maybe' })).toThrow(/BOT_GREETING/);
    expect(() => loadConfig({ BOT_DELAY_MS_MIN: '-1' })).toThrow(/BOT_DELAY_MS_MIN/);
    // A window upside down is refused when the app starts, not ignored.
    expect(() => new BotWorker({} as never, { greeting: false, delayMinMs: 500, delayMaxMs: 100 })).toThrow(/min ≤ max/);
  });
});

describe('B2 exactly once', () => {
  it('[B2] two instances on one database: each message gets exactly one answer', async () => {
    const ana = await personWithBot(a);
    const anaThere = await TestSocket.connect(b.wsUrl, ana.token);
    const sent = [];
    // Both instances' workers hear every commit and race for every job.
    for (let i = 0; i < 12; i++) sent.push(await say(i % 2 === 0 ? ana.socket : anaThere, ana.roomId, `race ${i}`));
    for (const message of sent) await answerTo(ana.socket, message.id);
    await quiet();
    expect(await storedAnswers(ana.roomId)).toEqual(sent.map((m) => ({ client_id: botClientId({ kind: 'reply', subject: m.id }), n: 1 })).sort((x, y) => (x.client_id < y.client_id ? -1 : 1)));
    // Broadcast once each, on both instances.
    for (const socket of [ana.socket, anaThere]) expect(fromBot(socket, ana.roomId)).toHaveLength(sent.length);
    await Promise.all([ana.socket.close(), anaThere.close()]);
  });

  it('[B2] a job whose answer is already stored (a retry) posts nothing more', async () => {
    const ana = await personWithBot(a);
    const message = await say(ana.socket, ana.roomId, 'once');
    const answer = await answerTo(ana.socket, message.id);
    // As if a worker had stored the answer and died before its job was gone.
    await db.pool.query(`INSERT INTO bot_jobs (kind, subject, room_id, user_id, run_at) VALUES ('reply', $1, $2, $3, now())`, [message.id, ana.roomId, ana.user_id]);
    a.app.bot.wake();
    await waitFor(async () => (await db.pool.query('SELECT 1 FROM bot_jobs WHERE subject = $1', [message.id])).rowCount === 0, SLACK_MS, 'the job done');
    await quiet();
    expect(fromBot(ana.socket, ana.roomId).map((m) => m.id)).toEqual([answer.id]);
    expect(await storedAnswers(ana.roomId)).toEqual([{ client_id: botClientId({ kind: 'reply', subject: message.id }), n: 1 }]);
    await ana.socket.close();
  });

  describe('a SIGKILLed instance', () => {
    const CHILD_DELAY_MS = 2_500;
    let killDb: TestDatabase;
    let child: ChildProcess | null = null;
    beforeAll(async () => {
      killDb = await createTestDatabase();
    });
    afterEach(() => {
      child?.kill('SIGKILL');
      child = null;
    });
    afterAll(async () => {
      await killDb.drop();
    });

    /** `npm start`'s entry point alone on killDb: nothing else answers for the bot. */
    async function startChild(port: number): Promise<ChildProcess> {
      const started = await startChildServer(killDb.url, port, {
        BOT_GREETING: '0',
        BOT_DELAY_MS_MIN: String(CHILD_DELAY_MS),
        BOT_DELAY_MS_MAX: String(CHILD_DELAY_MS),
      });
      child = started;
      return started;
    }

    async function kill(process: ChildProcess): Promise<void> {
      const exited = new Promise<void>((resolve) => process.once('exit', () => resolve()));
      process.kill('SIGKILL');
      await exited;
      child = null;
    }

    it('[B2] killed while the bot thinks, restarted: the answer comes once', { timeout: 120_000 }, async () => {
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const first = await startChild(port);
      const ana = await createSession(baseUrl);
      const dm = await api(baseUrl, ana.token, 'POST', '/v1/dms', { user_id: BOT_USER_ID });
      const roomId = dm.body.id as string;
      const sent = await restSend(baseUrl, ana.token, { data: [item('are you there?', { room_id: roomId })] });
      expect(sent.status).toBe(200);
      const messageId = (sent.body.message_ids as string[])[0];
      // The job was stored with the message, and the instance has started thinking about it.
      await waitFor(async () => (await killDb.pool.query('SELECT 1 FROM bot_jobs WHERE subject = $1 AND run_at IS NOT NULL', [messageId])).rowCount === 1, SLACK_MS, 'the job scheduled');
      await kill(first);
      const answers = async () =>
        (await killDb.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE room_id = $1 AND user_id = $2', [roomId, BOT_USER_ID])).rows[0].n;
      expect(await answers()).toBe(0);

      await startChild(port);
      await waitFor(async () => (await answers()) > 0, CHILD_DELAY_MS + SLACK_MS, 'the answer after the restart');
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      expect(await answers()).toBe(1);
      const { rows } = await killDb.pool.query<{ client_id: string; late: boolean }>(
        `SELECT r.client_id, r.created_at >= m.created_at + $3 * interval '1 millisecond' AS late
           FROM messages r, messages m WHERE r.room_id = $1 AND r.user_id = $2 AND m.id = $4`,
        [roomId, BOT_USER_ID, CHILD_DELAY_MS, messageId],
      );
      expect(rows).toEqual([{ client_id: botClientId({ kind: 'reply', subject: messageId }), late: true }]);
      expect((await killDb.pool.query('SELECT 1 FROM bot_jobs')).rowCount).toBe(0);
    });

    it('[B2] killed right after the message was acked: the answer is not lost', { timeout: 120_000 }, async () => {
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      const first = await startChild(port);
      const ana = await createSession(baseUrl);
      const roomId = (await api(baseUrl, ana.token, 'POST', '/v1/dms', { user_id: BOT_USER_ID })).body.id as string;
      const sent = await restSend(baseUrl, ana.token, { data: [item('quick', { room_id: roomId })] });
      const messageId = (sent.body.message_ids as string[])[0];
      await kill(first);
      expect((await killDb.pool.query('SELECT 1 FROM bot_jobs WHERE subject = $1', [messageId])).rowCount).toBe(1);
      await startChild(port);
      const answers = async () =>
        (await killDb.pool.query<{ client_id: string }>('SELECT client_id FROM messages WHERE room_id = $1 AND user_id = $2', [roomId, BOT_USER_ID])).rows;
      await waitFor(async () => (await answers()).length > 0, CHILD_DELAY_MS + SLACK_MS, 'the answer after the restart');
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      expect(await answers()).toEqual([{ client_id: botClientId({ kind: 'reply', subject: messageId }) }]);
    });
  });
});
