import fp from 'fastify-plugin';
import { SESSIONS_CHANNEL, type RevokedNotice } from './sessions-repository.js';

/**
 * A4: a logout on any instance closes that session's sockets on every
 * instance (4401: the client forgets the token). Notices missed while the
 * listener was reconnecting are made up by asking the database about every
 * session with a socket here.
 */
export default fp(
  async (app) => {
    await app.fanout.listen(
      SESSIONS_CHANNEL,
      (payload) => {
        try {
          app.sessionSockets.revoke((JSON.parse(payload) as RevokedNotice).s);
        } catch (error) {
          app.log.warn({ err: error }, 'unreadable session notice');
        }
      },
      () => {
        const open = app.sessionSockets.sessions();
        if (open.length === 0) return;
        app.db
          .query<{ id: string }>('SELECT id::text FROM sessions WHERE id = ANY($1::uuid[]) AND revoked_at IS NOT NULL', [open])
          .then(({ rows }) => app.sessionSockets.revoke(rows.map((row) => row.id)))
          .catch((error: unknown) => app.log.warn({ err: error }, 'could not check sessions after a reconnect'));
      },
    );
  },
  { name: 'revocation', dependencies: ['auth', 'realtime'] },
);
