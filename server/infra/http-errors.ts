import { ErrorFrameSchema } from '../protocol/schemas.js';

/** An HTTP error status a route documents. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

/**
 * A route's documented error answers (P12: every one of them is in /docs),
 * all in the P8 shape: `...errorResponses(400, 401, 404)` in its `response`.
 */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Record<S, typeof ErrorFrameSchema> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorFrameSchema])) as Record<S, typeof ErrorFrameSchema>;
}
