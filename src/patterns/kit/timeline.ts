import type { TimelineEntry, TimelineKind } from '../../schemas/patterns';

const MAX_ENTRIES = 300;
/** The beginning (the plan, the first steps) is kept; entries after it are dropped oldest first. */
const KEEP_FIRST = 40;

export interface TimelineState {
  entries: TimelineEntry[];
  omitted: number;
}

/** What happened in a run, in order, bounded; the status shows it and `baton status` prints it. */
export class Timeline {
  private readonly entries: TimelineEntry[];
  private omitted: number;

  constructor(carried?: TimelineState) {
    this.entries = carried?.entries ?? [];
    this.omitted = carried?.omitted ?? 0;
  }

  log(kind: TimelineKind, text: string, extra: { step?: string; actor?: string } = {}): void {
    this.entries.push({ at: new Date(Date.now()).toISOString(), kind, text, ...extra });
    if (this.entries.length > MAX_ENTRIES) {
      this.entries.splice(KEEP_FIRST, 1);
      this.omitted += 1;
    }
  }

  get last(): TimelineEntry | undefined {
    return this.entries[this.entries.length - 1];
  }

  view(): { timeline: TimelineEntry[]; timelineOmitted: number } {
    return { timeline: this.entries, timelineOmitted: this.omitted };
  }

  snapshot(): TimelineState {
    return { entries: this.entries, omitted: this.omitted };
  }
}
