import type { FastifyInstance } from 'fastify';
import { AuditQuery, CheckRequest, ForceReleaseRequest, ProjectParams, ReleaseRequest, RenewRequest, ReservationsQuery, ReserveRequest } from '../../schemas/api';
import { route, type ApiDeps } from '../route';

/** File reservations: leases decided one at a time by the project workflow. */
export function reservationRoutes(app: FastifyInstance, deps: ApiDeps): void {
  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/reservations',
    summary: 'Reserve paths or globs, all or nothing; a conflict is an answer (status "conflict") naming holder, pattern, expiry and reason',
    tags: ['reservations'],
    what: 'reserve request',
    access: 'member',
    params: ProjectParams,
    body: ReserveRequest,
    async handler({ project, actor, body }) {
      return project.reservations.reserve({ ...body, actor });
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/reservations/release',
    summary: 'Release your reservations: by ids, by patterns (as reserved), or all',
    tags: ['reservations'],
    what: 'release request',
    access: 'member',
    params: ProjectParams,
    body: ReleaseRequest,
    async handler({ project, actor, body }) {
      return project.reservations.release({ ...body, actor });
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/reservations/renew',
    summary: 'Extend your reservations (all of them when no ids)',
    tags: ['reservations'],
    what: 'renew request',
    access: 'member',
    params: ProjectParams,
    body: RenewRequest,
    async handler({ project, actor, body }) {
      return project.reservations.renew({ ...body, actor });
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/reservations/check',
    summary: 'Would these paths or patterns conflict, and with whom? Read-only; your own leases never count',
    tags: ['reservations'],
    what: 'check request',
    access: 'member',
    params: ProjectParams,
    body: CheckRequest,
    async handler({ project, caller, body }) {
      return project.reservations.check({ ...body, asAgent: caller.name });
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/reservations/force-release',
    summary: 'Release anyone\'s reservations (humans only); the holders are notified',
    tags: ['reservations'],
    what: 'force-release request',
    access: 'human',
    params: ProjectParams,
    body: ForceReleaseRequest,
    async handler({ project, actor, body }) {
      return project.reservations.forceRelease({ ...body, actor });
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/reservations',
    summary: 'Active reservations (optionally one holder\'s), oldest first, a page at a time (`next` → `after`)',
    tags: ['reservations'],
    what: 'reservation filter',
    access: 'member',
    params: ProjectParams,
    query: ReservationsQuery,
    async handler({ project, query }) {
      return project.reservations.list(query);
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/reservations/audit',
    summary: 'The audit trail: grants, extensions, releases, renewals, expiries, force-releases; newest page first (`next` → `after` goes further back)',
    tags: ['reservations'],
    what: 'audit filter',
    access: 'member',
    params: ProjectParams,
    query: AuditQuery,
    async handler({ project, query }) {
      return project.reservations.audit(query);
    },
  });
}
