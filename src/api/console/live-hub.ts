import { toHttpError } from '../errors';
import type { SectionError } from '../../schemas/console';

/** Something the console shows, read again on every tick; a source skips the work when nothing changed. */
export interface LiveSource {
  readonly key: string;
  load(): Promise<unknown>;
}

type Listener = (key: string, value: unknown) => void;

interface Entry {
  source: LiveSource;
  listeners: Set<Listener>;
  json?: string;
  value?: unknown;
  busy: boolean;
}

/**
 * The server side of the console's live updates. Temporal has no push to outside processes, so each
 * Baton server looks, every `tickMs`, at what its open pages show, and only while a page shows it:
 * one look per source however many pages share it (a project's map is read once per tick for all
 * its viewers). Sources first ask Temporal cheaply whether anything changed (a workflow's history
 * length, from the server, no worker involved) and read the state only then; a page hears a section
 * only when its value changed. The page itself never polls: it holds one server-sent event stream.
 */
export class LiveHub {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly tickMs: number) {}

  /** Hear `source`'s value now (when known) and whenever it changes; returns the unsubscribe. */
  subscribe(source: LiveSource, listener: Listener): () => void {
    let entry = this.entries.get(source.key);
    if (!entry) {
      entry = { source, listeners: new Set(), busy: false };
      this.entries.set(source.key, entry);
      void this.refresh(entry);
    } else if (entry.json !== undefined) {
      listener(source.key, entry.value);
    }
    entry.listeners.add(listener);
    this.timer ??= setInterval(() => this.tick(), this.tickMs);
    return () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size === 0) this.entries.delete(source.key);
      if (this.entries.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.entries.clear();
  }

  /** Each source on its own: a slow one skips ticks (at most one read in flight) without holding up the others. */
  private tick(): void {
    for (const entry of this.entries.values()) void this.refresh(entry);
  }

  private async refresh(entry: Entry): Promise<void> {
    if (entry.busy) return;
    entry.busy = true;
    let value: unknown;
    try {
      value = await entry.source.load();
    } catch (err) {
      const e = toHttpError(err);
      value = { error: { code: e.code, message: e.message } } satisfies SectionError;
    } finally {
      entry.busy = false;
    }
    const json = JSON.stringify(value);
    if (json === entry.json) return;
    entry.json = json;
    entry.value = value;
    for (const listener of entry.listeners) listener(entry.source.key, value);
  }
}
