import type { FastifyInstance } from 'fastify';
import { InviteRequest, MemberParams, MembersQuery, ProjectParams, RegisterRequest } from '../../schemas/api';
import { route, type ApiDeps } from '../route';

/** Members: agents register themselves; humans are invited by humans; tokens rotate; members retire. */
export function memberRoutes(app: FastifyInstance, deps: ApiDeps): void {
  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/agents',
    summary: 'Register an agent: a memorable name and a token shown once',
    tags: ['members'],
    what: 'registration',
    access: 'none',
    params: ProjectParams,
    body: RegisterRequest,
    status: 201,
    async handler({ params, body }) {
      return deps.baton.project(params.project).agents.register(body);
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/humans',
    summary: 'Invite a human (humans only): their token is shown once, for them to `baton login`',
    tags: ['members'],
    what: 'invitation',
    access: 'human',
    params: ProjectParams,
    body: InviteRequest,
    status: 201,
    async handler({ project, actor, body }) {
      return project.agents.inviteHuman(actor, body.name);
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/members',
    summary: 'Members of the project: name, kind, program, status, last active, trust; a page at a time (the X-Baton-Next header names the next page\'s `after`)',
    tags: ['members'],
    what: 'member filter',
    access: 'member',
    params: ProjectParams,
    query: MembersQuery,
    async handler({ project, query, reply }) {
      const page = await project.agents.page({ kind: query.kind, includeRetired: query.all ?? false, ...(query.limit === undefined ? {} : { limit: query.limit }), ...(query.after === undefined ? {} : { after: query.after }) });
      // The answer stays an array (as before pages); the cursor of the next page goes in the headers.
      if (page.next !== undefined) {
        const next = new URLSearchParams({ ...(query.kind ? { kind: query.kind } : {}), ...(query.all ? { all: 'true' } : {}), ...(query.limit ? { limit: String(query.limit) } : {}), after: page.next });
        reply.header('x-baton-next', page.next);
        reply.header('link', `</v1/projects/${encodeURIComponent(project.key)}/members?${next.toString()}>; rel="next"`);
      }
      return page.members;
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/members/me',
    summary: 'Who the bearer token belongs to',
    tags: ['members'],
    what: 'identity',
    access: 'member',
    params: ProjectParams,
    async handler({ project, actor }) {
      return project.agents.whoami(actor);
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/members/:name/token',
    summary: 'A new token for a member (your own; a human may rotate anyone\'s); the old one stops working at once',
    tags: ['members'],
    what: 'token rotation',
    access: 'member',
    params: MemberParams,
    async handler({ project, actor, params }) {
      const rotated = await project.agents.rotateToken(actor, params.name);
      deps.auth.evictMember(params.project, rotated.member.name);
      return rotated;
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/members/:name/retire',
    summary: 'Retire a member (yourself; a human may retire anyone); its reservations are released (listed in the answer and the audit trail); mail and history stay',
    tags: ['members'],
    what: 'retire request',
    access: 'member',
    params: MemberParams,
    async handler({ project, actor, params }) {
      const retired = await project.agents.retire(actor, params.name);
      deps.auth.evictMember(params.project, retired.name);
      return retired;
    },
  });
}
