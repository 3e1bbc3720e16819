import { workflowActor } from '../client/reservations';
import { memberCredentialsQuery, recordSuccessUpdate } from '../workflows/project/directory-api';
import type { PatternActivities } from '../patterns/compat/activities-api';
import type { KitActivities } from '../patterns/kit/activities-api';
import { transferUpdate } from '../workflows/project/transfer-api';
import { clientCall as call } from './client-call';
import { runCommand } from './commands';
import type { ActivityDeps } from './deps';

/**
 * Side effects of the pattern workflows: each run's one write per handoff (`transfer`, through the
 * project workflow with the internal workflow actor), credentials for the workflows' own checks, and
 * the plan's commands. The activities of runs started before the kit (reserveForStep, releaseForStep,
 * recordTaskSuccess; notifyMembers is the messages') stay until no such run remains.
 */
export function createPatternActivities({ baton }: ActivityDeps): Omit<PatternActivities, 'notifyMembers'> & KitActivities {
  return {
    async transfer({ project, ...input }) {
      return call(() => baton.project(project).channel.update(transferUpdate, input));
    },

    async reserveForStep(input) {
      return call(async () => {
        const answer = await baton.project(input.project).reservations.reserve({
          actor: workflowActor(input.workflowId, input.agent),
          patterns: input.files,
          exclusive: input.exclusive,
          ttlSeconds: input.ttlSeconds,
          reason: input.reason.slice(0, 280),
          requestId: input.requestId.slice(0, 128),
        });
        if (answer.status === 'granted') return { status: 'granted' as const, ids: answer.reservations.map((r) => r.id) };
        return {
          status: 'conflict' as const,
          conflicts: answer.conflicts.map((c) => ({ pattern: c.pattern, holder: c.holder, heldPattern: c.heldPattern, expiresAt: c.expiresAt, reservationId: c.reservationId })),
        };
      });
    },

    async releaseForStep(input) {
      return call(async () => {
        const result = await baton.project(input.project).reservations.release({ actor: workflowActor(input.workflowId, input.agent), ids: input.ids });
        return { released: result.released.length };
      });
    },

    async fetchCredentials(input) {
      return call(() => baton.project(input.project).channel.query(memberCredentialsQuery, { names: input.names }));
    },

    async recordTaskSuccess(input) {
      await call(() => baton.project(input.project).channel.update(recordSuccessUpdate, { actor: workflowActor(input.workflowId, input.agent) }));
    },

    runCommand,
  };
}
