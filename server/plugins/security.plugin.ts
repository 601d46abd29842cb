import helmet from '@fastify/helmet';
import fp from 'fastify-plugin';

/**
 * R3: a strict Content-Security-Policy. Only our own origin may run scripts,
 * load styles or open sockets ('self' covers ws:/wss: to the same host), so
 * even a message that slipped into the DOM as HTML could not run anything.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  // F2, F6: files are shown from object URLs (a queued file's own bytes; media fetched with the token).
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  manifestSrc: ["'self'"],
  workerSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  upgradeInsecureRequests: null,
};

export default fp(
  async (app) => {
    await app.register(helmet, {
      contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
      // The app is a PWA on one origin; nothing is embedded cross-origin.
      crossOriginEmbedderPolicy: false,
    });
  },
  { name: 'security' },
);
