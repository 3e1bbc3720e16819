import type { Client } from '@temporalio/client';
import { parseInput } from '../domain/validation';
import { ProjectKey } from '../domain/ids';
import { checkPath, checkPattern } from '../domain/reservations/policy';
import type { Actor } from '../schemas/actor';
import {
  AuditInput,
  CheckInput,
  ForceReleaseInput,
  ListReservationsInput,
  ReleaseInput,
  RenewInput,
  ReserveInput,
  type AuditTrail,
  type CheckResult,
  type ForceReleaseResult,
  type ReleaseResult,
  type RenewResult,
  type Reservation,
  type ReservationList,
  type ReserveResult,
} from '../schemas/reservations';
import {
  checkReservationsQuery,
  forceReleaseUpdate,
  releaseUpdate,
  renewUpdate,
  reservationAuditQuery,
  reservationsQuery,
  reserveUpdate,
} from '../workflows/project/reservations-api';
import { ProjectChannel } from './project';

/**
 * File reservations of one project. Inputs are checked here with the same schemas and pattern policy
 * the workflow's validators use, so a bad pattern fails fast with the same message. A conflict is an
 * ordinary answer (`status: 'conflict'`), not an error.
 */
export class ReservationsClient {
  constructor(private readonly channel: ProjectChannel) {}

  async reserve(request: ReserveInput): Promise<ReserveResult> {
    const input = parseInput(ReserveInput, request, 'reserve request');
    for (const p of input.patterns) checkPattern(p, { allowBroad: input.allowBroad });
    return this.channel.update(reserveUpdate, input);
  }

  /** Release by ids, by patterns (exactly as reserved), or all of the actor's. Releasing twice is fine. */
  async release(request: ReleaseInput): Promise<ReleaseResult> {
    return this.channel.update(releaseUpdate, parseInput(ReleaseInput, request, 'release request'));
  }

  /** Extend by ttl from the later of now and the current expiry (all of the actor's when no ids). */
  async renew(request: RenewInput): Promise<RenewResult> {
    return this.channel.update(renewUpdate, parseInput(RenewInput, request, 'renew request'));
  }

  /** Humans only: release anyone's reservations (by ids, holder, or overlapping patterns); the holder is notified. */
  async forceRelease(request: ForceReleaseInput): Promise<ForceReleaseResult> {
    const input = parseInput(ForceReleaseInput, request, 'force-release request');
    for (const p of input.patterns ?? []) checkPattern(p, { allowBroad: true });
    return this.channel.update(forceReleaseUpdate, input);
  }

  /** Would these paths or patterns conflict, and with whom? Read-only. */
  async check(request: CheckInput): Promise<CheckResult> {
    const input = parseInput(CheckInput, request, 'check request');
    for (const p of input.paths ?? []) checkPath(p);
    for (const p of input.patterns ?? []) checkPattern(p, { allowBroad: true });
    return this.channel.checkedQuery(checkReservationsQuery, input);
  }

  /** One page of active reservations, oldest first (at most `limit`, and ~1 MB); `next` continues (pass it as `after`). */
  async list(filter: ListReservationsInput = {}): Promise<ReservationList> {
    return this.channel.checkedQuery(reservationsQuery, parseInput(ListReservationsInput, filter, 'reservation filter'));
  }

  /** Every page of active reservations (oldest first) matching `filter`. */
  async listAll(filter: Omit<ListReservationsInput, 'limit' | 'after'> = {}): Promise<Reservation[]> {
    const out: Reservation[] = [];
    let after: string | undefined;
    do {
      const page = await this.list({ ...filter, limit: 10_000, ...(after === undefined ? {} : { after }) });
      out.push(...page.reservations);
      after = page.next;
    } while (after !== undefined);
    return out;
  }

  /** One page of the audit trail, newest first page by page (each listed oldest first); `next` goes further back. */
  async audit(filter: AuditInput = {}): Promise<AuditTrail> {
    return this.channel.checkedQuery(reservationAuditQuery, parseInput(AuditInput, filter, 'audit filter'));
  }
}

/** The internal actor of a pattern workflow acting for one of its agents (never exposed by CLI or MCP). */
export function workflowActor(workflowId: string, onBehalfOf: string): Actor {
  return { kind: 'workflow', workflowId, onBehalfOf };
}

/**
 * For worker activities: the reservations of `project` through an existing Temporal client, e.g.
 * `projectReservations(client, project, taskQueue).reserve({ actor: workflowActor(id, agent), ... })`.
 */
export function projectReservations(client: Client, project: string, taskQueue: string): ReservationsClient {
  return new ReservationsClient(new ProjectChannel(client, parseInput(ProjectKey, project, 'project'), taskQueue));
}
