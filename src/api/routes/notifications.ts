import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ProjectParams } from '../../schemas/api';
import { SinkId, SinkRequest } from '../../schemas/notifications';
import { route, type ApiDeps } from '../route';

const SinkParams = ProjectParams.extend({ id: SinkId });

/**
 * Where notifications link: the configured public address (BATON_PUBLIC_URL, behind a load
 * balancer), else the address the human used to reach this server.
 */
export function linkBase(request: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl ?? `${request.protocol}://${request.host}`;
}

/** Humans' notification sinks (`baton notify ...`) and what became of the notifications. */
export function notificationRoutes(app: FastifyInstance, deps: ApiDeps & { publicUrl?: string }): void {
  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/notifications',
    summary: 'Your notification sinks, and the project\'s recent deliveries and dead letters (humans see those)',
    tags: ['notifications'],
    what: 'notifications request',
    access: 'member',
    params: ProjectParams,
    async handler({ project, actor }) {
      return project.notifications.view(actor);
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/notifications/sinks',
    summary: 'Add a notification sink (humans only): a webhook, a Slack incoming webhook, or the desktop',
    tags: ['notifications'],
    what: 'notification sink',
    access: 'human',
    params: ProjectParams,
    body: SinkRequest,
    status: 201,
    async handler({ project, actor, body, request }) {
      return project.notifications.add(actor, body, linkBase(request, deps.publicUrl));
    },
  });

  route(app, deps, {
    method: 'DELETE',
    url: '/v1/projects/:project/notifications/sinks/:id',
    summary: 'Remove one of your notification sinks (humans only)',
    tags: ['notifications'],
    what: 'sink removal',
    access: 'human',
    params: SinkParams,
    async handler({ project, actor, params }) {
      return project.notifications.remove(actor, params.id);
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/notifications/test',
    summary: 'Send a test notification to one of your sinks, or to all of them (humans only)',
    tags: ['notifications'],
    what: 'test request',
    access: 'human',
    params: ProjectParams,
    body: z.object({ id: SinkId.optional() }),
    status: 202,
    async handler({ project, actor, body }) {
      return project.notifications.test(actor, body.id);
    },
  });
}
