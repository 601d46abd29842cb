/**
 * Every JSON Schema of the protocol, for the server (validation of untrusted
 * input and the OpenAPI document at /docs). The client imports types from
 * ./index.ts instead, which carries no schema library into its bundle.
 */
export * from './common.js';
export * from './identity.js';
export * from './messages.js';
export * from './rooms.js';
export * from './events.js';
export * from './ops.js';
export * from './sync.js';
export * from './live.js';
export * from './receipts.js';
export * from './media.js';
export * from './search.js';
