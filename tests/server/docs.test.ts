/**
 * The OpenAPI document at /docs/json describes the socket as well as REST:
 * the chat socket's route lists every frame both ways with an example, the
 * frames' schemas are components, and what the server really sends on a
 * socket matches them. /docs is served under the app's own CSP (R3).
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAck, item } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

interface Spec {
  paths: Record<string, { get?: { description?: string; summary?: string } }>;
  components: { schemas: Record<string, { oneOf?: { $ref: string }[]; examples?: unknown[] }> };
}

/** The frame types of the protocol, both ways (P1–P9). */
const CLIENT_TYPES = ['messages', 'sync', 'ping'];
const SERVER_TYPES = ['hello', 'messages', 'message_ids', 'rejected', 'error', 'synced', 'pong'];

let server: TestServer;
let spec: Spec;
beforeAll(async () => {
  server = await startTestServer();
  spec = (await (await fetch(`${server.baseUrl}/docs/json`)).json()) as Spec;
});
afterAll(async () => {
  await server.close();
});

/** A validator for one component, with the document's $refs resolved. */
function validatorFor(name: string) {
  const ajv = addFormats.default(new Ajv.default({ strict: false, allErrors: true }));
  ajv.addSchema({ components: spec.components }, 'spec');
  return ajv.compile({ $ref: `spec#/components/schemas/${name}` });
}

describe('/docs describes the socket protocol', () => {
  it('[P1][P3][P4][P6][P7][P8][P9] /docs/json documents every socket frame both ways, with examples that fit their schemas', () => {
    const route = spec.paths['/v1/chat/ws']?.get;
    expect(route, 'the socket route is in the document').toBeDefined();
    const description = route!.description ?? '';
    const [toServer, toClient] = description.split('### Server → client');
    expect(toClient, 'a client → server and a server → client section').toBeDefined();
    for (const type of CLIENT_TYPES) expect(toServer, type).toContain(`{"type":"${type}"`);
    for (const type of SERVER_TYPES) expect(toClient, type).toContain(`{"type":"${type}"`);

    for (const union of ['ClientFrame', 'ServerFrame']) {
      const members = spec.components.schemas[union]?.oneOf ?? [];
      expect(members.length, union).toBeGreaterThan(0);
      const validate = validatorFor(union);
      for (const { $ref } of members) {
        const name = $ref.split('/').pop()!;
        const examples = spec.components.schemas[name]?.examples ?? [];
        expect(examples.length, `${name} has an example`).toBeGreaterThan(0);
        for (const example of examples) expect(validate(example), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
  });

  it('[P1][P3][P4][P6][P7][P8][P9] every frame the server sends in a session is a documented ServerFrame', async () => {
    const validate = validatorFor('ServerFrame');
    const socket = await TestSocket.connect(server.wsUrl);
    socket.send({ type: 'messages', data: [item('documented'), item('')] });
    await socket.next(isAck);
    socket.send({ type: 'sync', room_id: 'general', after_seq: 0 });
    await socket.next((frame) => frame.type === 'synced');
    socket.sendRaw('not json');
    await socket.next((frame) => frame.type === 'error');
    socket.send({ type: 'ping' });
    await socket.next((frame) => frame.type === 'pong');
    await socket.close();

    expect(new Set(socket.frames.map((frame) => frame.type))).toEqual(new Set(SERVER_TYPES));
    for (const frame of socket.frames) expect(validate(frame), `${JSON.stringify(frame)}: ${JSON.stringify(validate.errors)}`).toBe(true);
  });

  it('[R3] /docs and its assets are served under the app\'s own Content-Security-Policy', async () => {
    const appPolicy = (await fetch(`${server.baseUrl}/healthz`)).headers.get('content-security-policy');
    expect(appPolicy).toContain("style-src 'self'");
    for (const path of ['/docs', '/docs/static/swagger-ui.css', '/docs/static/swagger-initializer.js', '/docs/json']) {
      const response = await fetch(`${server.baseUrl}${path}`, { redirect: 'follow' });
      await response.arrayBuffer(); // an unread body would hold the connection open past the server's close
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-security-policy'), path).toBe(appPolicy);
    }
  });
});
