import { workflowActor } from '../client/reservations';
import type { AlertActivities } from '../workflows/alerts/report';
import { reportSignalUpdate } from '../workflows/project/alerts-api';
import { clientCall } from './client-call';
import type { ActivityDeps } from './deps';

/** What pattern workflows tell the project's alerts module (progress, refused handoffs, missed checkpoints). */
export function createAlertActivities({ baton }: ActivityDeps): AlertActivities {
  return {
    async reportToProject({ project, workflowId, signal }) {
      await clientCall(() => baton.project(project).channel.update(reportSignalUpdate, { actor: workflowActor(workflowId, signal.agent), workflowId, signal }));
    },
  };
}
