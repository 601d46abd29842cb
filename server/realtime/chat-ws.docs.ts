/**
 * The socket protocol as the OpenAPI document (/docs) shows it: every frame
 * both ways, with its rule, when it is sent and an example, built from the
 * protocol's own schemas (server/protocol/) so that nothing is written twice.
 * The maps are typed by the protocol's frame unions: a frame type added to
 * ClientFrame or ServerFrame does not compile until it is documented here,
 * and every example must be a valid frame of its type.
 */
import type { TSchema } from 'typebox';
import {
  CHAT_WS_PATH,
  CloseCode,
  DELIVERED_REPORT_INTERVAL_MS,
  ErrorCode,
  MAX_BATCH_SIZE,
  MAX_CONTENT_LENGTH,
  MAX_FRAME_BYTES,
  OpName,
  RECEIPTS_FLUSH_MS,
  RoomKind,
  TYPING_EXPIRY_MS,
  TYPING_MIN_INTERVAL_MS,
  TYPING_SIGNAL_INTERVAL_MS,
  type ClientFrame,
  type ServerFrame,
} from '../protocol/index.js';
import {
  AckFrameSchema,
  DeliveredFrameSchema,
  ViewingFrameSchema,
  ErrorFrameSchema,
  EventsFrameSchema,
  HelloFrameSchema,
  MessagesFrameSchema,
  OpsFrameSchema,
  PingFrameSchema,
  PresenceFrameSchema,
  PongFrameSchema,
  ReceiptsFrameSchema,
  RejectedFrameSchema,
  RoomsFrameSchema,
  SendFrameSchema,
  SyncedFrameSchema,
  SyncFrameSchema,
  TypingFrameSchema,
  TypingSignalSchema,
} from '../protocol/schemas.js';
import { PRESENCE_HEARTBEAT_MS, PRESENCE_INSTANCE_TTL_MS, PRESENCE_OFFLINE_GRACE_MS } from '../live/presence.js';

interface FrameDoc<F> {
  /** Name of the schema under components.schemas. */
  name: string;
  rule: string;
  when: string;
  schema: TSchema;
  examples: F[];
}
type FrameDocs<Union extends { type: string }> = { [Type in Union['type']]: FrameDoc<Extract<Union, { type: Type }>> };

const USER = '8d83c6f0-b9ef-47fd-9798-62373f2c9efc';
const OTHER_USER = '3b241101-e2bb-4255-8caf-4136c566a962';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI4ZDgzYzZmMC…';
const CLIENT_ID = '01JD3Q8Z5W6ZK2S9V7T4N1B0XA';
const OTHER_CLIENT_ID = '01JD3QA1RZ8M2V4X6B8D0F2H4K';
const MESSAGE_ID = '01JD3Q90C3V1MGN2XK0S6Y7H8P';
const REPLY_ID = '01JD3QB7K2N4Q6S8T0V2X4Z6A8';
const ROOM = '01jd3q8y2m4v6x8z0b2d4f6h8k';
const AT = '2026-11-21T13:09:28.123Z';

export const CLIENT_FRAMES: FrameDocs<ClientFrame> = {
  messages: {
    name: 'SendFrame',
    rule: 'P2',
    when: `Send messages, up to ${MAX_BATCH_SIZE} per frame. \`client_id\` (minted once, at enqueue) makes a resend harmless: it is stored once and acked with the original id (S3). \`reply_to\` (X1) quotes an earlier message of the room by its id, or by your own \`client_id\` for one not acked yet (an earlier item of the same frame too); one naming nothing there is dropped and the message stored without a quote.`,
    schema: SendFrameSchema,
    examples: [
      { type: 'messages', data: [{ client_id: CLIENT_ID, room_id: 'general', content: 'Hello, world!' }] },
      { type: 'messages', data: [{ client_id: OTHER_CLIENT_ID, room_id: 'general', content: 'Hello to you too', reply_to: MESSAGE_ID }] },
    ],
  },
  ops: {
    name: 'OpsFrame',
    rule: 'P11',
    when:
      'Every change that is not a new message, idempotent by `client_id` like messages (E3), acked with the id and seq of the log entry it made: rooms and membership (create, rename, delete, add or remove people) and message actions (X1–X3): `edit` (the author), `delete` (the author, or the owner of the group or public room), `react` / `unreact` (any member; one emoji). A message action names its message by `message_id`, or your own by `target_client_id` (one sent just before, maybe not acked yet: S4). One that would change nothing (an edit of a deleted message, a second react) is acked without a new entry. `read` (L3) moves your read marker in a room to `seq` (never back) and makes no log entry: its ack carries where the marker stands. `mute` (N1) `{muted}` mutes or unmutes a room for you (no notifications from it), with no log entry. Refusals: `unknown_room` (not your room, M3), `unknown_message` (no such message in that room), `forbidden` (not yours to edit or delete), `invalid_content`, `invalid_op`.',
    schema: OpsFrameSchema,
    examples: [
      { type: 'ops', data: [{ op: OpName.RoomCreate, client_id: CLIENT_ID, room_id: ROOM, name: 'Book club', kind: RoomKind.Public, user_ids: [] }] },
      {
        type: 'ops',
        data: [
          { op: OpName.Edit, client_id: CLIENT_ID, room_id: 'general', target_client_id: OTHER_CLIENT_ID, content: 'Hello to you too!' },
          { op: OpName.React, client_id: '01JD3QC0D2F4H6K8M0P2R4T6V8', room_id: 'general', message_id: MESSAGE_ID, emoji: '👍' },
          { op: OpName.Delete, client_id: '01JD3QC1E3G5J7M9P1R3T5W7Y9', room_id: 'general', message_id: MESSAGE_ID },
        ],
      },
    ],
  },
  sync: {
    name: 'SyncFrame',
    rule: 'P6, M5',
    when: 'Catch up after a (re)connect: one room from a seq, or every room of the user at once. Also subscribes the socket to the rooms.',
    schema: SyncFrameSchema,
    examples: [
      { type: 'sync', room_id: 'general', after_seq: 37 },
      { type: 'sync', rooms: [{ room_id: 'general', after_seq: 37 }] },
    ],
  },
  typing: {
    name: 'TypingSignal',
    rule: 'L2, L5',
    when: `The user is typing in a room (\`true\`, at most one every ${TYPING_SIGNAL_INTERVAL_MS / 1000} s while they type) or stopped (\`false\`: sent, cleared the box, left it, idle). Relayed to the room's other members on every instance, never stored; no answer. Only a member may signal (else \`unknown_room\`, as for any room not yours: M3); more than one \`true\` per room every ${TYPING_MIN_INTERVAL_MS / 1000} s is dropped silently.`,
    schema: TypingSignalSchema,
    examples: [{ type: 'typing', room_id: 'general', typing: true }],
  },
  delivered: {
    name: 'DeliveredFrame',
    rule: 'L4',
    when: `How far this device has stored each DM's and group's log (its catch-up cursor), at most once every ${DELIVERED_REPORT_INTERVAL_MS / 1000} s and only for rooms whose cursor moved. Moves the user's delivered markers (never back); public rooms and rooms not yours are left out silently. No answer.`,
    schema: DeliveredFrameSchema,
    examples: [{ type: 'delivered', data: [{ room_id: ROOM, seq: 42 }] }],
  },
  viewing: {
    name: 'ViewingFrame',
    rule: 'N1',
    when: 'The room this socket shows on a visible, focused page, or `null` (another screen, or the page hidden or in the background); sent on every change. While some socket of a device views a room, on any instance, that device gets no push for it. No answer; a room not yours changes nothing.',
    schema: ViewingFrameSchema,
    examples: [{ type: 'viewing', room_id: ROOM }, { type: 'viewing', room_id: null }],
  },
  ping: {
    name: 'PingFrame',
    rule: 'P9',
    when: 'Heartbeat; answered with `pong` at once, even while a send waits on the database.',
    schema: PingFrameSchema,
    examples: [{ type: 'ping' }],
  },
};

export const SERVER_FRAMES: FrameDocs<ServerFrame> = {
  hello: {
    name: 'HelloFrame',
    rule: 'P1',
    when: 'Always the first frame: the socket\'s identity and a freshly signed token for it (keep it; present it next time, as the subprotocol `whisper.token.<token>` or as `?token=`).',
    schema: HelloFrameSchema,
    examples: [{ type: 'hello', user_id: USER, token: TOKEN }],
  },
  message_ids: {
    name: 'AckFrame',
    rule: 'P3, P11',
    when: 'To the sender only, after the transaction committed (S4): the server ids and seqs of the accepted items, in request order.',
    schema: AckFrameSchema,
    examples: [{ type: 'message_ids', status: 'success', message_ids: [MESSAGE_ID], client_ids: [CLIENT_ID], seqs: [42] }],
  },
  messages: {
    name: 'MessagesFrame',
    rule: 'P4, P6',
    when:
      'Committed messages, in seq order: live to every socket in the room (the sender\'s included), and as catch-up pages after a `sync`. Each as it stands when read (E4): `reply_to` quotes its target as it stands (`deleted: true` and no excerpt once that is deleted); `edited_at` after an edit; a deleted one is a tombstone (`deleted: true`, empty content); `reactions` per emoji, in the order first used, with who reacted earliest first. These fields appear only when they say something. Later changes come as `events`, never as a second copy of the message.',
    schema: MessagesFrameSchema,
    examples: [
      {
        type: 'messages',
        data: [{ id: MESSAGE_ID, seq: 42, room_id: 'general', user_id: USER, client_id: CLIENT_ID, content: 'Hello, world!', created_at: AT }],
      },
      {
        type: 'messages',
        data: [
          {
            id: REPLY_ID,
            seq: 43,
            room_id: 'general',
            user_id: OTHER_USER,
            client_id: OTHER_CLIENT_ID,
            content: 'Hello to you too!',
            created_at: AT,
            reply_to: { id: MESSAGE_ID, user_id: USER, seq: 42, excerpt: 'Hello, world!' },
            edited_at: AT,
            reactions: [{ emoji: '👍', count: 2, user_ids: [USER, OTHER_USER] }],
          },
          { id: '01JD3QE5J7M9P1R3T5W7Y9Z1C3', seq: 44, room_id: 'general', user_id: USER, client_id: null, content: '', created_at: AT, deleted: true },
        ],
      },
    ],
  },
  events: {
    name: 'EventsFrame',
    rule: 'E2',
    when:
      'Room log entries that are not messages, in seq order: rooms created, renamed or deleted; people joining and leaving; and message actions (X1–X3): `edit` (the new content and `edited_at`; content null once the message is deleted), `delete`, `react` and `unreact`, each naming its `message_id`. Apply them in seq order (E5): the last edit wins, a delete wins over every edit, a react already there or an unreact not there changes nothing.',
    schema: EventsFrameSchema,
    examples: [
      {
        type: 'events',
        data: [{ id: MESSAGE_ID, seq: 43, room_id: ROOM, user_id: USER, client_id: CLIENT_ID, created_at: AT, kind: 'member', action: 'added', user_ids: [OTHER_USER] }],
      },
      {
        type: 'events',
        data: [
          { id: '01JD3QD2F4H6K8M0P2R4T6V8X0', seq: 45, room_id: 'general', user_id: OTHER_USER, client_id: CLIENT_ID, created_at: AT, kind: 'edit', message_id: REPLY_ID, content: 'Hello to you too!', edited_at: AT },
          { id: '01JD3QD3G5J7M9P1R3T5W7Y9Z1', seq: 46, room_id: 'general', user_id: USER, client_id: OTHER_CLIENT_ID, created_at: AT, kind: 'react', message_id: REPLY_ID, emoji: '👍' },
          { id: '01JD3QD4H6K8N0Q2S4V6X8Z0B2', seq: 47, room_id: 'general', user_id: USER, client_id: '01JD3QC1E3G5J7M9P1R3T5W7Y9', created_at: AT, kind: 'delete', message_id: MESSAGE_ID },
        ],
      },
    ],
  },
  rooms: {
    name: 'RoomsFrame',
    rule: 'M5',
    when: 'First answer to a `sync` naming many rooms: every room the user is in now, and the people their member lists name.',
    schema: RoomsFrameSchema,
    examples: [
      {
        type: 'rooms',
        data: [
          {
            id: 'general',
            name: 'General',
            kind: RoomKind.Public,
            owner_id: null,
            members: [USER],
            member_count: 1,
            last_seq: 42,
            last_activity_at: AT,
            last_message: { seq: 42, user_id: USER, excerpt: 'Hello, world!', created_at: AT },
            created_at: AT,
          },
        ],
        users: [{ id: USER, display_name: 'Quiet Otter', color: 'teal', avatar: null }],
      },
    ],
  },
  synced: {
    name: 'SyncedFrame',
    rule: 'P6',
    when: 'The catch-up of a room is complete: the client has everything up to `seq`.',
    schema: SyncedFrameSchema,
    examples: [{ type: 'synced', room_id: 'general', seq: 540 }],
  },
  rejected: {
    name: 'RejectedFrame',
    rule: 'P7',
    when: 'Items that can never be accepted (never stored; do not resend them). Other items of the same frame are still stored and acked.',
    schema: RejectedFrameSchema,
    examples: [{ type: 'rejected', client_ids: [CLIENT_ID], code: ErrorCode.InvalidContent, message: `content is longer than ${MAX_CONTENT_LENGTH} characters` }],
  },
  error: {
    name: 'ErrorFrame',
    rule: 'P8',
    when: 'A frame that could not be handled (not JSON, unknown `type`, too many items, the database unavailable); the socket stays open.',
    schema: ErrorFrameSchema,
    examples: [{ type: 'error', code: ErrorCode.InvalidFrame, message: 'frame is not valid JSON' }],
  },
  typing: {
    name: 'TypingFrame',
    rule: 'L2, L5',
    when: `Another member of the room is typing (\`true\`) or stopped (\`false\`). Never about yourself (not even from your other devices). Show it for ${TYPING_EXPIRY_MS / 1000} s after the last \`true\` unless a \`false\` or a message from them comes first.`,
    schema: TypingFrameSchema,
    examples: [{ type: 'typing', room_id: 'general', user_id: OTHER_USER, typing: true }],
  },
  receipts: {
    name: 'ReceiptsFrame',
    rule: 'L3, L4, L5',
    when: `Markers that moved (a \`read\` op, a \`delivered\` report), gathered for up to ${RECEIPTS_FLUSH_MS} ms. In a DM or group every member hears every member's (the ticks beside their messages: delivered once every other member's \`delivered_seq\` reaches the message's seq, read once their \`read_seq\` does); in a public room only your own devices hear yours (unread counts follow you). The \`rooms\` frame carries the same markers as they stand (\`read_seq\`, \`unread\`, \`receipts\`).`,
    schema: ReceiptsFrameSchema,
    examples: [{ type: 'receipts', room_id: ROOM, data: [{ user_id: OTHER_USER, delivered_seq: 42, read_seq: 40 }] }],
  },
  presence: {
    name: 'PresenceFrame',
    rule: 'L1, L5',
    when: `Who is online among the people you share rooms with. Once right after the \`rooms\` frame of a full \`sync\` (the snapshot: everyone online now who shares a room with you, and every other member of your DMs and groups, online or not), then whenever one of them comes online (their first socket on any instance) or goes offline (${PRESENCE_OFFLINE_GRACE_MS / 1000} s after their last socket closed, so a quick reconnect makes no frame; within ${(PRESENCE_INSTANCE_TTL_MS + PRESENCE_HEARTBEAT_MS) / 1000} s of their instance dying). \`last_seen\` is null while online. Never about yourself.`,
    schema: PresenceFrameSchema,
    examples: [
      { type: 'presence', data: [{ user_id: OTHER_USER, status: 'online', last_seen: null }] },
      { type: 'presence', data: [{ user_id: OTHER_USER, status: 'offline', last_seen: '2026-03-14T14:05:09.000Z' }] },
    ],
  },
  pong: {
    name: 'PongFrame',
    rule: 'P9',
    when: 'The answer to `ping`.',
    schema: PongFrameSchema,
    examples: [{ type: 'pong' }],
  },
};

const docs = (frames: FrameDocs<ClientFrame> | FrameDocs<ServerFrame>): FrameDoc<unknown>[] => Object.values(frames);
const ref = (doc: FrameDoc<unknown>) => ({ $ref: `#/components/schemas/${doc.name}` });

/** components.schemas: each frame (with its examples), and ClientFrame / ServerFrame as their unions. */
export function socketFrameComponents(): Record<string, object> {
  const components: Record<string, object> = {};
  for (const doc of [...docs(CLIENT_FRAMES), ...docs(SERVER_FRAMES)]) {
    components[doc.name] = { ...doc.schema, description: `${doc.rule}: ${doc.when}`, examples: doc.examples };
  }
  components.ClientFrame = { description: `Every frame a client may send on ${CHAT_WS_PATH}`, oneOf: docs(CLIENT_FRAMES).map(ref) };
  components.ServerFrame = { description: `Every frame the server may send on ${CHAT_WS_PATH}`, oneOf: docs(SERVER_FRAMES).map(ref) };
  return components;
}

function section(title: string, frames: FrameDoc<unknown>[]): string {
  const entries = frames.map((doc) => {
    const type = (doc.examples[0] as { type: string }).type;
    const examples = doc.examples.map((example) => `\`\`\`json\n${JSON.stringify(example)}\n\`\`\``).join('\n\n');
    return `#### \`${type}\` (${doc.rule}) — schema \`${doc.name}\`\n\n${doc.when}\n\n${examples}`;
  });
  return `### ${title}\n\n${entries.join('\n\n')}`;
}

/** The socket route's description: how to connect, then every frame both ways with an example. */
export const SOCKET_PROTOCOL_DESCRIPTION = [
  `Upgrade to a WebSocket here. Present the token from POST /v1/session, a login or an earlier \`hello\` as subprotocols \`whisper\` and \`whisper.token.<token>\` (kept out of URLs and logs; the server answers \`whisper\`) or, as seed-style clients do, as \`?token=<token>\`; without one you get a fresh anonymous identity. ` +
    'Every frame is one JSON object in a text frame, told apart by `type`. The frame schemas are listed under Schemas below (`ClientFrame`, `ServerFrame`).',
  section('Client → server', docs(CLIENT_FRAMES)),
  section('Server → client', docs(SERVER_FRAMES)),
  [
    '### Close codes',
    '',
    '| code | when |',
    '| --- | --- |',
    `| ${CloseCode.GoingAway} | the server is shutting down after answering what it had; reconnect |`,
    '| 1002 / 1007 | broken WebSocket framing / a text frame that is not UTF-8 |',
    `| ${CloseCode.PolicyViolation} | too many frames or messages for this socket, or pushed out by the user's newest socket |`,
    `| ${CloseCode.MessageTooBig} | a frame over ${MAX_FRAME_BYTES / 2 ** 20} MiB |`,
    `| ${CloseCode.InvalidToken} | the token was not signed by this server, or its device was logged out (A4; after an \`error\` frame \`invalid_token\`, or at once on logout); get a new session |`,
    '',
    'Before the upgrade: 403 for a foreign `Origin`, 429 when the address opens too many sockets too fast.',
  ].join('\n'),
].join('\n\n');
