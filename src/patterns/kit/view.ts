import * as wf from '@temporalio/workflow';
import type { PatternState } from '../../schemas/patterns';
import { BatonNeedsHuman, BatonStep, BatonWaitingFor } from '../../search-attributes';
import type { Decisions } from './decisions';
import type { Gates } from './gates';
import type { Timeline } from './timeline';

export interface ViewState {
  /** What the story says it is doing when no wait is open ("parallel work", "starting"). */
  label: string;
  /** The search attributes last written, so an unchanged view writes nothing. */
  shown: string;
}

/**
 * What people see of a run without asking it (the search attributes `baton approvals` and the Web UI
 * filter on, the memo, the details in words), derived from the run's state every time it changes, so
 * it can never say what the state does not: the step is the most recent open wait's (or the story's
 * label), it waits for whom its open waits wait for (and a human once one is escalated), it needs a
 * human while a decision is pending.
 */
export class View {
  private label: string;
  private shown: string;

  constructor(
    private readonly run: { title: string; pattern: string; workflowId: string; state(): PatternState; gates: Gates; decisions: Decisions; timeline: Timeline },
    carried?: ViewState,
  ) {
    this.label = carried?.label ?? 'starting';
    this.shown = carried?.shown ?? JSON.stringify(['starting', [], false]);
  }

  /** The story's own label for what it does between waits. */
  at(label: string): void {
    this.label = label;
    this.refresh();
  }

  get step(): string {
    if (this.run.state() !== 'running') return this.run.state();
    const gates = this.run.gates.list();
    return gates[gates.length - 1]?.step ?? this.run.decisions.pending?.step ?? this.label;
  }

  get waitingFor(): string[] {
    if (this.run.state() !== 'running') return [];
    const gates = this.run.gates.list();
    const who = new Set(gates.flatMap((g) => g.who));
    const decision = this.run.decisions.pending;
    if (decision) for (const w of decision.approvers ?? ['human']) who.add(w);
    if (gates.some((g) => g.escalation)) who.add('human');
    return [...who];
  }

  get needsHuman(): boolean {
    return this.run.state() === 'running' && this.run.decisions.pending !== undefined;
  }

  /** Write what changed to the search attributes and memo; the details in words every time. */
  refresh(): void {
    const step = this.step;
    const waitingFor = this.waitingFor;
    const needsHuman = this.needsHuman;
    const key = JSON.stringify([step, waitingFor, needsHuman]);
    if (key !== this.shown) {
      this.shown = key;
      wf.upsertSearchAttributes([
        { key: BatonStep, value: step },
        { key: BatonWaitingFor, value: waitingFor },
        { key: BatonNeedsHuman, value: needsHuman },
      ]);
      wf.upsertMemo({ decision: this.run.decisions.pending?.question ?? null, decisionId: this.run.decisions.pending?.id ?? null, title: this.run.title });
    }
    wf.setCurrentDetails(this.details(step, waitingFor));
  }

  private details(step: string, waitingFor: string[]): string {
    const lines = [`**${this.run.title}** (${this.run.pattern}) — ${this.run.state()}`, `Step: **${step}**`];
    if (waitingFor.length) lines.push(`Waiting for: ${waitingFor.join(', ')}`);
    const decision = this.run.decisions.pending;
    if (decision) lines.push(`Needs a human decision (${decision.id}): ${decision.question}`, `\`baton approve ${this.run.workflowId} ${decision.id}\` or \`baton reject ${this.run.workflowId} ${decision.id} --reason ...\``);
    for (const g of this.run.gates.list()) if (g.escalation) lines.push(`**Escalated to the humans** (${g.step}): ${g.escalation.text}`);
    const last = this.run.timeline.last;
    if (last) lines.push(`Last: ${last.at} ${last.kind}: ${last.text}`);
    return lines.join('\n\n');
  }

  snapshot(): ViewState {
    return { label: this.label, shown: this.shown };
  }
}
