import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BatonClient, BatonProjectClient } from '../client';
import { BatonError } from '../domain/errors';
import { IDENTITY_FIELDS } from '../schemas/api';
import type { MemberActor } from '../schemas/actor';
import { actorOf, type Authenticator, type Caller } from './auth';

/**
 * Who may call a route: anyone who reaches the server (`none`: creating a project, registering an
 * agent), any verified member of the project, or a verified human of it. Human-only routes refuse an
 * agent's token with FORBIDDEN, whatever the body says.
 */
export type Access = 'none' | 'member' | 'human';

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The verified caller (undefined only on `none` routes without a token). */
  caller: Caller | undefined;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface MemberContext<P, Q, B> extends RouteContext<P, Q, B> {
  caller: Caller;
  /** The caller as a workflow actor (name + the epoch the server verified). */
  actor: MemberActor;
  /** The caller's project through the typed client. */
  project: BatonProjectClient;
}

interface RouteSpecBase<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: HTTPMethods;
  url: string;
  /** One line for the OpenAPI document. */
  summary: string;
  tags: string[];
  /** Names the input in error messages ("Invalid reserve request: ..."), as the CLI and MCP do. */
  what: string;
  params?: P;
  query?: Q;
  body?: B;
  /** HTTP status of a success (default 200). */
  status?: number;
}

export type RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> =
  | (RouteSpecBase<P, Q, B> & { access: 'none'; handler(ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<unknown> })
  | (RouteSpecBase<P, Q, B> & { access: 'member' | 'human'; handler(ctx: MemberContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<unknown> });

export interface ApiDeps {
  baton: BatonClient;
  auth: Authenticator;
  /** The console's sessions: a request with the session cookie and no bearer token is its human's. */
  sessions?: { has(request: FastifyRequest): boolean; callerFor(request: FastifyRequest, project: string): Promise<Caller> };
}

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/**
 * Registers a route: authentication first (onRequest: a wrong token never gets its body parsed),
 * then the identity guard (a body may not say who acts), then zod validation of params, query and
 * body with the shared schemas, then the handler with the verified caller.
 */
export function route<P extends z.ZodType = z.ZodObject, Q extends z.ZodType = z.ZodObject, B extends z.ZodType = z.ZodObject>(app: FastifyInstance, deps: ApiDeps, spec: RouteSpec<P, Q, B>): void {
  app.withTypeProvider<ZodTypeProvider>().route({
    method: spec.method,
    url: spec.url,
    config: { what: spec.what, access: spec.access },
    schema: {
      summary: spec.summary,
      tags: spec.tags,
      ...(spec.access === 'none' ? {} : { security: [{ bearer: [] }] }),
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { querystring: spec.query } : {}),
      ...(spec.body ? { body: spec.body } : {}),
    },
    onRequest: async (request) => {
      const header = request.headers.authorization;
      const params = request.params as { project?: string };
      // The body is not parsed yet here: an open route without the project in its path (creating a
      // project, whose `replace` checks the token itself in ProjectLifecycle) has nothing to verify against.
      if (spec.access === 'none' && (!header || params.project === undefined)) return;
      const claimed = request.headers['x-baton-member'];
      // The console's cookie (with its CSRF token on changes) stands for a bearer token only when none is sent.
      request.caller =
        !header && params.project && deps.sessions?.has(request)
          ? await deps.sessions.callerFor(request, params.project)
          : await deps.auth.verify(params.project, header, typeof claimed === 'string' ? claimed : undefined);
      if (spec.access === 'human' && request.caller.kind !== 'human') {
        throw new BatonError('FORBIDDEN', `This needs a human's token: ${request.caller.name} is an agent. A human runs it with their own credentials (\`baton login\`); agents' tokens are refused here.`);
      }
    },
    preValidation: async (request) => {
      if (spec.body) refuseForeignFields(request.body, spec.body, spec.what);
    },
    handler: async (request, reply) => {
      const base = { params: request.params, query: request.query, body: request.body, caller: request.caller, request, reply } as RouteContext<z.output<P>, z.output<Q>, z.output<B>>;
      let result: unknown;
      if (spec.access === 'none') result = await spec.handler(base);
      else {
        const caller = request.caller!;
        result = await spec.handler({ ...base, caller, actor: actorOf(caller), project: deps.baton.project(caller.project) });
      }
      if (reply.sent) return reply;
      return reply.code(spec.status ?? 200).send(result ?? {});
    },
  });
}

/**
 * Bodies are checked against the schema's fields before zod runs: a field that would say who acts
 * gets its own error (identity comes from the token, never from a body), and a misspelt field is
 * refused rather than silently dropped (`ttl` for `ttlSeconds` should be learnt, not ignored).
 */
function refuseForeignFields(body: unknown, schema: z.ZodType, what: string): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  if (!shape) return;
  const keys = Object.keys(body);
  const identity = keys.filter((k) => (IDENTITY_FIELDS as readonly string[]).includes(k) && !(k in shape));
  if (identity.length) {
    throw new BatonError('INVALID_INPUT', `Invalid ${what}: ${identity.map((k) => `"${k}"`).join(', ')} cannot be given: who acts comes from your bearer token, never from the request body.`, { fields: identity });
  }
  const unknown = keys.filter((k) => !(k in shape));
  if (unknown.length) {
    throw new BatonError('INVALID_INPUT', `Invalid ${what}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; expected ${Object.keys(shape).join(', ')}.`);
  }
}
