import fs from 'node:fs';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifySse from '@fastify/sse';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { BatonClient } from '../../client';
import { BatonError } from '../../domain/errors';
import { ProjectKey } from '../../domain/ids';
import { parseInput } from '../../domain/validation';
import { projectRoot } from '../../project-root';
import { member } from '../../schemas/actor';
import type { SessionView } from '../../schemas/console';
import type { Authenticator } from '../auth';
import { LiveHub, type LiveSource } from './live-hub';
import { ConsoleSessions } from './sessions';
import { InboxSource, NotificationsSource, ProjectSource, RunSource, RunsSource } from './sources';

export interface ConsoleOptions {
  /** Keys that sign session cookies (BATON_SESSION_SECRET; src/api/console/session-secret.ts). */
  sessionKeys: string[];
  /** How long a sign-in lasts, hours (BATON_SESSION_HOURS). */
  sessionHours?: number;
  /** The address people reach the server at (BATON_PUBLIC_URL), behind a load balancer. */
  publicUrl?: string;
  /** The Temporal Web UI, for links from pattern pages (BATON_TEMPORAL_UI). */
  temporalUi?: { url: string; namespace: string };
  /** How often open pages' sources are looked at, ms (BATON_CONSOLE_TICK_MS). */
  tickMs?: number;
  /** The built page (scripts/build-console.mjs writes dist/console). */
  assetsDir?: string;
}

export const DEFAULT_TICK_MS = 250;
export const DEFAULT_SESSION_HOURS = 12;

const EventsQuery = z.object({ project: ProjectKey.optional(), run: z.string().max(500).optional() });

/** The console's pages: the router in the page draws them; the server answers each with the page. */
const PAGES = ['/', '/login', '/p/*'];

/**
 * A strict policy for the page: its own script and styles only, talking to its own origin; no
 * frames (clickjacking), no inline script.
 */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-cache',
};

/**
 * The humans' console on the Baton server (same origin as the API): the built page and its assets,
 * sign-in and sign-out, and the live stream (server-sent events). The page calls the same /v1 API as
 * the CLI, authenticated by its session cookie plus a CSRF token (src/api/route.ts asks `sessions`).
 */
export async function registerConsole(app: FastifyInstance, deps: { baton: BatonClient; auth: Authenticator }, options: ConsoleOptions): Promise<{ sessions: ConsoleSessions; hub: LiveHub }> {
  await app.register(fastifyCookie, { secret: options.sessionKeys });
  await app.register(fastifySse, { heartbeatInterval: 15_000 });
  const sessions = new ConsoleSessions(deps.baton, deps.auth, { keys: options.sessionKeys, hours: options.sessionHours ?? DEFAULT_SESSION_HOURS, publicUrl: options.publicUrl });
  const hub = new LiveHub(options.tickMs ?? DEFAULT_TICK_MS);
  // Open streams never end by themselves: a closing server ends them (the pages reconnect elsewhere).
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of streams) end();
    hub.close();
  });
  const extra: Pick<SessionView, 'temporalUi'> = options.temporalUi ? { temporalUi: options.temporalUi } : {};

  const assets = options.assetsDir ?? path.join(projectRoot, 'dist', 'console');
  const built = fs.existsSync(path.join(assets, 'index.html'));
  if (built) await app.register(fastifyStatic, { root: assets, prefix: '/console/assets/', index: false, cacheControl: false, setHeaders: (res) => void res.setHeader('cache-control', 'no-cache') });

  const page = (reply: FastifyReply) => {
    if (!built) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(`The console is not built (no ${path.join(assets, 'index.html')}). Run \`npm run build\` (npm install does it), then reload.`);
    }
    return reply.headers(PAGE_HEADERS).sendFile('index.html');
  };
  for (const url of PAGES) app.get(url, { schema: { hide: true } }, (_request, reply) => page(reply));

  app.get('/console/session', { schema: { hide: true } }, (request, reply) => sessions.view(request, reply, extra));
  app.post('/console/session', { schema: { hide: true } }, (request, reply) => sessions.login(request, reply, request.body, extra));
  app.delete('/console/session', { schema: { hide: true } }, (request, reply) => sessions.logout(request, reply));

  app.get('/console/events', { sse: 'only', schema: { hide: true } }, async (request, reply) => {
    const claims = await sessions.requireSession(request);
    const query = parseInput(EventsQuery, request.query, 'live stream');
    const sources: LiveSource[] = [];
    if (query.project) {
      const signedIn = await sessions.requireMember(claims, query.project);
      const actor = member(signedIn.name, signedIn.epoch);
      sources.push(new ProjectSource(deps.baton, query.project), new RunsSource(deps.baton, query.project), new InboxSource(deps.baton, query.project, actor), new NotificationsSource(deps.baton, query.project, actor));
      if (query.run) {
        if (!query.run.startsWith(`baton/${query.project}/`)) throw new BatonError('INVALID_INPUT', `run: ${query.run} is not a pattern run of project ${query.project}.`);
        sources.push(new RunSource(deps.baton, query.project, query.run));
      }
    } else {
      // "Needs you": the decisions of every project the session is signed in to.
      for (const m of claims.members) sources.push(new RunsSource(deps.baton, m.project));
    }

    reply.sse.keepAlive();
    let seq = 0;
    const send = (event: string, data: unknown) => {
      if (!reply.sse.isConnected) return;
      reply.sse.send({ id: String(++seq), event, data }).catch(() => undefined);
    };
    // `retry`: a dropped stream is opened again after a second (EventSource does it by itself); the
    // server sends every section again on each connect, so a resumed page is whole again.
    await reply.sse.send({ event: 'hello', data: { at: new Date().toISOString(), members: claims.members }, retry: 1000 });
    // Per-human sources carry the name in their key (the hub shares sources by key); the page knows them without it.
    const unsubscribe = sources.map((source) => hub.subscribe(source, (key, value) => send('section', { key: key.replace(/^(inbox|notifications):([^:]+):.*$/, '$1:$2'), value })));
    // A sign-out elsewhere (or the expiry) ends the stream; the page then goes to sign-in.
    const watch = setInterval(() => {
      sessions.requireSession(request).catch((err: unknown) => {
        send('signed-out', { message: err instanceof Error ? err.message : String(err) });
        reply.sse.close();
      });
    }, 5_000);
    const end = () => reply.sse.close();
    streams.add(end);
    reply.sse.onClose(() => {
      streams.delete(end);
      clearInterval(watch);
      for (const u of unsubscribe) u();
    });
  });

  return { sessions, hub };
}
