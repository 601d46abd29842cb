/**
 * The OpenAPI document at /docs/json describes the socket as well as REST:
 * the chat socket's route lists every frame both ways with an example, the
 * frames' schemas are components, and what the server really sends on a
 * socket matches them. /docs is served under the app's own CSP (R3).
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AckFrame } from '../../server/protocol/index.js';
import { isAck, item } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestSocket } from '../support/ws-client.js';

interface Operation {
  description?: string;
  summary?: string;
  responses?: Record<string, unknown>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { oneOf?: { $ref: string }[]; examples?: unknown[] }> };
}

/** The frame types of the protocol, both ways (P1–P11, E2). */
const CLIENT_TYPES = ['messages', 'ops', 'sync', 'ping'];
const SERVER_TYPES = ['hello', 'messages', 'message_ids', 'events', 'rejected', 'error', 'synced', 'pong'];

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

  it('[P1][P3][P4][P6][P7][P8][P9][P11][E2][E4] every frame the server sends in a session is a documented ServerFrame', async () => {
    const validate = validatorFor('ServerFrame');
    const socket = await TestSocket.connect(server.wsUrl);
    const first = item('documented');
    socket.send({ type: 'messages', data: [first, item('')] });
    const { message_ids: [id] } = await socket.next<AckFrame>(isAck);
    // X1–X3: a reply, an edit, reactions and a deletion, so that messages
    // with every optional field, and events of every message action, are sent.
    socket.send({ type: 'messages', data: [item('a reply', { reply_to: id })] });
    const on = { room_id: 'general', message_id: id };
    const actions = [
      { op: 'edit', ...on, content: 'documented, edited' },
      { op: 'react', ...on, emoji: '📘' },
      { op: 'unreact', ...on, emoji: '📘' },
      { op: 'react', ...on, emoji: '📗' },
    ].map((op) => ({ client_id: ulid(), ...op }));
    socket.send({ type: 'ops', data: actions });
    await socket.next((frame) => isAck(frame) && frame.client_ids.includes(actions[3].client_id));
    const reply = item('and another', { reply_to: id });
    socket.send({ type: 'messages', data: [reply] });
    await socket.next((frame) => isAck(frame) && frame.client_ids.includes(reply.client_id));
    socket.send({ type: 'sync', room_id: 'general', after_seq: 0 });
    await socket.next((frame) => frame.type === 'synced');
    const doomed = item('to be deleted');
    socket.send({ type: 'messages', data: [doomed] });
    socket.send({ type: 'ops', data: [{ client_id: ulid(), op: 'delete', room_id: 'general', target_client_id: doomed.client_id }] });
    socket.send({ type: 'sync', room_id: 'general', after_seq: 0 });
    await socket.next((frame) => frame.type === 'synced');
    socket.sendRaw('not json');
    await socket.next((frame) => frame.type === 'error');
    socket.send({ type: 'ping' });
    await socket.next((frame) => frame.type === 'pong');
    await socket.close();

    expect(new Set(socket.frames.map((frame) => frame.type))).toEqual(new Set(SERVER_TYPES));
    const sent = socket.frames.flatMap((frame) => (frame.type === 'messages' ? frame.data : []));
    for (const field of ['reply_to', 'edited_at', 'reactions', 'deleted']) expect(sent.some((message) => field in message), field).toBe(true);
    for (const frame of socket.frames) expect(validate(frame), `${JSON.stringify(frame)}: ${JSON.stringify(validate.errors)}`).toBe(true);
  });

  it('[P12][X2][X3] the REST twins of the message actions are documented with their answers and every error they give', () => {
    const routes: [string, string, string[]][] = [
      ['/v1/chat/messages/{id}', 'patch', ['200', '400', '401', '403', '404', '413', '429']],
      ['/v1/chat/messages/{id}', 'delete', ['204', '400', '401', '403', '404', '429']],
      ['/v1/chat/messages/{id}/reactions', 'post', ['200', '400', '401', '404', '413', '429']],
      ['/v1/chat/messages/{id}/reactions/{emoji}', 'delete', ['204', '400', '401', '404', '429']],
    ];
    for (const [path, method, statuses] of routes) {
      const operation = spec.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(Object.keys(operation!.responses ?? {}).sort(), `${method} ${path}`).toEqual(statuses.sort());
      expect(operation!.description, `${method} ${path}`).toContain('unknown_message');
    }
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
