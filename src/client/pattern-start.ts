import { randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { BatonError } from '../domain/errors';
import { patternWorkflowId } from '../domain/ids';
import type { AnyPatternName } from '../schemas/patterns';
import { BatonKind, BatonNeedsHuman, BatonProject, BatonStep, BatonWaitingFor } from '../search-attributes';
import { toBatonError } from './errors';
import type { ProjectChannel } from './project';

export interface StartedRun {
  workflowId: string;
  runId: string;
  pattern: AnyPatternName;
  title: string;
}

/**
 * Start one of the second issue's pattern workflows the way PatternsClient starts the first three: the
 * id baton/<project>/<pattern>/<id>, the search attributes `baton approvals` and the Web UI filter on,
 * and a summary in words. The caller has validated the plan.
 */
export async function startPatternWorkflow(
  channel: ProjectChannel,
  pattern: AnyPatternName,
  workflowType: string,
  request: { id?: string; title: string; plan: unknown; startedBy?: string; summary: string; details: string },
): Promise<StartedRun> {
  const id = request.id ?? `${slug(request.title)}-${randomBytes(3).toString('hex')}`;
  const workflowId = patternWorkflowId(channel.project, pattern, id);
  try {
    const handle = await channel.client.workflow.start(workflowType, {
      workflowId,
      taskQueue: channel.taskQueue,
      args: [{ project: channel.project, plan: request.plan, startedBy: request.startedBy }],
      workflowIdConflictPolicy: 'FAIL',
      typedSearchAttributes: [
        { key: BatonProject, value: channel.project },
        { key: BatonKind, value: pattern },
        { key: BatonStep, value: 'starting' },
        { key: BatonWaitingFor, value: [] },
        { key: BatonNeedsHuman, value: false },
      ],
      memo: { title: request.title },
      staticSummary: request.summary.length > 200 ? request.summary.slice(0, 197) + '...' : request.summary,
      staticDetails: request.details,
    });
    return { workflowId, runId: handle.firstExecutionRunId, pattern, title: request.title };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new BatonError('ALREADY_EXISTS', `A ${pattern} with id "${id}" already exists in project ${channel.project}; pick another id or omit it.`);
    }
    throw toBatonError(err);
  }
}

export function slug(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'run'
  );
}
