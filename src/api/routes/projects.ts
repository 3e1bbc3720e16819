import type { FastifyInstance } from 'fastify';
import { BatonError } from '../../domain/errors';
import { InitProjectRequest, ProjectParams, SettingsRequest, ShutdownRequest } from '../../schemas/api';
import type { ProjectLifecycle } from '../project-lifecycle';
import { route, type ApiDeps } from '../route';

/** Projects: created on purpose with their first human, described, configured and ended by humans. */
export function projectRoutes(app: FastifyInstance, deps: ApiDeps & { lifecycle: ProjectLifecycle }): void {
  route(app, deps, {
    method: 'POST',
    url: '/v1/projects',
    summary: 'Create a project with its first human (prints their token once); `replace` re-creates an ended key (a human of it must call)',
    tags: ['projects'],
    what: 'project',
    access: 'none',
    body: InitProjectRequest,
    status: 201,
    async handler({ body, request }) {
      const created = await deps.lifecycle.init(body, request.headers.authorization);
      if (created.replaced) deps.auth.evictProject(created.project);
      return created;
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project',
    summary: 'The project workflow at a glance: generation, history length, settings, module summaries',
    tags: ['projects'],
    what: 'project',
    access: 'member',
    params: ProjectParams,
    async handler({ project }) {
      return project.describe();
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/ping',
    summary: 'A no-op round trip through the project workflow (an update that changes nothing): health checks and the benchmarks\' floor',
    tags: ['projects'],
    what: 'ping',
    access: 'member',
    params: ProjectParams,
    async handler({ project }) {
      return project.ping();
    },
  });

  route(app, deps, {
    method: 'PATCH',
    url: '/v1/projects/:project/settings',
    summary: 'Change project settings (humans only); fields left out stay as they are',
    tags: ['projects'],
    what: 'settings',
    access: 'human',
    params: ProjectParams,
    body: SettingsRequest,
    async handler({ project, actor, body }) {
      return project.updateSettings(actor, body);
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/shutdown',
    summary: 'End the project (humans only; confirm by repeating the key); later calls say who ended it and when',
    tags: ['projects'],
    what: 'shutdown',
    access: 'human',
    params: ProjectParams,
    body: ShutdownRequest,
    async handler({ project, actor, body, params }) {
      if (body.confirm !== params.project) {
        throw new BatonError('INVALID_INPUT', `confirm: repeat the project key (${params.project}) to confirm that it ends; got "${body.confirm}".`);
      }
      const ended = await project.shutdown(actor, body.reason);
      deps.auth.evictProject(params.project);
      await deps.lifecycle.afterShutdown(ended);
      return ended;
    },
  });
}
