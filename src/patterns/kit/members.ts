import * as wf from '@temporalio/workflow';
import { checkRegistered, type MemberLookup } from '../../domain/patterns/plan';
import type { MemberCredential } from '../../workflows/project/directory-api';
import type { KitActivities } from './activities-api';
import type { Journal } from './journal';

/** A query of the project's directory: short, so a local activity (see writes.ts). */
const acts = wf.proxyLocalActivities<KitActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10 },
});

export type HumanCheck = { ok: true; name: string } | { ok: false; reason: string };

/**
 * Who the run deals with: kind, trust and status of its members and of every human, fetched from the
 * project's directory (a query) and kept so the handlers' checks answer at once. Also the rule of
 * trust: a done step counts for its agent only when someone else accepts it.
 */
export class Members {
  private readonly known: Map<string, MemberCredential>;

  constructor(
    private readonly run: { project: string; startedBy?: string; journal: Journal },
    carried?: MemberCredential[],
  ) {
    this.known = new Map((carried ?? []).map((c) => [c.name.toLowerCase(), c]));
  }

  /** Ask the directory again about these members and every human. */
  async refresh(names: string[]): Promise<void> {
    const creds = await this.run.journal.track(acts.fetchCredentials({ project: this.run.project, names }));
    for (const c of creds) this.known.set(c.name.toLowerCase(), c);
  }

  get(name: string): MemberCredential | undefined {
    return this.known.get(name.toLowerCase());
  }

  readonly lookup: MemberLookup = (name) => this.get(name);

  /** The plan's members are registered and not retired (the client checked it too, in the same words). */
  async require(names: string[]): Promise<void> {
    await this.refresh(names);
    checkRegistered(names, this.lookup, this.run.project);
  }

  /** A human of the project, as far as the run knows. */
  checkHuman(name: string): HumanCheck {
    const cred = this.get(name);
    if (!cred) return { ok: false, reason: `${name} is not a member of project ${this.run.project}` };
    if (cred.kind !== 'human' || cred.retired) return { ok: false, reason: `${cred.name} is ${cred.retired ? 'retired' : 'an agent'}; only a human may decide` };
    return { ok: true, name: cred.name };
  }

  /** The run's list may predate a human's invitation: ask the directory once more before refusing. */
  async checkHumanFresh(name: string): Promise<HumanCheck> {
    if (!this.get(name)) await this.refresh([name]);
    return this.checkHuman(name);
  }

  /**
   * Who accepts a done step by default: the human who started the run (they asked for the work). A run
   * an agent started has no such acceptance: its steps count only through a reviewer's approval or a
   * human's, so no agent earns trust from a run it made up for itself.
   */
  defaultAcceptor(): string | undefined {
    const starter = this.run.startedBy && this.get(this.run.startedBy);
    return starter && starter.kind === 'human' && !starter.retired ? starter.name : undefined;
  }

  /** Whether a done step of `worker` accepted by `acceptedBy` counts as a successful task (trust). */
  counts(worker: string, acceptedBy: string | undefined): boolean {
    return acceptedBy !== undefined && acceptedBy.toLowerCase() !== worker.toLowerCase();
  }

  snapshot(): MemberCredential[] {
    return [...this.known.values()];
  }
}
