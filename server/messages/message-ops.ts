import { ErrorCode, OpName, RoomKind, type DeleteOp, type EditOp, type MessageOp, type ReactOp, type UnreactOp } from '../protocol/index.js';
import { Refusal, refuse, type LockedRoom, type OpHandlers, type OpTransaction } from '../rooms/op-runner.js';
import { emojiProblem } from './emoji.js';
import { contentProblem } from './message-validation.js';

/** X3: most different emoji on one message; a new one past this is refused (invalid_op). */
export const MAX_REACTION_EMOJI = 50;

interface Target {
  id: string;
  user_id: string;
  content: string;
  deleted: boolean;
}

/** Entries that change a message move the room's log on, not its place in the room list (M6). */
const QUIET = { activity: false };

const TARGET_COLUMNS = 'id, user_id::text AS user_id, content, deleted_at IS NOT NULL AS deleted';

/**
 * The message an op names, in the op's room, with the room locked: by
 * message_id, or by target_client_id for the actor's own message that may
 * not be acked yet (P11; S4: the ops frame waits for the messages frames
 * before it, so the message is stored by now). A room the actor is not in
 * is unknown_room whether or not it exists, and only then does the
 * message's absence show (M3). Each op finds its target before it checks
 * its own fields, so no answer differs between a message a stranger cannot
 * see and one that does not exist (the REST twins answer both 404).
 */
async function target(tx: OpTransaction, op: MessageOp): Promise<{ room: LockedRoom; message: Target }> {
  if ((op.message_id === undefined) === (op.target_client_id === undefined)) {
    throw refuse.invalid('name the message by message_id or by target_client_id, one of the two');
  }
  const room = await tx.roomOfMember(op.room_id);
  const { rows } =
    op.message_id !== undefined
      ? await tx.client.query<Target>(`SELECT ${TARGET_COLUMNS} FROM messages WHERE id = $1 AND room_id = $2`, [op.message_id, room.id])
      : await tx.client.query<Target>(`SELECT ${TARGET_COLUMNS} FROM messages WHERE user_id = $1 AND client_id = $2 AND room_id = $3`, [
          tx.userId,
          op.target_client_id,
          room.id,
        ]);
  if (!rows[0]) throw new Refusal(ErrorCode.UnknownMessage, `no such message in room ${JSON.stringify(room.id)}`);
  return { room, message: rows[0] };
}

/**
 * E5 needs nothing more than applying ops in seq order under the room lock:
 * the row always holds the result of the log so far. An op that would change
 * nothing (an edit of a deleted message or to the same words, a second
 * delete, a react already there, an unreact not there, any reaction on a
 * deleted message) appends no entry and is acked like an unchanged room op.
 */
async function edit(tx: OpTransaction, op: EditOp) {
  const { room, message } = await target(tx, op);
  if (message.user_id !== tx.userId) throw refuse.forbidden('only its author may edit a message');
  const problem = contentProblem(op.content);
  if (problem !== null) throw new Refusal(ErrorCode.InvalidContent, problem);
  // A delete wins over every edit, those after it included.
  if (message.deleted || message.content === op.content) return tx.unchanged(room);
  const { rows } = await tx.client.query<{ edited_at: Date }>('UPDATE messages SET content = $2, edited_at = now() WHERE id = $1 RETURNING edited_at', [
    message.id,
    op.content,
  ]);
  return tx.append(room, [{ kind: 'edit', data: { message_id: message.id, content: op.content, edited_at: rows[0].edited_at.toISOString() } }], QUIET);
}

async function remove(tx: OpTransaction, op: DeleteOp) {
  const { room, message } = await target(tx, op);
  // X2: a group's owner moderates it (and a public room's creator theirs); general and DMs have no owner.
  const moderator = room.owner_id === tx.userId && room.kind !== RoomKind.Dm;
  if (message.user_id !== tx.userId && !moderator) throw refuse.forbidden('only its author or the room\'s owner may delete a message');
  if (message.deleted) return tx.unchanged(room);
  // Its words go: from the row, and from the edit entries that carried them
  // (they keep their place in the log, with content null).
  await tx.client.query(`UPDATE messages SET content = '', deleted_at = now() WHERE id = $1`, [message.id]);
  await tx.client.query('DELETE FROM message_reactions WHERE message_id = $1', [message.id]);
  await tx.client.query(
    `UPDATE room_events SET data = data || '{"content": null}' WHERE room_id = $1 AND kind = 'edit' AND data->>'message_id' = $2`,
    [room.id, message.id],
  );
  return tx.append(room, [{ kind: 'delete', data: { message_id: message.id } }], QUIET);
}

function checkEmoji(emoji: string): void {
  const problem = emojiProblem(emoji);
  if (problem !== null) throw refuse.invalid(problem);
}

async function react(tx: OpTransaction, op: ReactOp) {
  const { room, message } = await target(tx, op);
  checkEmoji(op.emoji);
  if (message.deleted) return tx.unchanged(room);
  const { rows } = await tx.client.query<{ mine: boolean | null; emojis: number; since: number | null }>(
    `SELECT bool_or(user_id = $2) FILTER (WHERE emoji = $3) AS mine, count(DISTINCT emoji)::int AS emojis,
            min(since_seq) FILTER (WHERE emoji = $3) AS since
       FROM message_reactions WHERE message_id = $1`,
    [message.id, tx.userId, op.emoji],
  );
  const { mine, emojis, since } = rows[0];
  if (mine) return tx.unchanged(room);
  if (since === null && emojis >= MAX_REACTION_EMOJI) throw refuse.invalid(`a message has at most ${MAX_REACTION_EMOJI} different reactions`);
  const answer = await tx.append(room, [{ kind: 'react', data: { message_id: message.id, emoji: op.emoji } }], QUIET);
  // An emoji nobody had on this message starts a run of its own, listed after the others (message-state.ts).
  await tx.client.query('INSERT INTO message_reactions (message_id, user_id, emoji, seq, since_seq) VALUES ($1, $2, $3, $4, $5)', [
    message.id,
    tx.userId,
    op.emoji,
    answer.seq,
    since ?? answer.seq,
  ]);
  return answer;
}

async function unreact(tx: OpTransaction, op: UnreactOp) {
  const { room, message } = await target(tx, op);
  checkEmoji(op.emoji);
  if (message.deleted) return tx.unchanged(room);
  const removed = await tx.client.query('DELETE FROM message_reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3', [message.id, tx.userId, op.emoji]);
  if (removed.rowCount === 0) return tx.unchanged(room);
  return tx.append(room, [{ kind: 'unreact', data: { message_id: message.id, emoji: op.emoji } }], QUIET);
}

/** P11 message actions (X1–X3, E5), applied by the op runner like the room ops. */
export const messageOps: OpHandlers = {
  [OpName.Edit]: edit,
  [OpName.Delete]: remove,
  [OpName.React]: react,
  [OpName.Unreact]: unreact,
};
