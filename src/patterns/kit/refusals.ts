import type { RefusedAttempt } from '../../schemas/patterns';
import type { Timeline } from './timeline';

const MAX_KEPT = 100;

/**
 * What the run refused and why (a report from the wrong agent, an agent's approval, a stale decision
 * id, a second claim): recorded so people can see attempts that changed nothing. Bounded.
 */
export class Refusals {
  private readonly refused: RefusedAttempt[];

  constructor(
    private readonly timeline: Timeline,
    carried?: RefusedAttempt[],
  ) {
    this.refused = carried ?? [];
  }

  record(who: string, action: string, reason: string, extra: { decisionId?: string; requestId?: string } = {}): void {
    this.refused.push({ at: new Date(Date.now()).toISOString(), who, action, reason, ...extra });
    if (this.refused.length > MAX_KEPT) this.refused.shift();
    this.timeline.log('refused', `${action} by ${who} refused: ${reason}`, { actor: who });
  }

  view(): RefusedAttempt[] {
    return this.refused;
  }

  snapshot(): RefusedAttempt[] {
    return this.refused;
  }
}
