import { BatonError } from '../domain/errors';
import { checkDisjointFiles, checkReviewer } from '../domain/patterns/plan';
import { parseInput } from '../domain/validation';
import { FullStackPlan, type FullStackPlanInput } from '../schemas/full-stack';
import { AgentsClient } from './agents';
import { member } from '../schemas/actor';
import { startPatternWorkflow, type StartedRun } from './pattern-start';
import type { Identity } from './patterns';
import type { ProjectChannel } from './project';

/**
 * Full-Stack Feature: a human starts it (and so broadcasts the plan). Reports, approvals and status of
 * it and of its child workflows go through PatternsClient.
 */
export class FullStackClient {
  constructor(private readonly channel: ProjectChannel) {}

  async start(plan: FullStackPlanInput, human: Identity): Promise<StartedRun> {
    const parsed = parseInput(FullStackPlan, plan, 'Full-Stack Feature plan');
    const agentsClient = new AgentsClient(this.channel);
    const me = await agentsClient.whoami(member(human.name, human.epoch));
    if (me.kind !== 'human') throw new BatonError('FORBIDDEN', `${me.name} is an agent; a human broadcasts the plan of a full-stack feature (start it with a human's credentials).`);
    const author = parsed.reviewAuthor ?? parsed.backend.agent;
    checkReviewer(author, parsed.reviewer);
    checkDisjointFiles([parsed.backend, parsed.frontend]);
    const members = new Map((await agentsClient.list()).map((m) => [m.name.toLowerCase(), m]));
    const agents = [...new Set([parsed.database.agent, parsed.backend.agent, parsed.frontend.agent, parsed.test.agent, author])];
    const missing = [...agents, parsed.reviewer].filter((n) => !members.has(n.toLowerCase()));
    if (missing.length) throw new BatonError('NOT_FOUND', `The plan names ${missing.join(', ')}, not registered in project ${this.channel.project}; \`baton agents\` lists who is here.`);
    const reviewer = members.get(parsed.reviewer.toLowerCase())!;
    if (reviewer.kind === 'agent' && reviewer.trust !== 'trusted') throw new BatonError('INVALID_INPUT', `reviewer: ${reviewer.name} is a new agent; reviewers are trusted agents or humans.`);
    if (parsed.requireTrusted) {
      const untrusted = agents.filter((a) => members.get(a.toLowerCase())!.kind === 'agent' && members.get(a.toLowerCase())!.trust !== 'trusted');
      if (untrusted.length) throw new BatonError('INVALID_INPUT', `Complex work is for trusted agents: ${untrusted.join(', ')} ${untrusted.length === 1 ? 'is' : 'are'} new (trust comes from successful tasks, e.g. through Onboarding); or set requireTrusted: false.`);
    }
    return startPatternWorkflow(this.channel, 'full-stack-feature', 'fullStackFeatureWorkflow', {
      id: parsed.id,
      title: parsed.title,
      plan,
      startedBy: me.name,
      summary: `Full-Stack Feature: ${parsed.title}`,
      details: `Database ${parsed.database.agent} -> Backend ${parsed.backend.agent} + Frontend ${parsed.frontend.agent} (Parallel Development) -> E2E ${parsed.test.agent} -> Code Review ${author} / ${parsed.reviewer}`,
    });
  }
}
