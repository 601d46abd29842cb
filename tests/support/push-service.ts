/**
 * A local push service that decrypts what it receives (web-push-testing),
 * served over HTTPS with a throwaway certificate: push services speak only
 * HTTPS, and so does the web-push library. The app's pushes reach it
 * through an https.Agent that trusts that certificate (AppOptions.push.agent).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, Agent, type Server } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

interface PushApiModel {
  notifyUrl: string;
}
interface WebPushTestingServer {
  _app: (request: unknown, response: unknown) => void;
  setRequestHandlers(): void;
}
const { PushApiModel } = require('web-push-testing/src/PushApiModel.js') as { PushApiModel: new () => PushApiModel };
const WebPushTestingServer = require('web-push-testing/src/server.js') as new (model: PushApiModel, port: number) => WebPushTestingServer;

/** A device's subscription as the push service made it, with the hash that names it there. */
export interface TestSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  clientHash: string;
}

export interface TestPushService {
  /** Trusts the service's certificate: pass as AppOptions.push.agent. */
  agent: Agent;
  /** A new subscription for the app's VAPID public key, as pushManager.subscribe would make one. */
  subscribe(applicationServerKey: string): Promise<TestSubscription>;
  /** The decrypted payloads the subscription received so far, parsed. */
  received(subscription: TestSubscription): Promise<Record<string, unknown>[]>;
  /** From now on the service answers pushes to it with 410 Gone (N3). */
  expire(subscription: TestSubscription): Promise<void>;
  close(): Promise<void>;
}

function throwawayCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(path.join(tmpdir(), 'push-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startPushService(): Promise<TestPushService> {
  const { key, cert } = throwawayCertificate();
  const model = new PushApiModel();
  const service = new WebPushTestingServer(model, 0);
  service.setRequestHandlers();
  const server: Server = createServer({ key, cert }, service._app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  model.notifyUrl = `${base}/notify/`;
  const agent = new Agent({ ca: cert, keepAlive: false });

  /** The test talks to the service over the same TLS as the app (node:https with the trusting agent). */
  function post(route: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const outgoing = request(
        `${base}${route}`,
        { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} }));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(JSON.stringify(body));
    });
  }

  return {
    agent,
    async subscribe(applicationServerKey) {
      const answer = await post('/subscribe', { applicationServerKey });
      if (answer.status !== 200) throw new Error(`subscribe: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.data as TestSubscription;
    },
    async received(subscription) {
      const answer = await post('/get-notifications', { clientHash: subscription.clientHash });
      const messages = (answer.body.data as { messages: string[] }).messages;
      return messages.map((text) => JSON.parse(text) as Record<string, unknown>);
    },
    async expire(subscription) {
      await post(`/expire-subscription/${subscription.clientHash}`, {});
    },
    async close() {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
