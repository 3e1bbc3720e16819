import { BatonApi, type ProjectApi } from '../../src/api-client';
import type { BatonProjectClient } from '../../src/client';
import { member, type MemberActor } from '../../src/schemas/actor';
import type { SendRequest, SendResult } from '../../src/schemas/messages';
import type { CodeReviewPlanInput } from '../../src/patterns/code-review/plan';
import type { HandoffNote, PatternStatus } from '../../src/schemas/patterns';
import type { ReleaseResult, ReserveResult } from '../../src/schemas/reservations';

/** A member of a crash-suite project: its name, how the operator's client names it, and its token when the load goes through Baton servers. */
export interface CrashMember {
  name: string;
  actor: MemberActor;
  token?: string;
}

export interface CrashReserve {
  patterns: string[];
  exclusive?: boolean;
  ttlSeconds: number;
  reason: string;
  requestId: string;
}

export type CrashMessage = Pick<SendRequest, 'subject' | 'body' | 'idempotencyKey'>;

export interface CrashReport {
  summary: string;
  handoff: Partial<HandoffNote>;
}

/**
 * How the crash driver's load reaches Baton: straight to the project workflow through the operator's
 * typed client (the dev-server suite), or as agents do, each member with its own token through the
 * Baton servers (the cluster suite, where a killed Baton server is one of the crashes). The calls are
 * the ones the driver makes, nothing more; reads for the invariants always go through the operator's
 * client, after the fact.
 */
export interface CrashSurface {
  /** In words, for the log ("the typed client", "2 Baton servers"). */
  label: string;
  register(task: string): Promise<CrashMember>;
  reserve(m: CrashMember, request: CrashReserve): Promise<ReserveResult>;
  release(m: CrashMember, ids: string[]): Promise<ReleaseResult>;
  send(m: CrashMember, to: string[], message: CrashMessage): Promise<SendResult>;
  broadcast(m: CrashMember, message: CrashMessage): Promise<SendResult>;
  /** Starts a code review; returns its workflow id. */
  startReview(starter: CrashMember, plan: CodeReviewPlanInput & { id: string }): Promise<string>;
  status(viewer: CrashMember, workflowId: string): Promise<PatternStatus>;
  approve(human: CrashMember, workflowId: string, comment: string): Promise<unknown>;
  done(author: CrashMember, workflowId: string, report: CrashReport): Promise<unknown>;
}

/** The operator's typed client: members act by name (it trusts its caller). */
export function operatorSurface(project: BatonProjectClient): CrashSurface {
  return {
    label: 'the typed client',
    async register(task) {
      const r = await project.agents.register({ program: 'crash-test', task, contactPolicy: 'open' });
      return { name: r.member.name, actor: member(r.member.name) };
    },
    reserve: (m, request) => project.reservations.reserve({ actor: m.actor, ...request }),
    release: (m, ids) => project.reservations.release({ actor: m.actor, ids }),
    send: (m, to, message) => project.messages.send(m.actor, { ...message, to }),
    broadcast: (m, message) => project.messages.broadcast(m.actor, message),
    startReview: async (starter, plan) => (await project.patterns.start('code-review', plan, { startedBy: starter.name })).workflowId,
    status: (_viewer, workflowId) => project.patterns.status(workflowId),
    approve: (human, workflowId, comment) => project.patterns.approve(workflowId, { name: human.name }, comment),
    done: (author, workflowId, report) => project.patterns.done(workflowId, { name: author.name }, report),
  };
}

/**
 * Agents and a human through several Baton servers, each with its own token: every call goes to the
 * next server in turn, so a retry after a server died lands on another one (and consecutive calls of
 * one member cross servers, which only stateless servers answer alike).
 */
export function serversSurface(urls: string[], projectKey: string): CrashSurface {
  let next = 0;
  const as = (m: CrashMember | undefined): ProjectApi => new BatonApi({ baseUrl: urls[next++ % urls.length]!, token: m?.token }).project(projectKey);
  return {
    label: `${urls.length} Baton servers`,
    async register(task) {
      const r = await as(undefined).agents.register({ program: 'crash-test', task, contactPolicy: 'open' });
      return { name: r.member.name, actor: member(r.member.name), token: r.token };
    },
    reserve: (m, request) => as(m).reservations.reserve(request),
    release: (m, ids) => as(m).reservations.release({ ids }),
    send: (m, to, message) => as(m).messages.send({ ...message, to }),
    broadcast: (m, message) => as(m).messages.broadcast(message),
    startReview: async (starter, plan) => (await as(starter).patterns.start('code-review', plan)).workflowId,
    status: (viewer, workflowId) => as(viewer).patterns.status(workflowId),
    approve: (human, workflowId, comment) => as(human).patterns.approve(workflowId, comment),
    done: (author, workflowId, report) => as(author).patterns.done(workflowId, report),
  };
}
