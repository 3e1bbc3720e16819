import * as wf from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import { checkHandoff } from '../../domain/patterns/handoff';
import { DoneInput, FailInput, ProgressInput, type HandoffNote, type PatternStatus, type ReportAck } from '../../schemas/patterns';
import { batonFailure, parseOrFail } from '../../workflows/failure';
import { doneUpdate, failUpdate, progressUpdate } from './api';
import type { Leases } from './leases';
import type { Members } from './members';
import type { Refusals } from './refusals';
import type { Timeline } from './timeline';
import type { ProjectWrites } from './writes';

export type ReportKind = 'progress' | 'done' | 'fail' | 'review';

export type Report =
  | { kind: 'done'; at: number; summary: string; handoff?: HandoffNote }
  | { kind: 'fail'; at: number; reason: string }
  | { kind: 'review'; at: number; verdict: 'approve' | 'request_changes'; required: string[]; suggestions: string[]; summary?: string };

export type DoneReport = Extract<Report, { kind: 'done' }>;

/** An open step of one agent: only this agent may report on it, with the kinds it accepts. */
export interface Assignment {
  step: string;
  agent: string;
  accepts: ReportKind[];
  expectHandoff: boolean;
  openedAt: number;
  lastProgressAt: number;
  progressNotes: number;
  /** The task was sent: `status.assigned` lists it (a fast agent's report is accepted even before). */
  ready: boolean;
  /** What a `done` leads to, said in the answer to it ("... is told"); what happens to leases is said apart. */
  onDone: string;
  /** The step's own leases go at `done`: the answer says which, and which of the agent's own it keeps. */
  releases?: boolean;
  /** The agent's own leases (held before the step) over the step's files: never released by the step. */
  own?: string[];
  report?: Report;
}

export interface ReportsState {
  open: Assignment[];
  refusedHandoffs: Record<string, number>;
  signsAt: [string, number][];
}

/** A sign of life reaches the project (LAST ACTIVE, alerts, lease renewal) at most this often per agent. */
const SIGN_OF_LIFE_EVERY_MS = 60_000;

/**
 * Agents' reports (updates): progress, done, fail, and a pattern's own kinds (Code Review's review).
 * Validators let only the agent of an open step report, with a kind its step accepts; a done step
 * needs a handoff that says what, where and how to test (refused in the handler, so the refusal is
 * recorded and counted). A report is a sign of life: the agent's LAST ACTIVE moves, the project's
 * silent-work alert hears of it, and the step's leases are renewed. Owns the open steps.
 */
export class Reports {
  private readonly open = new Map<string, Assignment>();
  private readonly refusedHandoffs: Record<string, number>;
  private readonly signsAt: Map<string, number>;
  /** Handlers wait until the run is live (see PatternRun.install): a pattern's own kinds too. */
  private readonly handlers: (() => void)[] = [];
  private installed = false;

  constructor(
    private readonly run: {
      workflowId: string;
      /** Validators: throws when the run takes no update now (it ended, or it is moving to a new run). */
      admit(): void;
      /** Handlers: counts an accepted update (the run continues as new long before Temporal's limit). */
      accept(kind: string): void;
      members: Members;
      refusals: Refusals;
      timeline: Timeline;
      writes: ProjectWrites;
      leases: Leases;
      changed(): void;
    },
    carried?: ReportsState,
  ) {
    for (const a of carried?.open ?? []) this.open.set(a.agent.toLowerCase(), a);
    this.refusedHandoffs = carried?.refusedHandoffs ?? {};
    this.signsAt = new Map(carried?.signsAt ?? []);
  }

  install(): void {
    this.installed = true;
    for (const install of this.handlers.splice(0)) install();
    this.define(progressUpdate, ProgressInput, 'progress report', 'progress', (a, input) => {
      a.lastProgressAt = Date.now();
      a.progressNotes += 1;
      this.run.timeline.log('progress', input.note, { step: a.step, actor: a.agent });
      this.signOfLife(a.agent);
      return 'Progress noted.';
    });
    this.define(doneUpdate, DoneInput, 'done report', 'done', (a, input) => {
      if (a.expectHandoff) {
        const check = checkHandoff(input.handoff);
        if (!check.ok) {
          // Refused here, not in the validator, so the refusal is recorded: unclear handoffs are counted.
          this.refusedHandoffs[a.agent] = (this.refusedHandoffs[a.agent] ?? 0) + 1;
          this.run.timeline.log('handoff-refused', check.message, { step: a.step, actor: a.agent });
          this.run.refusals.record(a.agent, 'done', check.message);
          this.send({ signals: [{ kind: 'handoff-refused', agent: a.agent, step: a.step, missing: check.missing.map((m) => m.field) }] });
          throw batonFailure('INVALID_INPUT', check.message, { missing: check.missing });
        }
      }
      a.report = { kind: 'done', at: Date.now(), summary: input.summary, handoff: input.handoff };
      this.run.timeline.log('done', input.summary, { step: a.step, actor: a.agent });
      this.run.writes.touchLater(a.agent);
      return `Done accepted; ${a.releases ? `${this.leaseNote(a)} ` : ''}${a.onDone}`;
    });
    this.define(failUpdate, FailInput, 'failure report', 'fail', (a, input) => {
      a.report = { kind: 'fail', at: Date.now(), reason: input.reason };
      this.run.timeline.log('failed', input.reason, { step: a.step, actor: a.agent });
      this.run.writes.touchLater(a.agent);
      return 'Failure noted; the plan decides whether it comes back to you or goes to a human.';
    });
  }

  /**
   * A report kind of the pattern's own (Code Review's `review`): validated like every report, then
   * `take` records it and answers the agent.
   */
  define<S extends z.ZodType<{ agent: string }>>(update: UpdateDefinition<ReportAck, [z.input<S>]>, schema: S, what: string, kind: ReportKind, take: (a: Assignment, input: z.output<S>) => string): void {
    if (!this.installed) {
      this.handlers.push(() => this.define(update, schema, what, kind, take));
      return;
    }
    wf.setHandler(
      update,
      (raw) => {
        const input = parseOrFail(schema, raw, what);
        const a = this.checkReporter(input.agent, kind);
        this.run.accept(kind);
        const message = take(a, input);
        this.run.changed();
        return { workflowId: this.run.workflowId, step: a.step, accepted: true as const, message };
      },
      { validator: (raw) => void this.checkReporter(parseOrFail(schema, raw, what).agent, kind) },
    );
  }

  /**
   * What a `done` does to leases, exactly: the step's own leases are released with the handoff (only
   * those), and the agent's leases from before stay its own, said so it does not think the files free.
   */
  private leaseNote(a: Assignment): string {
    const taken = this.run.leases.patternsOf(a.step, a.agent);
    const released = taken.length ? `the step's ${taken.length === 1 ? 'lease' : 'leases'} on ${taken.join(', ')} ${taken.length === 1 ? 'is' : 'are'} released with the handoff` : 'the step took no lease, so none is released';
    const own = a.own ?? [];
    const kept = own.length ? `; you still hold your own ${own.length === 1 ? 'lease' : 'leases'} on ${own.join(', ')} over the step's files (the step never releases a lease you held before it: \`baton release --pattern ${own.map((p) => JSON.stringify(p)).join(' ')}\` when you are done with ${own.length === 1 ? 'it' : 'them'})` : '';
    return `${released}${kept};`;
  }

  /** Validators call this too: it only reads. */
  private checkReporter(agent: string, kind: ReportKind): Assignment {
    this.run.admit();
    const a = this.open.get(agent.toLowerCase());
    if (!a) throw batonFailure('FORBIDDEN', `${agent} has no open step in ${this.run.workflowId}; only the assigned agent may report (${this.waitingText()}).`);
    if (this.run.members.get(a.agent)?.retired) throw batonFailure('FORBIDDEN', `${a.agent} is retired; a human reassigns the step (baton cancel, then start again).`);
    if (!a.accepts.includes(kind)) throw batonFailure('INVALID_STATE', `Step "${a.step}" expects ${a.accepts.filter((k) => k !== 'progress').join(' or ')} from ${a.agent}, not ${kind}.`);
    if (a.report && kind !== 'progress') throw batonFailure('INVALID_STATE', `${a.agent} already reported on step "${a.step}".`);
    return a;
  }

  private waitingText(): string {
    const open = [...this.open.values()];
    return open.length ? `open steps: ${open.map((a) => `"${a.step}" (${a.agent})`).join(', ')}` : 'no step is open right now';
  }

  /** Open a step for an agent's reports (progress and `accepts`). */
  openFor(step: string, agent: string, accepts: ReportKind[], options: { expectHandoff: boolean; onDone: string; ready: boolean; releases?: boolean; own?: string[] }): Assignment {
    const now = Date.now();
    const a: Assignment = { step, agent, accepts: ['progress', ...accepts], expectHandoff: options.expectHandoff, openedAt: now, lastProgressAt: now, progressNotes: 0, ready: options.ready, onDone: options.onDone };
    if (options.releases) a.releases = true;
    if (options.own?.length) a.own = options.own;
    this.open.set(agent.toLowerCase(), a);
    this.run.changed();
    return a;
  }

  /** The open step of `agent` (the one the run holds for it), if any. */
  of(agent: string): Assignment | undefined {
    return this.open.get(agent.toLowerCase());
  }

  close(a: Assignment): void {
    if (this.open.get(a.agent.toLowerCase()) === a) this.open.delete(a.agent.toLowerCase());
    this.run.changed();
  }

  closeAll(): void {
    this.open.clear();
    this.run.changed();
  }

  /**
   * A report is a sign of life: at most once a minute per agent, one write moves the agent's LAST
   * ACTIVE, tells the alerts module, and renews (or checks) the step's leases.
   */
  private signOfLife(agent: string): void {
    const now = Date.now();
    if (now - (this.signsAt.get(agent.toLowerCase()) ?? -Infinity) < SIGN_OF_LIFE_EVERY_MS) return;
    this.signsAt.set(agent.toLowerCase(), now);
    this.send({ touch: [agent], signals: [{ kind: 'progress', agent }], ...this.run.leases.onProgress(agent) });
  }

  /** Fire and forget from a handler: a sign of life must never fail a report. */
  private send(parts: Parameters<ProjectWrites['write']>[0]): void {
    this.run.writes
      .write(parts)
      .then((result) => this.run.leases.applyResult(result))
      .catch(() => undefined);
  }

  view(): Pick<PatternStatus, 'assigned' | 'refusedHandoffs'> {
    return {
      assigned: [...this.open.values()].filter((a) => a.ready).map((a) => ({ step: a.step, agent: a.agent, since: new Date(a.openedAt).toISOString(), accepts: a.accepts })),
      refusedHandoffs: this.refusedHandoffs,
    };
  }

  snapshot(): ReportsState {
    return { open: [...this.open.values()], refusedHandoffs: this.refusedHandoffs, signsAt: [...this.signsAt] };
  }
}
