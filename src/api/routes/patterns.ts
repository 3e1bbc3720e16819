import type { FastifyInstance } from 'fastify';
import {
  AlertsQuery,
  ApproveRequest,
  CancelRequest,
  ClaimRequest,
  DoneRequest,
  FailRequest,
  IntroduceRequest,
  PatternsQuery,
  PostMortemRequest,
  ProgressRequest,
  ProjectParams,
  RejectRequest,
  ReviewRequest,
  RunParams,
  StartRequest,
  reviewInput,
} from '../../schemas/api';
import { route, type ApiDeps } from '../route';

const runRef = (params: { pattern: string; id: string }) => `${params.pattern}/${params.id}`;

/** Coordination patterns: start, report, decide, cancel, read. */
export function patternRoutes(app: FastifyInstance, deps: ApiDeps): void {
  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/patterns',
    summary: 'Start a coordination pattern from a plan (you are recorded as its starter)',
    tags: ['patterns'],
    what: 'pattern start',
    access: 'member',
    params: ProjectParams,
    body: StartRequest,
    status: 201,
    async handler({ project, caller, body }) {
      // The caller is recorded as the starter (a pattern always has one: trust and decisions depend on it).
      return project.patterns.start(body.pattern, body.plan, { startedBy: caller.name, epoch: caller.epoch });
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/patterns',
    summary: 'Pattern runs of the project, most recent first',
    tags: ['patterns'],
    what: 'pattern filter',
    access: 'member',
    params: ProjectParams,
    query: PatternsQuery,
    async handler({ project, query }) {
      return project.patterns.list({ running: query.running, limit: query.limit });
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/approvals',
    summary: 'Everything waiting for a human decision in the project',
    tags: ['patterns'],
    what: 'approvals',
    access: 'member',
    params: ProjectParams,
    async handler({ project }) {
      return project.patterns.approvals();
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/alerts',
    summary: 'Anti-pattern alerts (silent work, hoarding, no sync points, unclear handoffs)',
    tags: ['patterns'],
    what: 'alert filter',
    access: 'member',
    params: ProjectParams,
    query: AlertsQuery,
    async handler({ project, query }) {
      return project.alerts.list({ includeResolved: query.all ?? false, kind: query.kind, agent: query.agent });
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/patterns/:pattern/:id',
    summary: 'A pattern run: step, who it waits for, decision, steps, timeline',
    tags: ['patterns'],
    what: 'status request',
    access: 'member',
    params: RunParams,
    async handler({ project, params }) {
      return project.patterns.status(runRef(params));
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/patterns/:pattern/:id/progress',
    summary: 'Report progress on your step (a sign of life, the check-in at sync points)',
    tags: ['patterns'],
    what: 'progress report',
    access: 'member',
    params: RunParams,
    body: ProgressRequest,
    async handler({ project, caller, params, body }) {
      return project.patterns.progress(runRef(params), caller, body.note);
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/patterns/:pattern/:id/done',
    summary: 'Finish your step with a summary and a handoff (a vague handoff is refused with what is missing)',
    tags: ['patterns'],
    what: 'done report',
    access: 'member',
    params: RunParams,
    body: DoneRequest,
    async handler({ project, caller, params, body }) {
      return project.patterns.done(runRef(params), caller, body);
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/patterns/:pattern/:id/fail',
    summary: 'Report that your step cannot be done, and why',
    tags: ['patterns'],
    what: 'failure report',
    access: 'member',
    params: RunParams,
    body: FailRequest,
    async handler({ project, caller, params, body }) {
      return project.patterns.fail(runRef(params), caller, body.reason);
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/patterns/:pattern/:id/review',
    summary: 'As the reviewer: approve, or request changes with required comments',
    tags: ['patterns'],
    what: 'review',
    access: 'member',
    params: RunParams,
    body: ReviewRequest,
    async handler({ project, caller, params, body }) {
      const { verdict, required, suggestions, summary } = reviewInput(caller.name, body);
      return project.codeReview.review(runRef(params), caller, { verdict, required, suggestions, summary });
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/patterns/:pattern/:id/approve',
    summary: 'Approve a pending decision (humans only: an agent\'s attempt is refused, 403, and recorded by the run)',
    tags: ['decisions'],
    what: 'approval',
    access: 'member',
    params: RunParams,
    body: ApproveRequest,
    async handler({ project, caller, params, body }) {
      return project.patterns.approve(runRef(params), caller, body.comment, { decisionId: body.decisionId });
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/patterns/:pattern/:id/reject',
    summary: 'Reject a pending decision with a reason (humans only: an agent\'s attempt is refused, 403, and recorded by the run)',
    tags: ['decisions'],
    what: 'rejection',
    access: 'member',
    params: RunParams,
    body: RejectRequest,
    async handler({ project, caller, params, body }) {
      return project.patterns.reject(runRef(params), caller, body.reason, { decisionId: body.decisionId });
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/patterns/:pattern/:id/cancel',
    summary: 'Stop a pattern run (humans only); every reservation it holds is released',
    tags: ['decisions'],
    what: 'cancel',
    access: 'human',
    params: RunParams,
    body: CancelRequest,
    async handler({ project, caller, params, body }) {
      return project.patterns.cancel(runRef(params), caller, body.reason);
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/patterns/:pattern/:id/claim',
    summary: 'Claim an emergency: exactly one agent wins, the others get CONFLICT',
    tags: ['emergencies'],
    what: 'claim',
    access: 'member',
    params: RunParams,
    body: ClaimRequest,
    async handler({ project, caller, params, body }) {
      return project.emergency.claim(runRef(params), caller, body.note);
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/patterns/:pattern/:id/post-mortem',
    summary: 'As the claimant, close the emergency with its post-mortem',
    tags: ['emergencies'],
    what: 'post-mortem',
    access: 'member',
    params: RunParams,
    body: PostMortemRequest,
    async handler({ project, caller, params, body }) {
      return project.emergency.postMortem(runRef(params), caller, body);
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/patterns/:pattern/:id/incident',
    summary: 'An emergency: phase, claimant, reopens, times',
    tags: ['emergencies'],
    what: 'incident request',
    access: 'member',
    params: RunParams,
    async handler({ project, params }) {
      return project.emergency.incident(runRef(params));
    },
  });

  route(app, deps, {
    method: 'POST',
    url: '/v1/projects/:project/patterns/:pattern/:id/introduce',
    summary: 'Introduce a new agent to the team (humans only)',
    tags: ['onboarding'],
    what: 'introduction',
    access: 'human',
    params: RunParams,
    body: IntroduceRequest,
    async handler({ project, caller, params, body }) {
      return project.onboarding.introduce(runRef(params), caller, body.text);
    },
  });

  route(app, deps, {
    method: 'GET',
    url: '/v1/projects/:project/patterns/:pattern/:id/onboarding',
    summary: 'An onboarding: phase, successful tasks, trust',
    tags: ['onboarding'],
    what: 'onboarding request',
    access: 'member',
    params: RunParams,
    async handler({ project, params }) {
      return project.onboarding.view(runRef(params));
    },
  });
}
