export * from './route.js';
export * from './people.js';
export { buildOpenApi } from './openapi.js';
export * from './chat.js';
export * from './documents.js';
export * from './presence.js';
export * from './admin.js';
export * from './graph.js';
