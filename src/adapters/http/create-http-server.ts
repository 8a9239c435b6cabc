import { createHash } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App, Principal, Result } from '../../app/index.js';
import { registerLedgerRoutes } from './ledger-routes.js';
import { registerRoutes } from './routes.js';
import { registerStream } from './stream.js';
import { errorBody, statusOf } from './http-errors.js';
import { statusPage } from './status-page.js';

/** Settings of the HTTP API. */
export interface HttpOptions {
  /** Largest request body, bytes (default 16 MiB). */
  readonly bodyLimitBytes?: number;
  /** The logger (pino); none logs nothing. */
  readonly logger?: FastifyBaseLogger | false;
  /** Version shown in the OpenAPI document. */
  readonly version: string;
}

const principals = new WeakMap<FastifyRequest, Principal>();

/** Who is asking: set by the authentication hook for every /api/v1 route that needs a key. */
export function principalOf(request: FastifyRequest): Principal {
  const p = principals.get(request);
  if (!p) throw new Error('route reached without authentication');
  return p;
}

/** The SHA-256 of an API key secret, hex: keys are stored and looked up only by hash. */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Reads the bearer token of a request (RFC 6750 sec. 2.1). */
export function bearerToken(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+([A-Za-z0-9._~+/=-]{8,512})$/i.exec(h);
  return m?.[1];
}

/** Sends a use case result: the value with the given status, or the error with its status. */
export function send<T>(
  reply: FastifyReply,
  result: Result<T>,
  view: (value: T) => unknown,
  okStatus = 200,
) {
  if (result.ok) return reply.code(okStatus).send(view(result.value));
  return reply.code(statusOf(result.error.code)).send(errorBody(result.error));
}

/** A Fastify instance with the TypeBox type provider. */
export type Server = FastifyInstance<
  HttpServer,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

const PUBLIC_PATHS = ['/', '/api/v1/openapi.json', '/healthz'];

/**
 * Builds the HTTP and WebSocket API over the application, without listening: tests inject
 * requests or listen on port 0. Errors are JSON with stable codes and never carry a stack.
 */
export async function createHttpServer(app: App, options: HttpOptions): Promise<Server> {
  const server = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: options.bodyLimitBytes ?? 16 * 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as Server;

  // Our own JSON parser, so that a malformed body is answered with the parser's message, which
  // names the position of the fault.
  server.removeContentTypeParser('application/json');
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text) as unknown);
    } catch (err) {
      const e = new Error((err as Error).message) as Error & { code: string; statusCode: number };
      e.code = 'INVALID_JSON';
      e.statusCode = 400;
      done(e, undefined);
    }
  });
  server.addContentTypeParser(
    ['application/x-ndjson', 'application/jsonl', 'application/geo+json'],
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );

  server.setErrorHandler(
    (
      err: Error & { code?: string; statusCode?: number; validation?: unknown[] },
      request,
      reply,
    ) => {
      if (err.validation) {
        const errors = (err.validation as { instancePath?: string; message?: string }[]).map(
          (v) => ({
            path: v.instancePath ?? '',
            code: 'SCHEMA',
            message: v.message ?? 'invalid',
          }),
        );
        return reply
          .code(400)
          .send({ error: { code: 'INVALID_INPUT', message: err.message, errors } });
      }
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return reply.code(413).send(errorBody({ code: 'TOO_LARGE', message: err.message }));
      }
      if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        return reply
          .code(415)
          .send(errorBody({ code: 'UNSUPPORTED_MEDIA_TYPE', message: err.message }));
      }
      if (err.code === 'CONFLICT' || err.code === 'DUPLICATE_ID') {
        return reply.code(409).send(errorBody({ code: 'CONFLICT', message: err.message }));
      }
      if (err.code === 'INVALID_JSON') {
        return reply.code(400).send(errorBody({ code: 'INVALID_JSON', message: err.message }));
      }
      if (err.code === 'INVALID_INPUT') {
        return reply.code(400).send(errorBody({ code: 'INVALID_INPUT', message: err.message }));
      }
      if (err.statusCode === 400 || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
        return reply.code(400).send(errorBody({ code: 'INVALID_JSON', message: err.message }));
      }
      if (err.statusCode && err.statusCode < 500) {
        return reply
          .code(err.statusCode)
          .send(errorBody({ code: 'INVALID_INPUT', message: err.message }));
      }
      request.log.error({ err }, 'unhandled error');
      return reply.code(500).send(errorBody({ code: 'INTERNAL', message: 'internal error' }));
    },
  );

  server.setNotFoundHandler((request, reply) =>
    reply.code(404).send(
      errorBody({
        code: 'NOT_FOUND',
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
      }),
    ),
  );

  await server.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Armistice API',
        version: options.version,
        description:
          'Ceasefire monitoring: observations in, incidents out. Every request needs ' +
          '`Authorization: Bearer <API key>`.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
  });
  await server.register(swaggerUi, { routePrefix: '/api/v1/docs' });
  await server.register(websocket, { options: { maxPayload: 64 * 1024 } });

  server.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (PUBLIC_PATHS.includes(path) || path.startsWith('/api/v1/docs')) return;
    // Checkpoints, keys and proofs reveal hashes only; a cosignature is its own credential.
    if (path.startsWith('/api/v1/ledger/')) return;
    if (path === '/api/v1/stream') return; // authenticates itself (header or first message)
    const token = bearerToken(request);
    const principal = token ? await app.authenticate(hashApiKey(token)) : undefined;
    if (!principal) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send(
          errorBody({
            code: 'UNAUTHENTICATED',
            message: 'a valid API key is needed: Authorization: Bearer <key>',
          }),
        );
    }
    principals.set(request, principal);
  });

  server.get('/', { schema: { hide: true } }, (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(statusPage()),
  );
  server.get('/healthz', { schema: { hide: true } }, () => ({ ok: true }));
  server.get('/api/v1/openapi.json', { schema: { hide: true } }, () => server.swagger());
  registerRoutes(server, app);
  registerLedgerRoutes(server, app);
  registerStream(server, app);
  return server;
}
