import * as wf from '@temporalio/workflow';
import type { PatternSignalInput } from '../../schemas/alerts';

/** Implemented in src/activities/alerts.ts; declared here so workflow code imports no activity module. */
export interface AlertActivities {
  reportToProject(input: { project: string; workflowId: string; signal: PatternSignalInput }): Promise<void>;
}

const alertActs = wf.proxyActivities<AlertActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 5 },
});

/**
 * Tell the project workflow's alerts module what a pattern saw (progress, a refused handoff, a missed
 * checkpoint): the project decides whether it is an anti-pattern worth an alert. Best effort: an alert
 * must never stop or fail a pattern. Guarded by a patch marker so histories
 * recorded before this report existed still replay.
 */
export function reportToProject(project: string, workflowId: string, signal: PatternSignalInput): Promise<void> {
  if (!wf.patched('baton-alerts-v1')) return Promise.resolve();
  // Swallows everything, cancellation included: callers fire and forget from update handlers, where
  // an unhandled rejection would fail the workflow task.
  return alertActs.reportToProject({ project, workflowId, signal }).catch(() => undefined);
}
