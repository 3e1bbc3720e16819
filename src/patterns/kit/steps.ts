import { formatDuration } from '../../domain/patterns/duration';
import type { HandoffNote, StepRecord } from '../../schemas/patterns';
import type { Timeline } from './timeline';

/** The steps of a run as the result and `baton status` list them: who, tries, outcome, handoff. */
export class Steps {
  private readonly records: StepRecord[];

  constructor(
    private readonly timeline: Timeline,
    carried?: StepRecord[],
  ) {
    this.records = carried ?? [];
  }

  /** Returns the step's index (its handle for attempt/end). */
  begin(name: string, agent: string): number {
    this.records.push({ name, agent, startedAt: new Date(Date.now()).toISOString(), attempts: 0, outcome: 'running' });
    this.timeline.log('step-started', `${agent} takes step "${name}"`, { step: name, actor: agent });
    return this.records.length - 1;
  }

  attempt(index: number): number {
    return (this.records[index]!.attempts += 1);
  }

  end(index: number, outcome: StepRecord['outcome'], report?: { summary?: string; handoff?: HandoffNote }): void {
    const rec = this.records[index]!;
    const now = Date.now();
    rec.endedAt = new Date(now).toISOString();
    rec.durationMs = now - Date.parse(rec.startedAt);
    rec.outcome = outcome;
    if (report?.summary) rec.summary = report.summary;
    if (report?.handoff) rec.handoff = report.handoff;
    this.timeline.log('step-finished', `step "${rec.name}" ${outcome} after ${formatDuration(rec.durationMs)}`, { step: rec.name, actor: rec.agent });
  }

  get(index: number): StepRecord {
    return this.records[index]!;
  }

  /** Steps still running when the run ends are closed as cancelled or failed. */
  endRunning(outcome: 'cancelled' | 'failed'): void {
    this.records.forEach((rec, i) => {
      if (rec.outcome === 'running') this.end(i, outcome);
    });
  }

  /** Everyone who had a step, each once. */
  people(): string[] {
    return [...new Set(this.records.map((r) => r.agent).filter((a) => a !== 'baton'))];
  }

  view(): StepRecord[] {
    return this.records;
  }

  snapshot(): StepRecord[] {
    return this.records;
  }
}
