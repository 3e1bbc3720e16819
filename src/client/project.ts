import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { UpdateDefinition, QueryDefinition } from '@temporalio/common';
import { projectWorkflowId } from '../domain/ids';
import type { ProjectSettingsInput } from '../schemas/project';
import { projectWorkflow } from '../workflows/project/project';
import { BatonProject, BatonKind } from '../search-attributes';
import { batonCall } from './errors';
import { BatonError } from '../domain/errors';
import type { Checked } from '../workflows/failure';

/**
 * Low-level access to one project's workflow. Every update goes through update-with-start, so a
 * project exists from its first use; nobody has to create it first.
 */
export class ProjectChannel {
  constructor(
    readonly client: Client,
    readonly project: string,
    readonly taskQueue: string,
    readonly settings: ProjectSettingsInput = {},
  ) {}

  get workflowId(): string {
    return projectWorkflowId(this.project);
  }

  handle() {
    return this.client.workflow.getHandle(this.workflowId);
  }

  private startOperation() {
    return new WithStartWorkflowOperation(projectWorkflow, {
      workflowId: this.workflowId,
      taskQueue: this.taskQueue,
      args: [{ project: this.project, settings: this.settings, generation: 0 }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: BatonProject, value: this.project },
        { key: BatonKind, value: 'project' },
      ],
      staticSummary: `Baton project ${this.project}: reservations and agent directory`,
    });
  }

  update<Ret, Args extends unknown[]>(def: UpdateDefinition<Ret, Args>, ...args: Args): Promise<Ret> {
    return batonCall(() =>
      this.client.workflow.executeUpdateWithStart(def, { args, startWorkflowOperation: this.startOperation() }),
    );
  }

  query<Ret, Args extends unknown[]>(def: QueryDefinition<Ret, Args>, ...args: Args): Promise<Ret> {
    return batonCall(async () => {
      try {
        return await this.handle().query(def, ...args);
      } catch (err) {
        // A project nobody has used yet: start it so reads answer with its (empty) state.
        if ((err as Error).name === 'WorkflowNotFoundError') {
          await this.client.workflow.executeUpdateWithStart('ping', { args: [{}], startWorkflowOperation: this.startOperation() });
          return await this.handle().query(def, ...args);
        }
        throw err;
      }
    });
  }

  /** A query answering with a Checked envelope: unwraps it, throwing the BatonError it carries. */
  async checkedQuery<Ret, Args extends unknown[]>(def: QueryDefinition<Checked<Ret>, Args>, ...args: Args): Promise<Ret> {
    const answer = await this.query(def, ...args);
    if (!answer.ok) throw new BatonError(answer.code, answer.message);
    return answer.value;
  }
}
