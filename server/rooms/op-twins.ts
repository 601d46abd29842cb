import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { ulid } from 'ulid';
import { CLIENT_ID_PATTERN, ErrorCode } from '../protocol/index.js';
import type { OpOutcome } from './op-runner.js';

/**
 * P12: what the REST twins of the ops share. Each request is an op, applied
 * by the op runner with the same checks, broadcast and idempotency as over
 * the socket: an Idempotency-Key header or client_id in the body, and
 * without either a retried request may apply twice.
 */

export const IdempotencyHeadersSchema = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ pattern: CLIENT_ID_PATTERN, description: 'Makes a retried request apply once (E3); the same as client_id in the body' })),
});

/** The op's client_id: the header (checked against CLIENT_ID_PATTERN by the route's schema), the body's, or a fresh one. */
export const idempotencyKey = (request: FastifyRequest, body?: { client_id?: string }): string =>
  (request.headers['idempotency-key'] as string | undefined) ?? body?.client_id ?? ulid();

/** P12: a refusal's HTTP status (400 bad input, 403 not allowed, 404 not visible: M3, 409 taken). */
const STATUS_OF: Partial<Record<ErrorCode, 400 | 403 | 404 | 409>> = {
  [ErrorCode.UnknownRoom]: 404,
  [ErrorCode.UnknownMessage]: 404,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.InvalidOp]: 400,
  [ErrorCode.InvalidContent]: 400,
};

/** Answers a refused op with its status and the P8 body. */
export function sendRefusal(reply: FastifyReply, refusal: Extract<OpOutcome, { status: 'refused' }>): FastifyReply {
  return reply.code(STATUS_OF[refusal.code] ?? 400).send({ type: 'error', code: refusal.code, message: refusal.message });
}
