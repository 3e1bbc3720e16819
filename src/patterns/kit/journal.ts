/**
 * What a pattern's story has done so far, so it can continue-as-new in the middle of its steps.
 *
 * A story (src/patterns/<name>/workflow.ts) reads top to bottom as the pattern's steps. Every call it
 * makes into the kit that changes something (a log line, a step begun, a notice, a reservation, a wait
 * for a report or a decision) is a numbered journal entry, in call order, with its answer and the
 * workflow time it was answered at. When the run continues as new, the journal goes with it; the next
 * run starts the story from the top and the kit answers every entry it already has from the journal,
 * at once and without doing anything (no message is sent twice, no lease taken twice), until the
 * story reaches the wait it was in: that wait picks up its own state (who it waits for, whether the
 * reminder went out) and the story goes on live. Meanwhile `now()` answers the time of the entry just
 * answered, so what the story computes from the clock comes out as it did the first time.
 *
 * Like Temporal's own replay this needs the story to call the kit in the same order given the same
 * answers: a story reads the clock through `run.now()` (Date.now is for handlers and the bodies of
 * waits, which run live only), and a change to a story's calls needs a new version (KIT_VERSION) the
 * way a change to its commands needs a patch. Answers must be plain JSON.
 */
export const KIT_VERSION = 1;

/** An answered call: its value (absent for none) and the workflow time (ms) it was answered at. */
export interface JournalEntry {
  v?: unknown;
  at: number;
}

export interface JournalState {
  version: number;
  /** By call order; null for a wait that was still open (its state is in `waits`). */
  entries: (JournalEntry | null)[];
  waits: Record<string, unknown>;
}

export class Journal {
  private readonly entries: (JournalEntry | null)[];
  private readonly carriedWaits: Map<number, unknown>;
  private readonly openWaits = new Map<number, unknown>();
  private seq = 0;
  private replayedAt?: number;
  private live: boolean;
  private readonly whenLiveCallbacks: (() => void)[] = [];
  private running = 0;

  constructor(carried?: JournalState) {
    if (carried && carried.version !== KIT_VERSION) throw new Error(`pattern journal version ${carried.version} is not this kit's (${KIT_VERSION})`);
    this.entries = carried ? [...carried.entries] : [];
    this.carriedWaits = new Map(Object.entries(carried?.waits ?? {}).map(([k, v]) => [Number(k), v]));
    this.live = this.entries.length === 0;
  }

  /** Workflow time for the story: while it catches up, the time the call just answered was made at. */
  now(): number {
    return this.replayedAt ?? Date.now();
  }

  /** True once the story has passed everything the journal had answered before (at once for a fresh run). */
  get isLive(): boolean {
    return this.live;
  }

  /** Run `fn` once the story is live (handlers go in then: they must see the state the story rebuilt). */
  whenLive(fn: () => void): void {
    if (this.live) fn();
    else this.whenLiveCallbacks.push(fn);
  }

  /** Calls in progress (an effect awaiting its activity): the run continues as new only when there are none. */
  get busy(): boolean {
    return this.running > 0;
  }

  /** A synchronous change (a log line, a step begun): done once, answered from the journal after. */
  sync<T>(fn: () => T): T {
    const seq = this.seq++;
    const known = this.answered(seq);
    if (known) return known.v as T;
    const v = fn();
    this.entries[seq] = { v, at: Date.now() };
    return v;
  }

  /** A side effect (an activity, a child workflow): done once, answered from the journal after. */
  async effect<T>(fn: () => Promise<T>): Promise<T> {
    const seq = this.seq++;
    const known = this.answered(seq);
    if (known) return known.v as T;
    const v = await this.track(fn());
    this.entries[seq] = { v, at: Date.now() };
    return v;
  }

  /**
   * A wait the run may continue as new in the middle of: `body` keeps its progress in `state` (the
   * journal carries it), so a new run resumes it where it was instead of starting it again.
   */
  async wait<S, T>(init: () => S, body: (state: S) => Promise<T>): Promise<T> {
    const seq = this.seq++;
    const known = this.answered(seq);
    if (known) return known.v as T;
    const state = (this.carriedWaits.has(seq) ? this.carriedWaits.get(seq) : init()) as S;
    this.carriedWaits.delete(seq);
    this.entries[seq] = null;
    this.openWaits.set(seq, state);
    try {
      const v = await body(state);
      this.entries[seq] = { v, at: Date.now() };
      return v;
    } finally {
      this.openWaits.delete(seq);
    }
  }

  /** Count a call in progress that is no journal entry (an activity from a handler or inside a wait). */
  async track<T>(promise: Promise<T>): Promise<T> {
    this.running++;
    try {
      return await promise;
    } finally {
      this.running--;
    }
  }

  /** What the next run needs; only when nothing is in progress (see `busy`). */
  snapshot(): JournalState {
    if (this.running > 0) throw new Error('a pattern journal is saved only at rest');
    return { version: KIT_VERSION, entries: this.entries.map((e) => e ?? null), waits: Object.fromEntries(this.openWaits) };
  }

  private answered(seq: number): JournalEntry | undefined {
    const entry = seq < this.entries.length ? this.entries[seq] : undefined;
    if (entry) {
      this.replayedAt = entry.at;
      return entry;
    }
    this.replayedAt = undefined;
    if (!this.live) {
      this.live = true;
      for (const fn of this.whenLiveCallbacks.splice(0)) fn();
    }
    return undefined;
  }
}
