import { BatonError } from '../domain/errors';
import { parseInput } from '../domain/validation';
import { IntroduceInput, OnboardingPlan, type OnboardingPlanInput, type OnboardingView } from '../schemas/onboarding';
import { introduceUpdate, onboardingQuery } from '../workflows/patterns/onboarding-api';
import { AgentsClient } from './agents';
import { batonCall } from './errors';
import { startPatternWorkflow, type StartedRun } from './pattern-start';
import { PatternsClient, type Identity } from './patterns';
import type { ProjectChannel } from './project';

export type OnboardingRequest = Omit<OnboardingPlanInput, 'title'> & { title?: string };

/** Onboarding a new agent: start it, a human introduces the agent, anyone reads where it stands. */
export class OnboardingClient {
  constructor(private readonly channel: ProjectChannel) {}

  async start(request: OnboardingRequest, options: { startedBy?: string } = {}): Promise<StartedRun> {
    const plan = { ...request, title: request.title ?? `Onboarding ${request.agent}` };
    const parsed = parseInput(OnboardingPlan, plan, 'Onboarding plan');
    const members = new Map((await new AgentsClient(this.channel).list()).map((m) => [m.name.toLowerCase(), m]));
    const agent = members.get(parsed.agent.toLowerCase());
    const lead = members.get(parsed.lead.toLowerCase());
    if (!agent) throw new BatonError('NOT_FOUND', `agent: ${parsed.agent} is not registered in project ${this.channel.project}; the new agent registers first (baton register).`);
    if (!lead) throw new BatonError('NOT_FOUND', `lead: ${parsed.lead} is not registered in project ${this.channel.project}.`);
    if (agent.kind !== 'agent') throw new BatonError('INVALID_INPUT', `agent: ${agent.name} is a human; onboarding is for agents.`);
    if (agent.name.toLowerCase() === lead.name.toLowerCase()) throw new BatonError('INVALID_INPUT', 'lead: a new agent cannot lead its own onboarding.');
    if (lead.kind === 'agent' && lead.trust !== 'trusted') throw new BatonError('INVALID_INPUT', `lead: ${lead.name} is a new agent (${lead.successfulTasks} successful tasks); the lead reviews the starter task, so pick a trusted agent or a human.`);
    return startPatternWorkflow(this.channel, 'onboarding', 'onboardingWorkflow', {
      id: parsed.id,
      title: parsed.title,
      plan,
      startedBy: options.startedBy,
      summary: `Onboarding: ${agent.name} (lead ${lead.name})`,
      details: `Introduction by a human -> starter task "${parsed.starterTask.task}" reviewed by ${lead.name} -> trusted after the project's trustAfterTasks successful tasks`,
    });
  }

  /** A human's introduction, broadcast to the team by the workflow. */
  async introduce(ref: string, me: Identity, text: string) {
    const input = parseInput(IntroduceInput, { by: me.name, text }, 'introduction');
    return batonCall(() => this.handle(ref).executeUpdate(introduceUpdate, { args: [input] }));
  }

  view(ref: string): Promise<OnboardingView> {
    return batonCall(() => this.handle(ref).query(onboardingQuery));
  }

  private handle(ref: string) {
    return this.channel.client.workflow.getHandle(new PatternsClient(this.channel).workflowId(ref.includes('/') ? ref : `onboarding/${ref}`));
  }
}
