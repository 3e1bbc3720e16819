import { batonCall } from '../../client/errors';
import type { ProjectChannel } from '../../client/project';
import { parseInput } from '../../domain/validation';
import { PatternsClient, type Identity } from '../client';
import { claimUpdate, incidentQuery, postMortemUpdate } from './api';
import { ClaimInput, PostMortemInput, type ClaimResult, type IncidentView } from './messages';

/**
 * Emergency Response's own calls: claim the alert (exactly one agent wins), file the post-mortem that
 * closes it, read the incident (phase, claimant, times). Starting it, reports, the deploy approval and
 * cancel are every pattern's calls (PatternsClient). A bare id names an emergency: `payments-1a2b3c`.
 */
export class EmergencyClient {
  private readonly patterns: PatternsClient;

  constructor(channel: ProjectChannel) {
    this.patterns = new PatternsClient(channel);
  }

  /** Exactly one claim wins; the others fail with CONFLICT "already claimed by X". */
  async claim(ref: string, me: Identity, note?: string): Promise<ClaimResult> {
    const input = parseInput(ClaimInput, { agent: me.name, note }, 'claim');
    return this.patterns.report(ref, () => this.handle(ref).executeUpdate(claimUpdate, { args: [input] }));
  }

  async postMortem(ref: string, me: Identity, pm: { summary: string; rootCause: string; learnings: string[]; followUps?: string[] }) {
    const input = parseInput(PostMortemInput, { agent: me.name, ...pm }, 'post-mortem');
    return this.patterns.report(ref, () => this.handle(ref).executeUpdate(postMortemUpdate, { args: [input] }));
  }

  incident(ref: string): Promise<IncidentView> {
    return batonCall(() => this.handle(ref).query(incidentQuery));
  }

  private handle(ref: string) {
    return this.patterns.handle(ref, 'emergency-response');
  }
}
