import * as wf from '@temporalio/workflow';
import { isErrorCode } from '../../domain/errors';
import { patternKey } from '../../domain/reservations/glob';
import type { WorkflowActor } from '../../schemas/actor';
import { TransferInput, type TransferRequest, type TransferResult } from '../../schemas/transfer';
import { batonFailure, parseOrFail, toFailure } from '../failure';
import { reportSignalUpdate } from './alerts-api';
import { contactApproveUpdate, notifyUpdate, sendUpdate } from './messages-api';
import type { ProjectContext } from './module';
import { releaseUpdate, renewUpdate, reserveUpdate } from './reservations-api';
import { transferUpdate } from './transfer-api';

/**
 * A step's agent lacks only what its own leases do not cover (a held `src/api/**` covers the step's
 * `src/api/users.ts`: nothing to take). Runs from before compared patterns by spelling (patched).
 */
export const STEP_COVERAGE_PATCH = 'baton-step-coverage-v1';

/** Answers of recent transfers by id: an activity retried after its update went through gets the same answer. */
const RECENT_KEPT = 500;

/**
 * The `transfer` operation: a pattern run's one write per handoff (schema and order in
 * src/schemas/transfer.ts). It adds no state of its own beyond the answers of recent transfers: each
 * part is one of the project's operations, applied through `ctx.operations` with that operation's own
 * checks, so a transfer refuses what the parts would refuse. Batchable like every operation.
 */
export function defineTransfer(ctx: ProjectContext): void {
  const recent = new Map<string, Promise<TransferResult>>();
  const byCoverage = wf.patched(STEP_COVERAGE_PATCH);
  const ops = ctx.operations;
  const as = (actor: WorkflowActor, onBehalfOf: string): WorkflowActor => ({ kind: 'workflow', workflowId: actor.workflowId, onBehalfOf });

  const check = (input: TransferRequest): void => {
    if (input.actor.kind !== 'workflow') throw batonFailure('FORBIDDEN', 'Transfers come from pattern workflows only.');
    if (recent.has(input.transferId)) return;
    ctx.directory.authenticateActor(input.actor);
    const { reserve, notice, message } = input;
    if (reserve) ops.check(reserveUpdate, { ...reserve, actor: as(input.actor, reserve.holder) });
    if (notice) ops.check(notifyUpdate, { ...notice, actor: as(input.actor, notice.onBehalfOf ?? input.actor.onBehalfOf) });
    if (message) ops.check(sendUpdate, { ...message, actor: as(input.actor, message.from) });
  };

  /** The ids of `ids` the holder still holds (a renew's check: it refuses an id that expired or was released). */
  const held = (actor: WorkflowActor, ids: string[]): string[] =>
    ids.filter((id) => {
      try {
        ops.check(renewUpdate, { actor, ids: [id], ttlSeconds: 60 });
        return true;
      } catch (err) {
        const failure = toFailure(err);
        if (isErrorCode(failure.type) && failure.type === 'NOT_FOUND') return false;
        throw failure;
      }
    });

  /** The requested patterns the holder's own leases cover whole, those leases' patterns, and all its own leases over them. */
  const ownCover = (holder: string, patterns: string[], exclusive: boolean) => {
    const { covered, by, overlapping } = ctx.reservations.ownCoverage(holder, patterns, exclusive, Date.now());
    return { kept: covered, keptBy: by, own: overlapping };
  };
  /** Runs from before STEP_COVERAGE_PATCH: only a lease on the same pattern (by its spelling) counted. */
  const sameSpelling = (holder: string, patterns: string[]) => {
    const mine = new Set(ctx.reservations.activeLeases(Date.now()).filter((l) => l.holder.toLowerCase() === holder.toLowerCase()).map((l) => patternKey(l.pattern)));
    const kept = patterns.filter((p) => mine.has(patternKey(p)));
    return { kept, keptBy: kept, own: kept };
  };

  const apply = async (input: TransferRequest): Promise<TransferResult> => {
    const result: TransferResult = { released: [], renewed: [], lost: [] };
    for (const { holder, ids } of input.release) {
      if (!ids.length) continue;
      const { released } = await ops.apply(releaseUpdate, { actor: as(input.actor, holder), ids });
      const gone = new Set(released.map((r) => r.id));
      result.released.push(...gone);
      result.lost.push(...ids.filter((id) => !gone.has(id)));
    }
    for (const { holder, ids, ttlSeconds } of input.renew) {
      const actor = as(input.actor, holder);
      const alive = held(actor, ids);
      result.lost.push(...ids.filter((id) => !alive.includes(id)));
      if (alive.length) result.renewed.push(...(await ops.apply(renewUpdate, { actor, ids: alive, ttlSeconds })).renewed.map((r) => ({ id: r.id, expiresAt: r.expiresAt })));
    }
    for (const { holder, ids } of input.check) {
      const alive = held(as(input.actor, holder), ids);
      result.lost.push(...ids.filter((id) => !alive.includes(id)));
    }
    if (input.reserve) {
      const { holder, patterns, ...request } = input.reserve;
      // What the holder already holds stays as it is, its own: the step neither extends nor releases it.
      const { kept, keptBy, own } = byCoverage ? ownCover(holder, patterns, request.exclusive) : sameSpelling(holder, patterns);
      const lacking = patterns.filter((p) => !kept.includes(p));
      if (lacking.length === 0) result.reserve = { status: 'granted', granted: [], kept, keptBy, own };
      else {
        const answer = await ops.apply(reserveUpdate, { ...request, patterns: lacking, actor: as(input.actor, holder) });
        result.reserve = answer.status === 'granted' ? { status: 'granted', granted: answer.reservations, kept, keptBy, own } : { status: 'conflict', conflicts: answer.conflicts };
      }
    }
    // The notice says the files are held for its reader: it goes only if they are.
    if (input.notice && result.reserve?.status !== 'conflict') {
      const { onBehalfOf, ...notice } = input.notice;
      result.notice = await ops.apply(notifyUpdate, { ...notice, actor: as(input.actor, onBehalfOf ?? input.actor.onBehalfOf) });
    }
    if (input.message) {
      const { from, ...message } = input.message;
      result.message = await ops.apply(sendUpdate, { ...message, actor: as(input.actor, from) });
    }
    for (const [a, b] of input.contacts) {
      await ops.apply(contactApproveUpdate, { actor: as(input.actor, a), name: b });
      await ops.apply(contactApproveUpdate, { actor: as(input.actor, b), name: a });
    }
    for (const name of input.credit) ctx.directory.recordSuccess?.(name);
    for (const name of input.touch) ctx.directory.touch?.(name);
    for (const signal of input.signals) await ops.apply(reportSignalUpdate, { actor: as(input.actor, signal.agent), workflowId: input.actor.workflowId, signal });
    return result;
  };

  ops.define(transferUpdate, {
    validate: (raw) => check(parseOrFail(TransferInput, raw, 'transfer')),
    handle: (raw) => {
      const input = parseOrFail(TransferInput, raw, 'transfer');
      const known = recent.get(input.transferId);
      if (known) return known;
      check(input);
      const answer = apply(input);
      recent.set(input.transferId, answer);
      if (recent.size > RECENT_KEPT) recent.delete(recent.keys().next().value!);
      return answer;
    },
  });
}
