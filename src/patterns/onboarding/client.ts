import { batonCall } from '../../client/errors';
import type { ProjectChannel } from '../../client/project';
import { parseInput } from '../../domain/validation';
import { PatternsClient, type Identity } from '../client';
import { introduceUpdate, onboardingQuery } from './api';
import { IntroduceInput, type OnboardingView } from './messages';

/** Onboarding's own calls: a human introduces the new agent, anyone reads where the onboarding stands. */
export class OnboardingClient {
  private readonly patterns: PatternsClient;

  constructor(channel: ProjectChannel) {
    this.patterns = new PatternsClient(channel);
  }

  /** A human's introduction, broadcast to the team by the workflow. */
  async introduce(ref: string, me: Identity, text: string) {
    const input = parseInput(IntroduceInput, { by: me.name, text }, 'introduction');
    return this.patterns.report(ref, () => this.handle(ref).executeUpdate(introduceUpdate, { args: [input] }));
  }

  view(ref: string): Promise<OnboardingView> {
    return batonCall(() => this.handle(ref).query(onboardingQuery));
  }

  private handle(ref: string) {
    return this.patterns.handle(ref, 'onboarding');
  }
}
