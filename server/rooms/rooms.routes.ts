import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import { ulid } from 'ulid';
import { errorResponses } from '../infra/http-errors.js';
import { DMS_PATH, ErrorCode, OpName, ROOMS_PATH, RoomKind, dmRoomId, type Op, type Room } from '../protocol/index.js';
import {
  AddMembersBodySchema,
  CreateRoomBodySchema,
  DmBodySchema,
  MemberParamsSchema,
  RoomParamsSchema,
  RoomSchema,
  RoomsQuerySchema,
  RoomsResponseSchema,
  UpdateRoomBodySchema,
} from '../protocol/schemas.js';
import type { OpOutcome } from './op-runner.js';
import { IdempotencyHeadersSchema, idempotencyKey as clientIdOf, sendRefusal } from './op-twins.js';

const errors = errorResponses(400, 401, 403, 404, 409, 429);

function notFound(reply: FastifyReply, roomId: string) {
  return reply.code(404).send({ type: 'error', code: ErrorCode.UnknownRoom, message: `room ${JSON.stringify(roomId)} does not exist` });
}

/** P12: the REST twins of the room ops (P11), and reads of the caller's rooms (op-twins.ts says what they share). */
const routes: FastifyPluginAsyncTypebox = async (app) => {
  /** Applies the op for the caller; answers the refusal itself and returns null, or returns the outcome. */
  async function apply(reply: FastifyReply, userId: string, op: Op): Promise<Extract<OpOutcome, { status: 'applied' }> | null> {
    const outcome = await app.ops.apply(userId, op);
    if (outcome.status === 'applied') return outcome;
    await sendRefusal(reply, outcome);
    return null;
  }
  /** The room as the caller sees it now; it can only be gone if it was deleted or left in between. */
  async function roomFor(reply: FastifyReply, userId: string, roomId: string): Promise<Room | undefined> {
    const room = await app.rooms.visible(userId, roomId);
    if (!room) await notFound(reply, roomId);
    return room ?? undefined;
  }

  app.get(
    ROOMS_PATH,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['rooms'],
        summary: 'M6: your rooms, most recently active first (or, with discover=public, the public rooms anyone may join)',
        security: [{ bearer: [] }],
        querystring: RoomsQuerySchema,
        response: { 200: RoomsResponseSchema, ...errors },
      },
    },
    async (request) => {
      const { userId } = await app.authenticate(request);
      const rooms = request.query.discover === 'public' ? await app.rooms.publicRooms() : await app.rooms.listFor(userId);
      const ids = [...new Set(rooms.flatMap((room) => room.members))];
      return { data: rooms, users: await app.users.byIds(ids) };
    },
  );

  app.get(
    `${ROOMS_PATH}/:id`,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['rooms'],
        summary: 'A room of yours, with its members (404 for any other: M3)',
        security: [{ bearer: [] }],
        params: RoomParamsSchema,
        response: { 200: RoomSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      return roomFor(reply, userId, request.params.id);
    },
  );

  app.post(
    ROOMS_PATH,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['rooms'],
        summary: 'room.create: a public room or a group (you own it), or a DM',
        description: 'The id is yours to mint (a lower-case ULID, M2) so that a retry or an offline client lands in the same room; absent, the server mints one.',
        security: [{ bearer: [] }],
        headers: IdempotencyHeadersSchema,
        body: CreateRoomBodySchema,
        response: { 201: RoomSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const body = request.body;
      const userIds = body.user_ids ?? [];
      const roomId = body.id ?? (body.kind === RoomKind.Dm && userIds.length === 1 ? dmRoomId(userId, userIds[0]) : ulid().toLowerCase());
      const op: Op = { client_id: clientIdOf(request, body), op: OpName.RoomCreate, room_id: roomId, name: body.name, kind: body.kind, user_ids: userIds };
      const applied = await apply(reply, userId, op);
      if (!applied) return reply;
      // A retried request (same key, no id) names the room the first one made.
      const room = await roomFor(reply, userId, applied.roomId);
      return room && reply.code(201).send(room);
    },
  );

  app.post(
    DMS_PATH,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['rooms'],
        summary: 'The DM between you and user_id, created if it does not exist yet (M2)',
        security: [{ bearer: [] }],
        headers: IdempotencyHeadersSchema,
        body: DmBodySchema,
        response: { 200: RoomSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const roomId = dmRoomId(userId, request.body.user_id);
      const op: Op = { client_id: clientIdOf(request, request.body), op: OpName.RoomCreate, room_id: roomId, name: '', kind: RoomKind.Dm, user_ids: [request.body.user_id] };
      if (!(await apply(reply, userId, op))) return reply;
      return roomFor(reply, userId, roomId);
    },
  );

  app.patch(
    `${ROOMS_PATH}/:id`,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['rooms'],
        summary: 'room.update: rename (owner only)',
        security: [{ bearer: [] }],
        headers: IdempotencyHeadersSchema,
        params: RoomParamsSchema,
        body: UpdateRoomBodySchema,
        response: { 200: RoomSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const op: Op = { client_id: clientIdOf(request, request.body), op: OpName.RoomUpdate, room_id: request.params.id, name: request.body.name };
      if (!(await apply(reply, userId, op))) return reply;
      return roomFor(reply, userId, request.params.id);
    },
  );

  app.delete(
    `${ROOMS_PATH}/:id`,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['rooms'],
        summary: 'room.delete (owner only); the room is then gone for everyone',
        security: [{ bearer: [] }],
        headers: IdempotencyHeadersSchema,
        params: RoomParamsSchema,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const op: Op = { client_id: clientIdOf(request), op: OpName.RoomDelete, room_id: request.params.id };
      if (!(await apply(reply, userId, op))) return reply;
      return reply.code(204).send(null);
    },
  );

  app.post(
    `${ROOMS_PATH}/:id/members`,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['rooms'],
        summary: 'member.add: add people (members of a group or public room), or join a public room (your own id)',
        security: [{ bearer: [] }],
        headers: IdempotencyHeadersSchema,
        params: RoomParamsSchema,
        body: AddMembersBodySchema,
        response: { 200: RoomSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const op: Op = { client_id: clientIdOf(request, request.body), op: OpName.MemberAdd, room_id: request.params.id, user_ids: request.body.user_ids };
      if (!(await apply(reply, userId, op))) return reply;
      return roomFor(reply, userId, request.params.id);
    },
  );

  app.delete(
    `${ROOMS_PATH}/:id/members/:user_id`,
    {
      onRequest: app.userRequestLimit,
      schema: {
        tags: ['rooms'],
        summary: 'member.remove: leave (your own id), or remove someone (owner only)',
        security: [{ bearer: [] }],
        headers: IdempotencyHeadersSchema,
        params: MemberParamsSchema,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const { userId } = await app.authenticate(request);
      const op: Op = { client_id: clientIdOf(request), op: OpName.MemberRemove, room_id: request.params.id, user_ids: [request.params.user_id] };
      if (!(await apply(reply, userId, op))) return reply;
      return reply.code(204).send(null);
    },
  );
};

export default routes;
