/**
 * An in-memory Baton for the hook tests: real glob matching (the domain's own matcher), real "shown once"
 * bookkeeping, and a record of every call. It stands for the Baton server the CLI wires in.
 */
import { BatonError } from '../../src/domain/errors';
import { parseGlob } from '../../src/domain/reservations/glob';
import { compileMatcher } from '../../src/domain/reservations/match';
import type { AttentionAnswer, AttentionItem, CheckAnswer, HookBackend, HookConflict, ReserveAnswer } from '../../src/hooks/backend';

export interface FakeLease {
  id: string;
  holder: string;
  pattern: string;
  expiresAt: string;
  reason: string;
  holderState?: HookConflict['holderState'];
}

export interface FakeState {
  me: string;
  leases: FakeLease[];
  attention: AttentionItem[];
  shown: string[];
  /** When set, every call fails with this error code (UNAVAILABLE stands for an unreachable server). */
  failWith?: BatonError['code'];
}

export class FakeBaton implements HookBackend {
  readonly calls = { check: [] as string[][], reserve: [] as { paths: string[]; reason: string }[], attention: 0 };

  constructor(readonly state: FakeState) {}

  private fail(): void {
    if (this.state.failWith) throw new BatonError(this.state.failWith, this.state.failWith === 'UNAVAILABLE' ? 'connect ECONNREFUSED 127.0.0.1:7300' : 'failed');
  }

  private conflicts(paths: string[]): HookConflict[] {
    return paths.flatMap((path) =>
      this.state.leases
        .filter((l) => l.holder !== this.state.me && compileMatcher(parseGlob(l.pattern))(path))
        .map((l) => ({ path, holder: l.holder, pattern: l.pattern, expiresAt: l.expiresAt, reason: l.reason, reservationId: l.id, ...(l.holderState ? { holderState: l.holderState } : {}) })),
    );
  }

  async check(paths: string[]): Promise<CheckAnswer> {
    this.calls.check.push(paths);
    this.fail();
    const held = paths.filter((p) => this.state.leases.some((l) => l.holder === this.state.me && compileMatcher(parseGlob(l.pattern))(p)));
    return { conflicts: this.conflicts(paths), held };
  }

  async reserve(paths: string[], reason: string): Promise<ReserveAnswer> {
    this.calls.reserve.push({ paths, reason });
    this.fail();
    const conflicts = this.conflicts(paths);
    if (conflicts.length) return { status: 'conflict', conflicts };
    const expiresAt = '2030-01-01T01:00:00.000Z';
    paths.forEach((pattern, i) => this.state.leases.push({ id: `r-auto-${this.state.leases.length + i}`, holder: this.state.me, pattern, expiresAt, reason }));
    return { status: 'granted', patterns: paths, expiresAt };
  }

  async attention(): Promise<AttentionAnswer> {
    this.calls.attention++;
    this.fail();
    const fresh = this.state.attention.filter((item) => !this.state.shown.includes(item.id));
    this.state.shown.push(...fresh.map((item) => item.id));
    return { items: fresh };
  }
}

/** Like FakeBaton, but never answers: the runner's own timeout must end the wait. */
export class SilentBaton implements HookBackend {
  check = () => new Promise<never>(() => {});
  reserve = () => new Promise<never>(() => {});
  attention = () => new Promise<never>(() => {});
}
