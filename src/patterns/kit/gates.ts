import * as wf from '@temporalio/workflow';
import { formatDuration } from '../../domain/patterns/duration';
import type { Deadlines, EscalationView } from '../../schemas/patterns';
import type { Timeline } from './timeline';
import type { Notice } from './writes';

/**
 * A wait's progress, kept by the journal when the run continues as new in the middle of it: when its
 * deadlines count from, whether the reminder went out, whether (and why) it was escalated.
 */
export interface GateState {
  clock: number;
  reminded: boolean;
  escalation?: { at: number; text: string };
  /** When `poll` runs next, and how often it ran. */
  pollAt?: number;
  polls: number;
}

export const newGate = (now: number): GateState => ({ clock: now, reminded: false, polls: 0 });

export interface GateSpec {
  step: string;
  /** Whom the wait is for (members, or "human"): the status's "waiting for". */
  who: () => string[];
  /** Without deadlines the wait has no reminder or escalation of its own (a poll may still escalate). */
  deadlines?: Deadlines;
  ready: () => boolean;
  /** A newer sign of life (a progress report) starts the deadlines again and clears the escalation. */
  lastSign?: () => number;
  /** At `reminderAfter`: remind whoever is awaited (`waited`: ms since the clock started). */
  remind: (waited: number) => Promise<void>;
  /** At `escalateAfter`: what the humans are told. */
  escalation: (waited: number) => string;
  /** Whom the escalation is sent for (a member of the project). */
  onBehalfOf?: string;
  /**
   * Something to do now and then while waiting (try a reservation again, ask the directory): first at
   * once, then after `every(polls)` ms. It may answer a reason to escalate now, without waiting for a
   * deadline (a priority reservation that meets a conflict).
   */
  poll?: { every: (polls: number) => number; run: () => Promise<string | void> };
}

interface OpenGate {
  spec: GateSpec;
  state: GateState;
}

/**
 * Every wait of a run with a reminder and an escalation, written once: a wait is a gate; the gates
 * open now say whom the run waits for and why it is escalated (the view derives the status from them,
 * so an escalation shows exactly while its wait lasts). While a gate waits, the leases of open steps
 * are kept alive (`keepAlive`, see leases.ts).
 */
export class Gates {
  private readonly open: OpenGate[] = [];
  /** Set by the run: renew leases before they expire, whatever the run waits for. */
  keepAlive?: { nextAt(): number | undefined; run(): Promise<void> };

  constructor(
    private readonly run: { pattern: string; title: string; workflowId: string; timeline: Timeline; writes: { notify(n: Notice): Promise<unknown> }; changed(): void; freed?(): number },
  ) {}

  /** Open gates, most recent last. */
  list(): { step: string; who: string[]; escalation?: EscalationView }[] {
    return this.open.map((g) => ({
      step: g.spec.step,
      who: g.spec.who(),
      escalation: g.state.escalation && { step: g.spec.step, since: new Date(g.state.escalation.at).toISOString(), text: g.state.escalation.text },
    }));
  }

  /** Wait until `spec.ready()`: reminder, then escalation, then keep waiting (a human now knows). */
  async wait(spec: GateSpec, state: GateState): Promise<void> {
    const gate: OpenGate = { spec, state };
    this.open.push(gate);
    this.run.changed();
    // A wait that polls (for files) also wakes when the project says a lease it met has ended; a word
    // that came while it was polling makes it poll again at once.
    let freedSeen = this.run.freed?.() ?? 0;
    const freed = () => spec.poll !== undefined && (this.run.freed?.() ?? 0) > freedSeen;
    try {
      for (;;) {
        if (spec.ready()) return;
        const sign = spec.lastSign?.();
        if (sign !== undefined && sign > state.clock) {
          state.clock = sign;
          state.reminded = false;
          state.escalation = undefined;
          this.run.changed();
        }
        const deadline = state.escalation || !spec.deadlines ? undefined : state.clock + (state.reminded ? spec.deadlines.escalateAfter : spec.deadlines.reminderAfter);
        if (spec.poll && state.pollAt === undefined) state.pollAt = Date.now();
        const renewAt = this.keepAlive?.nextAt();
        const wakeAt = earliest(deadline, renewAt, state.pollAt);
        const clock = state.clock;
        const moved = () => spec.ready() || (spec.lastSign?.() ?? clock) > clock || freed();
        if (wakeAt === undefined) {
          await wf.condition(moved);
          continue;
        }
        if (wakeAt > Date.now() && (await wf.condition(moved, wakeAt - Date.now()))) {
          if (freed()) {
            freedSeen = this.run.freed?.() ?? 0;
            state.pollAt = Date.now();
          }
          continue;
        }
        const now = Date.now();
        if (renewAt !== undefined && now >= renewAt) await this.keepAlive!.run();
        if (spec.poll && state.pollAt !== undefined && now >= state.pollAt) {
          state.polls += 1;
          state.pollAt = now + Math.max(1000, spec.poll.every(state.polls));
          const urgent = await spec.poll.run();
          if (urgent && urgent !== state.escalation?.text) await this.escalate(gate, urgent);
          continue;
        }
        if (deadline !== undefined && now >= deadline) {
          if (!state.reminded) {
            state.reminded = true;
            await spec.remind(now - state.clock);
          } else {
            await this.escalate(gate, spec.escalation(now - state.clock));
          }
        }
      }
    } finally {
      this.open.splice(this.open.indexOf(gate), 1);
      this.run.changed();
    }
  }

  /** Tell the humans; the status shows the escalation (and why) until the wait ends. */
  private async escalate(gate: OpenGate, text: string): Promise<void> {
    gate.state.escalation = { at: Date.now(), text };
    this.run.timeline.log('escalated', text, { step: gate.spec.step });
    this.run.changed();
    await this.run.writes.notify({
      to: 'humans',
      subject: `[${this.run.pattern}] needs attention: ${this.run.title}`,
      body: `${text}\n\nWorkflow: ${this.run.workflowId}\nStatus: baton status ${this.run.workflowId}\nStop it: baton cancel ${this.run.workflowId} --reason "..."`,
      importance: 'urgent',
      onBehalfOf: gate.spec.onBehalfOf,
      event: { kind: 'escalation', workflowId: this.run.workflowId, pattern: this.run.pattern, title: this.run.title.slice(0, 200), step: gate.spec.step.slice(0, 200), text: text.slice(0, 2000) },
    });
  }
}

function earliest(...times: (number | undefined)[]): number | undefined {
  const known = times.filter((t): t is number => t !== undefined);
  return known.length ? Math.min(...known) : undefined;
}

/** "a reminder after 30m without a report; the humans are told after 2h" */
export function describeDeadlines(d: Deadlines): string {
  return `a reminder after ${formatDuration(d.reminderAfter)} without a report; the humans are told after ${formatDuration(d.escalateAfter)}`;
}
