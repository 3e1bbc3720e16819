import type { BatonClient } from '../client';
import { hashToken } from '../domain/agents/token-hash';
import { BatonError } from '../domain/errors';
import { Token } from '../schemas/actor';
import type { Registration } from '../schemas/agents';
import type { InitProjectRequest } from '../schemas/api';
import type { ProjectEnded } from '../schemas/project';
import { tokenOwnerQuery } from '../workflows/project/directory-api';
import type { z } from 'zod';

/**
 * Creating, ending and re-creating projects: the only places where a project workflow starts or ends.
 * Nothing here happens implicitly (README, "Projects never reset silently").
 */
export class ProjectLifecycle {
  constructor(private readonly baton: BatonClient) {}

  /**
   * `baton init`: a new key gets its first human. An ended key is re-created only with `replace`, by a
   * human of the ended project (their bearer token, checked against the ended run's directory); its
   * leftovers (mailboxes, pattern runs) are ended first so no mail or lease crosses over.
   */
  async init(request: z.output<typeof InitProjectRequest>, authorization: string | undefined): Promise<Registration & { project: string; replaced: boolean }> {
    const project = this.baton.project(request.project);
    const state = await project.state();
    if (state.status === 'running') {
      throw new BatonError('ALREADY_EXISTS', `Project ${request.project} already exists; its humans invite you (\`baton invite\`), agents join with \`baton register --project ${request.project}\`.`);
    }
    if (state.status === 'missing') {
      if (request.replace) throw new BatonError('INVALID_INPUT', `replace: project ${request.project} never existed; leave --replace out to create it.`);
      return { ...(await this.baton.initProject(request.project, { human: request.human, settings: request.settings })), project: request.project, replaced: false };
    }
    if (!request.replace) throw project.channel.absent(state);
    const by = await this.humanOfEndedRun(request.project, state.runId, authorization);
    await this.endLeftovers(request.project, `project ${request.project} was replaced by ${by}`);
    const registration = await this.baton.initProject(request.project, { human: request.human, settings: request.settings, replacing: { by, endedRunId: state.runId } });
    return { ...registration, project: request.project, replaced: true };
  }

  /** After a human shut the project down: its mailboxes and running pattern runs end too. */
  async afterShutdown(ended: ProjectEnded): Promise<void> {
    await this.endLeftovers(ended.project, `project ${ended.project} was shut down by ${ended.endedBy}: ${ended.reason}`);
  }

  private async humanOfEndedRun(key: string, runId: string, authorization: string | undefined): Promise<string> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token || !Token.safeParse(token).success) {
      throw new BatonError('UNAUTHORIZED', `Re-creating project ${key} takes a human of the ended project: send that human's token (\`baton init --replace\` uses your \`baton login\`).`);
    }
    const owner = await this.baton.project(key).channel.queryRun(runId, tokenOwnerQuery, { tokenHash: hashToken(token) });
    if (!owner) throw new BatonError('UNAUTHORIZED', `This token belongs to no member of the ended project ${key}.`);
    if (owner.kind !== 'human' || owner.retired) throw new BatonError('FORBIDDEN', `${owner.name} was ${owner.retired ? 'retired' : 'an agent'} in the ended project ${key}; only one of its humans may re-create it.`);
    return owner.name;
  }

  private async endLeftovers(key: string, reason: string): Promise<void> {
    const temporal = this.baton.temporal;
    const query = `BatonProject = '${key.replace(/'/g, "\\'")}' AND ExecutionStatus = 'Running' AND BatonKind != 'project'`;
    for await (const info of temporal.workflow.list({ query })) {
      await temporal.workflow
        .getHandle(info.workflowId, info.runId)
        .terminate(reason)
        .catch(() => undefined);
    }
  }
}

