import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { socketFrameComponents } from '../realtime/chat-ws.docs.js';

/**
 * OpenAPI description of the REST API and of the socket's frames,
 * browsable at /docs.
 *
 * /docs is served under the app's own strict Content-Security-Policy
 * (security.plugin.ts), with no exception: no `staticCSP` (which would
 * replace it with swagger-ui's looser one, `style-src https:` and
 * `frame-ancestors 'self'`), and the `BaseLayout` instead of the standalone
 * one, whose top bar draws the Swagger logo as an SVG with an inline
 * <style> element: the only thing on the page the policy blocked. Swagger
 * UI's own styles and scripts are files under /docs/static ('self'), and
 * the inline styles it sets from script (syntax highlighting) go through
 * the CSSOM, which style-src does not govern.
 */
export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Whisper',
          description:
            'Offline-first chat. The REST half of the protocol, and the socket at GET /v1/chat/ws: its description lists every frame both ways with examples, and their schemas are under Schemas (ClientFrame, ServerFrame).',
          version: '1',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: socketFrameComponents() },
      },
    });
    // @fastify/websocket hides socket routes from the document; the chat
    // socket is half of the protocol, so its route is shown.
    app.addHook('onRoute', (route) => {
      if (route.websocket && route.schema) route.schema.hide = false;
    });
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { layout: 'BaseLayout', deepLinking: true },
      theme: { title: 'Whisper API' },
    });
  },
  { name: 'docs' },
);
