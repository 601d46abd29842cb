import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_ROOM_ID, OpName, RoomKind, dmRoomId, type Op } from '../protocol/index.js';
import { hashPassword } from '../identity/passwords.js';
import { sendMessages } from '../messages/messages-service.js';

/**
 * A6: demo people, rooms and a believable history, so that a new user of
 * the repository can log in as two people in two windows at once (seed
 * 004). Idempotent: ids and client_ids are derived from names, so a second
 * run stores nothing new (S3, E3), and the history is written only into
 * rooms that have none yet.
 */

export interface DemoPerson {
  username: string;
  password: string;
  displayName: string;
}

/** Seed 004's two accounts first, then a few more. */
export const DEMO_PEOPLE: DemoPerson[] = [
  { username: 'testuser', password: 'testpass123', displayName: 'Test User' },
  { username: 'alice', password: 'alicepass123', displayName: 'Alice Martin' },
  { username: 'bob', password: 'bobpass12345', displayName: 'Bob Okafor' },
  { username: 'carol', password: 'carolpass123', displayName: 'Carol Nguyen' },
  { username: 'dan', password: 'danpass12345', displayName: 'Dan Kowalski' },
];

/** A stable UUID (v4 layout) from a name, so every run and every machine agrees. */
export function demoId(name: string): string {
  const hex = createHash('sha256').update(`whisper-demo:${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const BOOK_CLUB = 'demo-book-club';
const TRIP = 'demo-weekend-trip';

type Line = [who: string, text: string];

/** Who says what, room by room, oldest first; spread over the last days when stored. */
const HISTORY: Record<string, Line[]> = {
  [DEFAULT_ROOM_ID]: [
    ['alice', 'Morning everyone ☀️'],
    ['bob', 'Morning! Coffee first, then code.'],
    ['carol', 'Has anyone tried the new bakery on Elm Street?'],
    ['dan', 'Yes, the cardamom buns are worth the queue.'],
    ['testuser', 'Noted. Going there at lunch.'],
    ['alice', 'Bring some back for the rest of us 😄'],
  ],
  [BOOK_CLUB]: [
    ['carol', 'Next pick: "The Left Hand of Darkness"?'],
    ['alice', 'Yes! I have been meaning to read it for years.'],
    ['dan', 'Fine by me. Two weeks enough?'],
    ['carol', 'Two weeks, then we meet on the Thursday.'],
    ['testuser', 'I am halfway through already, no spoilers from me.'],
  ],
  [TRIP]: [
    ['alice', 'Cabin is booked for the 14th to the 16th 🏕️'],
    ['bob', 'I can drive. Four seats.'],
    ['testuser', 'I will bring the board games.'],
    ['alice', 'Perfect. Bob, pick us up at 9?'],
    ['bob', '9 sharp. Do not be late, Test 😉'],
  ],
  dm: [
    ['alice', 'Hey, are you coming on Thursday?'],
    ['testuser', 'Wouldn\'t miss it. Should I bring anything?'],
    ['alice', 'Just yourself. And maybe those board games.'],
  ],
};

/** How far back the history starts. */
const HISTORY_SPAN_HOURS = 72;

export interface SeedReport {
  accounts: { username: string; created: boolean }[];
  rooms: number;
  messages: number;
}

export async function seedDemoData(app: FastifyInstance, log: (line: string) => void = () => undefined): Promise<SeedReport> {
  const report: SeedReport = { accounts: [], rooms: 0, messages: 0 };
  const ids = Object.fromEntries(DEMO_PEOPLE.map((person) => [person.username, demoId(person.username)]));

  for (const person of DEMO_PEOPLE) {
    const userId = ids[person.username];
    await app.users.ensure(userId);
    const outcome = await app.accounts.claim(userId, person.username, await hashPassword(person.password));
    if (outcome === 'taken') log(`username ${person.username} belongs to someone else here; that demo person is left out`);
    if (outcome === 'claimed') await app.accounts.setProfile(userId, { displayName: person.displayName });
    report.accounts.push({ username: person.username, created: outcome === 'claimed' });
  }

  const ops: [string, Op][] = [
    ['carol', { client_id: 'demo-op-book-club', op: OpName.RoomCreate, room_id: BOOK_CLUB, name: 'Book club', kind: RoomKind.Public, user_ids: [ids.alice, ids.dan, ids.testuser] }],
    ['alice', { client_id: 'demo-op-trip', op: OpName.RoomCreate, room_id: TRIP, name: 'Weekend trip', kind: RoomKind.Group, user_ids: [ids.bob, ids.testuser] }],
    ['alice', { client_id: 'demo-op-dm', op: OpName.RoomCreate, room_id: dmRoomId(ids.alice, ids.testuser), name: '', kind: RoomKind.Dm, user_ids: [ids.testuser] }],
  ];
  for (const [who, op] of ops) {
    const outcome = await app.ops.apply(ids[who], op);
    if (outcome.status !== 'applied') throw new Error(`demo room ${op.room_id}: ${outcome.message}`);
    report.rooms++;
  }

  const rooms: [string, Line[]][] = [
    [DEFAULT_ROOM_ID, HISTORY[DEFAULT_ROOM_ID]],
    [BOOK_CLUB, HISTORY[BOOK_CLUB]],
    [TRIP, HISTORY[TRIP]],
    [dmRoomId(ids.alice, ids.testuser), HISTORY.dm],
  ];
  const total = rooms.reduce((sum, [, lines]) => sum + lines.length, 0);
  let index = 0;
  for (const [roomId, lines] of rooms) {
    const { rows } = await app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM messages WHERE room_id = $1 AND client_id LIKE $2', [roomId, 'demo-%']);
    if (rows[0].n > 0) {
      index += lines.length;
      continue;
    }
    for (const [i, [who, text]] of lines.entries()) {
      const outcome = await sendMessages(app.writer, ids[who], [{ client_id: `demo-${roomId}-${i}`, room_id: roomId, content: text }]);
      if (!outcome.ack) throw new Error(`demo message in ${roomId} not stored: ${outcome.rejected[0]?.message ?? 'database unavailable'}`);
      // Spread over the last days, in order, so the timeline reads like one.
      const hoursAgo = HISTORY_SPAN_HOURS * (1 - index / total);
      await app.db.query(`UPDATE messages SET created_at = now() - make_interval(secs => $3) WHERE user_id = $1 AND client_id = $2`, [
        ids[who],
        `demo-${roomId}-${i}`,
        Math.round(hoursAgo * 3600),
      ]);
      index++;
      report.messages++;
    }
    await app.db.query('UPDATE rooms SET last_activity_at = (SELECT max(created_at) FROM messages WHERE room_id = $1) WHERE id = $1', [roomId]);
  }
  return report;
}
