import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../../server/app.js';
import { createTestDatabase, type TestDatabase } from './test-db.js';

export const TEST_TOKEN_SECRET = 'test-secret-test-secret-test-secret-0123';

export interface TestServer {
  app: FastifyInstance;
  db: TestDatabase;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  /** ws://127.0.0.1:<port>/v1/chat/ws */
  wsUrl: string;
  close(): Promise<void>;
}

/** The real app on a real port against its own fresh database. */
export async function startTestServer(
  options: {
    clientDir?: string;
    db?: TestDatabase;
    allowedOrigins?: string[];
    limits?: AppOptions['limits'];
    logger?: AppOptions['logger'];
    presence?: AppOptions['presence'];
    media?: AppOptions['media'];
    searchLanguage?: AppOptions['searchLanguage'];
  } = {},
): Promise<TestServer> {
  const db = options.db ?? (await createTestDatabase());
  const app = await buildApp({
    databaseUrl: db.url,
    tokenSecret: TEST_TOKEN_SECRET,
    clientDir: options.clientDir ?? '/nonexistent-client-build',
    allowedOrigins: options.allowedOrigins,
    limits: options.limits,
    logger: options.logger,
    presence: options.presence,
    media: options.media,
    searchLanguage: options.searchLanguage,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  const baseUrl = `http://127.0.0.1:${address.port}`;
  return {
    app,
    db,
    baseUrl,
    wsUrl: `ws://127.0.0.1:${address.port}/v1/chat/ws`,
    async close() {
      await app.close();
      if (!options.db) await db.drop();
    },
  };
}
