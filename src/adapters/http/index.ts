export { createHttpServer, hashApiKey } from './create-http-server.js';
export type { HttpOptions, Server } from './create-http-server.js';
export { decodeObservations, MAX_RECORDS_PER_REQUEST } from './decode-observations.js';
