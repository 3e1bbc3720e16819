import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SessionEnded } from '../schemas/console';
import { BatonKind } from '../search-attributes';
import { consoleSessionWorkflow } from '../workflows/session/session';
import { revokeSessionUpdate } from '../workflows/session/api';
import { batonCall } from './errors';

/** The session workflow of a console sign-in (ids are random, so a closed one is never reused). */
export const sessionWorkflowId = (sid: string) => `baton-console/session/${sid}`;

/**
 * Console sessions as workflows: one per sign-in, running until it expires or its human signs out.
 * `isActive` is the revocation check every Baton server makes (a describe: no worker involved).
 */
export class SessionsClient {
  constructor(
    private readonly temporal: Client,
    private readonly taskQueue: string,
  ) {}

  async start(sid: string, startedBy: string, expiresAt: Date): Promise<void> {
    await batonCall(() =>
      this.temporal.workflow.start(consoleSessionWorkflow, {
        workflowId: sessionWorkflowId(sid),
        taskQueue: this.taskQueue,
        args: [{ sid, startedBy, expiresAt: expiresAt.toISOString() }],
        workflowIdConflictPolicy: 'FAIL',
        // The expiry is the workflow's own timer; this only keeps a stuck one from running forever.
        workflowExecutionTimeout: Math.max(60_000, expiresAt.getTime() - Date.now() + 3_600_000),
        typedSearchAttributes: [{ key: BatonKind, value: 'console-session' }],
        staticSummary: `Console session of ${startedBy} until ${expiresAt.toISOString()}`,
      }),
    );
  }

  /** True while the session runs: not signed out, not expired. */
  async isActive(sid: string): Promise<boolean> {
    try {
      const info = await this.temporal.workflow.getHandle(sessionWorkflowId(sid)).describe();
      return info.status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  /** Sign-out: answers once the session workflow has ended (so every server refuses it from now on). */
  async revoke(sid: string, by: string): Promise<SessionEnded | undefined> {
    try {
      return await this.temporal.workflow.getHandle(sessionWorkflowId(sid)).executeUpdate(revokeSessionUpdate, { args: [{ by }] });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || /already completed/i.test((err as Error).message)) return undefined;
      throw err;
    }
  }
}
