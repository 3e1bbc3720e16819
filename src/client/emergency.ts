import { BatonError } from '../domain/errors';
import { checkPattern } from '../domain/reservations/policy';
import { parseInput } from '../domain/validation';
import { ClaimInput, EmergencyPlan, PostMortemInput, type ClaimResult, type EmergencyPlanInput, type IncidentView } from '../schemas/emergency';
import { claimUpdate, incidentQuery, postMortemUpdate } from '../workflows/patterns/emergency-api';
import { AgentsClient } from './agents';
import { batonCall } from './errors';
import { startPatternWorkflow, type StartedRun } from './pattern-start';
import { PatternsClient, type Identity } from './patterns';
import type { ProjectChannel } from './project';

/**
 * Emergency Response: raise the alert (start), claim it (exactly one agent wins), file the post-mortem
 * that closes it, read the incident (phase, claimant, times). Reports (done/fail/progress), the deploy
 * approval and cancel go through PatternsClient like every pattern.
 */
export class EmergencyClient {
  constructor(private readonly channel: ProjectChannel) {}

  private get patterns() {
    return new PatternsClient(this.channel);
  }

  async start(plan: EmergencyPlanInput, options: { startedBy?: string } = {}): Promise<StartedRun> {
    const parsed = parseInput(EmergencyPlan, plan, 'Emergency Response plan');
    for (const f of parsed.files) checkPattern(f);
    if (parsed.responders) {
      const members = new Map((await new AgentsClient(this.channel).list()).map((m) => [m.name.toLowerCase(), m]));
      const missing = parsed.responders.filter((r) => !members.has(r.toLowerCase()));
      if (missing.length) throw new BatonError('NOT_FOUND', `responders: ${missing.join(', ')} not registered in project ${this.channel.project}; \`baton agents\` lists who is here.`);
      const humans = parsed.responders.filter((r) => members.get(r.toLowerCase())!.kind === 'human');
      if (humans.length) throw new BatonError('INVALID_INPUT', `responders: ${humans.join(', ')} ${humans.length === 1 ? 'is a human' : 'are humans'}; agents claim emergencies, humans approve the deploy.`);
    }
    const steps = ['claim', 'fix', parsed.staging ? `staging \`${parsed.staging.command}\`` : 'staging (agent)', 'human approves', parsed.deploy ? `deploy \`${parsed.deploy.command}\`` : 'deploy (agent)', parsed.healthCheck ? `monitor \`${parsed.healthCheck.command}\`` : 'monitor (agent)', 'post-mortem'];
    return startPatternWorkflow(this.channel, 'emergency-response', 'emergencyResponseWorkflow', {
      id: parsed.id,
      title: parsed.title,
      plan,
      startedBy: options.startedBy,
      summary: `EMERGENCY: ${parsed.title}`,
      details: `${parsed.description}\n\nFiles: ${parsed.files.join(', ')}\n\n${steps.join(' -> ')}`,
    });
  }

  /** Exactly one claim wins; the others fail with CONFLICT "already claimed by X". */
  async claim(ref: string, me: Identity, note?: string): Promise<ClaimResult> {
    const input = parseInput(ClaimInput, { agent: me.name, note }, 'claim');
    return batonCall(() => this.handle(ref).executeUpdate(claimUpdate, { args: [input] }));
  }

  async postMortem(ref: string, me: Identity, pm: { summary: string; rootCause: string; learnings: string[]; followUps?: string[] }) {
    const input = parseInput(PostMortemInput, { agent: me.name, ...pm }, 'post-mortem');
    return batonCall(() => this.handle(ref).executeUpdate(postMortemUpdate, { args: [input] }));
  }

  incident(ref: string): Promise<IncidentView> {
    return batonCall(() => this.handle(ref).query(incidentQuery));
  }

  private handle(ref: string) {
    return this.channel.client.workflow.getHandle(this.patterns.workflowId(ref.startsWith('baton/') || ref.includes('/') ? ref : `emergency-response/${ref}`));
  }
}
