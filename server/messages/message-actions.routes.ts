import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import { errorResponses } from '../infra/http-errors.js';
import { ErrorCode, MESSAGES_PATH, OpName, type MessageOp } from '../protocol/index.js';
import { ChatMessageSchema, EditMessageBodySchema, MessageParamsSchema, ReactionBodySchema, ReactionParamsSchema } from '../protocol/schemas.js';
import { IdempotencyHeadersSchema, idempotencyKey, sendRefusal } from '../rooms/op-twins.js';

/** The op of a REST twin, before the room is known (it is the message's). */
type WithoutRoom<T> = T extends unknown ? Omit<T, 'room_id'> : never;

const INVALID = '400 `invalid_content` (an edit\'s text: 1–4000 characters, not only white space), `invalid_op` (not one emoji) or `invalid_request` (the body or path does not fit).';
const UNKNOWN = '404 `unknown_message` for a message that does not exist and for one in a room you are not in, alike (M3).';
const FORBIDDEN = '403 `forbidden`: not yours to change.';

/**
 * P12: the REST twins of the message actions (X1–X3): the ops `edit`,
 * `delete`, `react` and `unreact`, applied by the op runner exactly as over
 * the socket. The room is the message's own.
 */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  /** M3: a message you cannot see is one that does not exist, in status, code and words. */
  const unknownMessage = (reply: FastifyReply, messageId: string) =>
    reply.code(404).send({ type: 'error', code: ErrorCode.UnknownMessage, message: `message ${messageId} does not exist` });

  /** Applies the op to the message for the caller; true when applied, else the refusal has been answered. */
  async function apply(reply: FastifyReply, userId: string, messageId: string, op: WithoutRoom<MessageOp>): Promise<boolean> {
    const roomId = await app.messages.roomOf(messageId);
    if (roomId === null) {
      await unknownMessage(reply, messageId);
      return false;
    }
    const outcome = await app.ops.apply(userId, { ...op, room_id: roomId } as MessageOp);
    if (outcome.status === 'applied') return true;
    if (outcome.code === ErrorCode.UnknownRoom || outcome.code === ErrorCode.UnknownMessage) await unknownMessage(reply, messageId);
    else await sendRefusal(reply, outcome);
    return false;
  }

  /** E4: the message as it stands after the op (a retried request's answer too). */
  async function answer(reply: FastifyReply, userId: string, messageId: string) {
    const message = await app.messages.visibleMessage(userId, messageId);
    return message ?? unknownMessage(reply, messageId);
  }

  const common = { onRequest: app.userRequestLimit };
  const security = [{ bearer: [] }];

  app.patch(
    `${MESSAGES_PATH}/:id`,
    {
      ...common,
      schema: {
        tags: ['messages'],
        summary: 'edit: change the text of your message (X2)',
        description: `Answers the message as it stands (E4). Editing a deleted message, or to the same text, changes nothing and still answers 200 (E5: a delete wins over any edit). ${INVALID} ${FORBIDDEN} ${UNKNOWN}`,
        security,
        headers: IdempotencyHeadersSchema,
        params: MessageParamsSchema,
        body: EditMessageBodySchema,
        response: { 200: ChatMessageSchema, ...errorResponses(400, 401, 403, 404, 413, 429) },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const { id } = request.params;
      const op = { client_id: idempotencyKey(request, request.body), op: OpName.Edit, message_id: id, content: request.body.content };
      if (!(await apply(reply, userId, id, op))) return reply;
      return answer(reply, userId, id);
    },
  );

  app.delete(
    `${MESSAGES_PATH}/:id`,
    {
      ...common,
      schema: {
        tags: ['messages'],
        summary: 'delete: your message, or any message of a room you own (X2)',
        description: `The message stays in the log as a tombstone (\`deleted: true\`, no content), and the text of its earlier edits goes too. Deleting it again changes nothing (204). ${FORBIDDEN} ${UNKNOWN}`,
        security,
        headers: IdempotencyHeadersSchema,
        params: MessageParamsSchema,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const { id } = request.params;
      if (!(await apply(reply, userId, id, { client_id: idempotencyKey(request), op: OpName.Delete, message_id: id }))) return reply;
      return reply.code(204).send(null);
    },
  );

  app.post(
    `${MESSAGES_PATH}/:id/reactions`,
    {
      ...common,
      schema: {
        tags: ['messages'],
        summary: 'react: add your emoji reaction to a message (X3)',
        description: `One of each emoji per person per message, at most 50 different emoji on a message (a new 51st is \`invalid_op\`). Reacting again, or to a deleted message, changes nothing. Answers the message as it stands (E4). ${INVALID} ${UNKNOWN}`,
        security,
        headers: IdempotencyHeadersSchema,
        params: MessageParamsSchema,
        body: ReactionBodySchema,
        response: { 200: ChatMessageSchema, ...errorResponses(400, 401, 404, 413, 429) },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const { id } = request.params;
      const op = { client_id: idempotencyKey(request, request.body), op: OpName.React, message_id: id, emoji: request.body.emoji };
      if (!(await apply(reply, userId, id, op))) return reply;
      return answer(reply, userId, id);
    },
  );

  app.delete(
    `${MESSAGES_PATH}/:id/reactions/:emoji`,
    {
      ...common,
      schema: {
        tags: ['messages'],
        summary: 'unreact: take back your emoji reaction (X3)',
        description: `The emoji is percent-encoded in the path (👍 is %F0%9F%91%8D). Taking back a reaction you did not give changes nothing (204). ${INVALID} ${UNKNOWN}`,
        security,
        headers: IdempotencyHeadersSchema,
        params: ReactionParamsSchema,
        response: { 204: Type.Null({ description: 'Taken back' }), ...errorResponses(400, 401, 404, 429) },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const { id, emoji } = request.params;
      if (!(await apply(reply, userId, id, { client_id: idempotencyKey(request), op: OpName.Unreact, message_id: id, emoji }))) return reply;
      return reply.code(204).send(null);
    },
  );
};

export default routes;
