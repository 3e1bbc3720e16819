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
    summary: 'Members of the project: name, kind, program, status, last active, trust',
    tags: ['members'],
    what: 'member filter',
    access: 'member',
    params: ProjectParams,
    query: MembersQuery,
    async handler({ project, query }) {
      return project.agents.list({ kind: query.kind, includeRetired: query.all ?? false });
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
