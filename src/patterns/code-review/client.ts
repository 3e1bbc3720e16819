import type { ProjectChannel } from '../../client/project';
import { parseInput } from '../../domain/validation';
import { ReviewInput, type ReportAck } from '../../schemas/patterns';
import { PatternsClient, type Identity } from '../client';
import { reviewUpdate } from './api';

/** Code Review's own call: the reviewer approves, or requests changes (required vs suggestions). */
export class CodeReviewClient {
  private readonly patterns: PatternsClient;

  constructor(channel: ProjectChannel) {
    this.patterns = new PatternsClient(channel);
  }

  async review(ref: string, me: Identity, review: { verdict: 'approve' | 'request_changes'; required?: string[]; suggestions?: string[]; summary?: string }): Promise<ReportAck> {
    const input = parseInput(ReviewInput, { agent: me.name, ...review }, 'review');
    return this.patterns.report(ref, () => this.patterns.handle(ref, 'code-review').executeUpdate(reviewUpdate, { args: [input] }));
  }
}
