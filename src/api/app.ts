import Fastify, { type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { BatonClient } from '../client';
import { BatonError } from '../domain/errors';
import { BATON_SEARCH_ATTRIBUTES } from '../search-attributes';
import type { Health } from '../schemas/api';
import { describeZodError } from '../domain/validation';
import { Authenticator } from './auth';
import { answerClientError, MAX_PARAM_LENGTH, sendError, toHttpError } from './errors';
import { registerConsole, type ConsoleOptions } from './console/plugin';
import { sessionKeys } from './console/session-secret';
import { mcpRoutes } from './mcp';
import { ProjectLifecycle } from './project-lifecycle';
import { memberRoutes } from './routes/members';
import { messageRoutes } from './routes/messages';
import { notificationRoutes } from './routes/notifications';
import { patternRoutes } from './routes/patterns';
import { projectRoutes } from './routes/projects';
import { reservationRoutes } from './routes/reservations';

export interface ApiOptions {
  baton: BatonClient;
  /** Project for MCP sessions that name none (BATON_PROJECT). */
  defaultProject?: string;
  /** Largest accepted request body, bytes (default 1 MiB: a 64 KiB message or 200 long patterns fit). */
  bodyLimit?: number;
  /** How long a verified token is trusted before it is looked up again, ms. */
  authCacheMs?: number;
  /** Fastify's request log (off by default: the server's users read its errors, not every request). */
  logger?: boolean;
  /** The humans' console (dashboard, sign-in, live stream); without keys, sessions last the process's life. */
  console?: Partial<ConsoleOptions>;
}

export const API_VERSION = '1.0.0';

/**
 * The Baton server's HTTP application: the only door for agents and humans (README, "Trust model").
 * It holds the Temporal client, verifies each request's bearer token, and calls workflows with the
 * verified member. Stateless apart from a cache of verified tokens, so several servers can run behind
 * a load balancer against one cluster.
 */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    return503OnClosing: true,
    // Fastify's default (100) is shorter than valid project keys and run ids; its own errors for the
    // URL and for what Node's parser refuses are answered in Baton's shape (errors.ts).
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: (err, _request, reply) => void sendError(reply, toHttpError(err)),
    clientErrorHandler: answerClientError,
  });
  const auth = new Authenticator(options.baton, { ttlMs: options.authCacheMs ?? 60_000, maxEntries: 20_000 });
  const { sessions } = await registerConsole(app, { baton: options.baton, auth }, { ...options.console, sessionKeys: options.console?.sessionKeys ?? sessionKeys({}).keys });
  const deps = { baton: options.baton, auth, sessions };

  // Validation with the shared schemas and the same sentence as the CLI and MCP ("Invalid reserve
  // request: patterns[0]: ..."), not Fastify's default wording.
  app.setValidatorCompiler(({ schema, httpPart }) => (data: unknown) => {
    const parsed = (schema as z.ZodType).safeParse(data);
    if (parsed.success) return { value: parsed.data };
    const what = httpPart === 'params' ? 'path' : httpPart === 'querystring' ? 'query string' : undefined;
    return { error: new BatonError('INVALID_INPUT', describeZodError(parsed.error, what)) };
  });
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((err, request, reply) => {
    const error = toHttpError(err);
    // A validation error arrives without the route's name for the input: add it here.
    const what = (request.routeOptions.config as { what?: string } | undefined)?.what;
    const worded = error.code === 'INVALID_INPUT' && what && !error.message.startsWith('Invalid ') ? new BatonError(error.code, `Invalid ${what}: ${error.message}`, error.details) : error;
    if (request.caller && worded.code === 'UNAUTHORIZED' && isStale(worded.details)) auth.evictStale(request.caller);
    return sendError(reply, worded);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, new BatonError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}; /openapi.json lists the API.`)));

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Baton server',
        version: API_VERSION,
        description: 'Coordinate AI coding agents and their humans: reservations, messages, coordination patterns. Every request but project creation and agent registration needs `Authorization: Bearer <token>`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'bt_... (agents) or bh_... (humans)' } } },
    },
    transform: jsonSchemaTransform,
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async () => health(options.baton));

  const lifecycle = new ProjectLifecycle(options.baton);
  projectRoutes(app, { ...deps, lifecycle });
  memberRoutes(app, deps);
  reservationRoutes(app, deps);
  messageRoutes(app, deps);
  patternRoutes(app, deps);
  notificationRoutes(app, { ...deps, publicUrl: options.console?.publicUrl });
  mcpRoutes(app, { ...deps, defaultProject: options.defaultProject });
  await app.ready();
  return app;
}

async function health(baton: BatonClient): Promise<Health> {
  const { temporal, config } = baton;
  const info = await temporal.workflowService.getSystemInfo({});
  const attrs = await temporal.connection.operatorService.listSearchAttributes({ namespace: config.namespace });
  const queue = await temporal.workflowService.describeTaskQueue({ namespace: config.namespace, taskQueue: { name: config.taskQueue }, taskQueueType: 1 });
  return {
    ok: true,
    temporal: { address: config.address, namespace: config.namespace, version: info.serverVersion ?? 'unknown' },
    taskQueue: config.taskQueue,
    workers: queue.pollers?.length ?? 0,
    missingSearchAttributes: Object.keys(BATON_SEARCH_ATTRIBUTES).filter((k) => !(k in (attrs.customAttributes ?? {}))),
  };
}

const isStale = (details: unknown) => {
  const reason = (details as { reason?: string } | undefined)?.reason;
  return reason === 'stale-credential' || reason === 'retired';
};
