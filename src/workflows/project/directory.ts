import * as wf from '@temporalio/workflow';
import { checkAgentName, checkHumanName, generateAgentName } from '../../domain/agents/names';
import type { Actor, MemberActor } from '../../schemas/actor';
import {
  InviteHumanInput,
  ListMembersInput,
  MemberKind,
  RegisterInput,
  RetireInput,
  RotateTokenInput,
  type ContactPolicy,
  type MemberView,
  type RetiredMember,
  type TokenOwner,
} from '../../schemas/agents';
import type { HolderState } from '../../schemas/reservations';
import type { Founder } from '../../schemas/project';
import { batonFailure, checked, parseOrFail } from '../failure';
import {
  inviteHumanUpdate,
  membersQuery,
  memberQuery,
  memberCredentialsQuery,
  recordSuccessUpdate,
  registerUpdate,
  retireUpdate,
  rotateTokenUpdate,
  tokenOwnerQuery,
  whoamiQuery,
  type MemberCredential,
} from './directory-api';
import type { DirectoryPort, ProjectContext, ProjectModule } from './module';

/** A member as the directory stores it (carried across continue-as-new). */
export interface MemberRecord {
  name: string;
  kind: MemberKind;
  program?: string;
  model?: string;
  task?: string;
  contactPolicy: ContactPolicy;
  contacts: string[];
  retired: boolean;
  registeredAt: number;
  lastActiveAt: number;
  successfulTasks: number;
  /** SHA-256 of the member's current token: how the Baton server finds the member behind a token. */
  tokenHash: string;
  /**
   * Credential epoch: raised on every rotation and on retirement. The server passes the epoch it saw
   * with each call and a stale one is refused, so a cached token stops working everywhere at once.
   * (Absent in state carried from before epochs existed: read as 0.)
   */
  epoch?: number;
  /** Identity of this registration (a name may be registered again after a project is replaced). */
  id?: string;
  invitedBy?: string;
}

export interface DirectoryState {
  members: MemberRecord[];
}

/** What the messages module hears about: a member's mailbox must learn its owner's new epoch or retirement. */
export type CredentialsChanged = (member: MemberRecord) => Promise<void>;

/**
 * The agent directory: registration with memorable unique names, humans (the founder and those a
 * human invited), credential epochs, activity and trust. It is the project's DirectoryPort, so other
 * modules authenticate actors through it.
 *
 * Identity model (README, "Trust model"): the Baton server verifies bearer tokens against the hashes
 * kept here and sends verified actors; the workflow trusts its callers (the server and Baton's
 * worker), so it checks membership, kind, retirement and the epoch, never a token.
 */
export class AgentDirectory implements ProjectModule, DirectoryPort {
  readonly name = 'directory';
  private readonly members = new Map<string, MemberRecord>();
  private readonly byHash = new Map<string, string>();
  /** Set by the messaging module so `notify` delivers; until then notices are dropped. */
  notifier: DirectoryPort['notify'] = () => undefined;
  /** Set by the messages module: prepares a new member's mailbox before registration answers. */
  onRegistered: (member: MemberRecord) => Promise<void> = async () => undefined;
  /** Set by the messages module: tells the member's mailbox about a new epoch or retirement. */
  onCredentialsChanged: CredentialsChanged = async () => undefined;

  constructor(
    private readonly ctx: ProjectContext,
    carried: DirectoryState | undefined,
    founder: Founder | undefined,
  ) {
    for (const m of carried?.members ?? []) this.add(m);
    if (!carried && founder) {
      const now = Date.now();
      this.add({ ...this.newRecord(founder.name, 'human', founder.tokenHash, now), contactPolicy: 'open' });
    }
  }

  register(): void {
    this.ctx.operations.define(registerUpdate, { handle: (input) => this.registerAgent(parseOrFail(RecordedRegistration, input, 'registration')), validate: (input) => {
        // Humans are created with the project or invited (inviteHuman); `register` is for agents.
        if ((input as { kind?: unknown } | undefined)?.kind === 'human') {
          throw batonFailure('FORBIDDEN', 'Humans do not register: the first human comes with the project (`baton init`), others are invited by a human (`baton invite <name>`).');
        }
        this.checkRegistration(parseOrFail(RegisterInput, input, 'registration'));
      } });
    this.ctx.operations.define(inviteHumanUpdate, { handle: (input) => this.inviteHuman(parseOrFail(InviteHumanInput, input, 'invitation')), validate: (input) => void this.checkInvitation(parseOrFail(InviteHumanInput, input, 'invitation')) });
    this.ctx.operations.define(rotateTokenUpdate, { handle: (input) => this.rotate(parseOrFail(RotateTokenInput, input, 'token rotation')), validate: (input) => void this.checkRotation(parseOrFail(RotateTokenInput, input, 'token rotation')) });
    this.ctx.operations.define(retireUpdate, { handle: (input) => this.retire(parseOrFail(RetireInput, input, 'retire request')), validate: (input) => void this.checkRetire(parseOrFail(RetireInput, input, 'retire request')) });
    wf.setHandler(whoamiQuery, ({ actor }) => checked(() => this.view(this.get(this.authenticateActor(actor)))));
    wf.setHandler(tokenOwnerQuery, ({ tokenHash }) => this.tokenOwner(tokenHash));
    wf.setHandler(membersQuery, (raw) => {
      const filter = parseOrFail(ListMembersInput, raw ?? {}, 'member filter');
      return [...this.members.values()]
        .filter((m) => (filter.kind ? m.kind === filter.kind : true) && (filter.includeRetired || !m.retired))
        .map((m) => this.view(m));
    });
    wf.setHandler(memberQuery, ({ name }) => {
      const m = this.members.get(String(name).toLowerCase());
      return m ? this.view(m) : null;
    });
    wf.setHandler(memberCredentialsQuery, ({ names }) => this.credentials(names));
    this.ctx.operations.define(recordSuccessUpdate, { handle: ({ actor }) => {
        const m = this.checkWorkflowActor(actor);
        this.recordSuccess(m.name);
        return this.view(m);
      }, validate: ({ actor }) => void this.checkWorkflowActor(actor) });
  }

  snapshot(): DirectoryState {
    return { members: [...this.members.values()] };
  }

  describe() {
    const all = [...this.members.values()];
    return { agents: all.filter((m) => m.kind === 'agent' && !m.retired).length, humans: all.filter((m) => m.kind === 'human' && !m.retired).length, retired: all.filter((m) => m.retired).length };
  }

  // --- DirectoryPort ---------------------------------------------------------------------------

  isHuman(name: string): boolean {
    const m = this.members.get(name.toLowerCase());
    return m ? m.kind === 'human' && !m.retired : false;
  }

  exists(name: string): boolean {
    return this.members.has(name.toLowerCase());
  }

  /**
   * Checks an Actor (src/schemas/actor.ts) and returns the canonical name of the member acted for.
   * Members: registered, not retired, and (when the server sent one) the current epoch. Workflow
   * actors: the member they act for exists and is not retired. Read-only, so validators may call it.
   */
  authenticateActor(actor: Actor): string {
    if (actor.kind === 'workflow') {
      const m = this.members.get(actor.onBehalfOf.toLowerCase());
      if (!m) throw batonFailure('NOT_FOUND', `No member named "${actor.onBehalfOf}" in project ${this.ctx.project}.`);
      if (m.retired) throw batonFailure('INVALID_STATE', `${m.name} is retired.`);
      return m.name;
    }
    const m = this.members.get(actor.name.toLowerCase());
    if (!m) throw batonFailure('UNAUTHORIZED', `No member named "${actor.name}" in project ${this.ctx.project}; register first with \`baton register\`.`);
    if (m.retired) throw batonFailure('UNAUTHORIZED', `${m.name} is retired; register again to get a new identity.`, { reason: 'retired' });
    if (actor.epoch !== undefined && actor.epoch !== (m.epoch ?? 0)) {
      // The Baton server verified an older token of this member (rotated since): it drops its cache
      // entry and checks the token again (src/api/auth.ts).
      throw batonFailure('UNAUTHORIZED', `The token used for ${m.name} was replaced; use the newest one (\`baton rotate-token\` printed it).`, { reason: 'stale-credential' });
    }
    return m.name;
  }

  /**
   * A human acting in person: a member actor (never a pattern's workflow actor, whatever member it
   * names) whose member is a human. Returns the canonical name.
   */
  requireHuman(actor: Actor, what: string): string {
    if (actor.kind !== 'member') throw batonFailure('FORBIDDEN', `Only a human may ${what}; a pattern workflow cannot do it on anyone's behalf.`);
    const name = this.authenticateActor(actor);
    if (!this.isHuman(name)) throw batonFailure('FORBIDDEN', `Only a human may ${what}; ${name} is an agent of project ${this.ctx.project}. Ask a human (\`baton agents --kind human\` lists them).`);
    return name;
  }

  /** Record activity of an authenticated member; call from update handlers only (never validators). */
  touch(name: string): void {
    const m = this.members.get(name.toLowerCase());
    if (m) m.lastActiveAt = Date.now();
  }

  notify: DirectoryPort['notify'] = (to, message) => this.notifier(to, message);

  memberState(name: string): HolderState | undefined {
    const m = this.members.get(name.toLowerCase());
    return m ? this.stateOf(m) : undefined;
  }

  private stateOf(m: MemberRecord): HolderState {
    if (m.retired) return 'retired';
    return Date.now() - m.lastActiveAt > this.ctx.settings.idleAfterSeconds * 1000 ? 'idle' : 'active';
  }

  recordSuccess(name: string): void {
    const m = this.members.get(name.toLowerCase());
    if (m) m.successfulTasks += 1;
  }

  /** `owner` accepts messages from `contact` (contact approval, see the messages module). */
  addContact(owner: string, contact: string): void {
    const m = this.get(owner);
    const name = this.get(contact).name;
    if (!m.contacts.some((c) => c.toLowerCase() === name.toLowerCase())) m.contacts.push(name);
  }

  /** Members (active, not retired) of a kind; used for escalations to humans. */
  list(kind?: MemberKind): MemberRecord[] {
    return [...this.members.values()].filter((m) => !m.retired && (kind ? m.kind === kind : true));
  }

  get(name: string): MemberRecord {
    const m = this.members.get(name.toLowerCase());
    if (!m) throw batonFailure('NOT_FOUND', `No member named "${name}" in project ${this.ctx.project}; \`baton agents\` lists who is here.`);
    return m;
  }

  isTrusted(m: MemberRecord): boolean {
    return m.kind === 'human' || m.successfulTasks >= this.ctx.settings.trustAfterTasks;
  }

  view(m: MemberRecord): MemberView {
    const view: MemberView = {
      name: m.name,
      kind: m.kind,
      program: m.program,
      model: m.model,
      task: m.task,
      contactPolicy: m.contactPolicy,
      contacts: m.contacts,
      status: this.stateOf(m),
      registeredAt: new Date(m.registeredAt).toISOString(),
      lastActiveAt: new Date(m.lastActiveAt).toISOString(),
      successfulTasks: m.successfulTasks,
      trust: this.isTrusted(m) ? 'trusted' : 'new',
    };
    if (m.invitedBy) view.invitedBy = m.invitedBy;
    return view;
  }

  // --- identity ---------------------------------------------------------------------------------

  private tokenOwner(tokenHash: string): TokenOwner | null {
    const key = this.byHash.get(String(tokenHash));
    const m = key === undefined ? undefined : this.members.get(key);
    return m ? { name: m.name, kind: m.kind, epoch: m.epoch ?? 0, retired: m.retired } : null;
  }

  /** Named members plus every human (approvers): kind, trust, status. For pattern workflows only. */
  private credentials(names: string[]): MemberCredential[] {
    const wanted = new Set((names ?? []).map((n) => String(n).toLowerCase()));
    return [...this.members.values()]
      .filter((m) => wanted.has(m.name.toLowerCase()) || m.kind === 'human')
      .map((m) => ({ name: m.name, kind: m.kind, trusted: this.isTrusted(m), retired: m.retired }));
  }

  /** Success is recorded by pattern workflows (through their worker), never claimed by a member. */
  private checkWorkflowActor(actor: Actor): MemberRecord {
    if (actor?.kind !== 'workflow') throw batonFailure('FORBIDDEN', 'Successful tasks are recorded by pattern workflows only (a done step accepted, a review approved).');
    return this.get(actor.onBehalfOf);
  }

  private add(record: MemberRecord): void {
    this.members.set(record.name.toLowerCase(), record);
    this.byHash.set(record.tokenHash, record.name.toLowerCase());
  }

  private newRecord(name: string, kind: MemberKind, tokenHash: string, now: number): MemberRecord {
    return {
      name,
      kind,
      contactPolicy: 'auto',
      contacts: [],
      retired: false,
      registeredAt: now,
      lastActiveAt: now,
      successfulTasks: 0,
      tokenHash,
      epoch: 0,
      id: wf.uuid4(),
    };
  }

  private checkFreshHash(tokenHash: string): void {
    // Tokens are 192 random bits: a collision means the same token was sent twice, never chance.
    if (this.byHash.has(tokenHash)) throw batonFailure('ALREADY_EXISTS', 'This token is already in use; ask the server for a new one.');
  }

  // --- registration -----------------------------------------------------------------------------

  private checkRegistration(input: RegisterInput): void {
    if (input.name) {
      const problem = checkAgentName(input.name);
      if (!problem.ok) throw batonFailure('INVALID_INPUT', `name: ${problem.reason}`);
      this.checkFreeName(input.name);
    }
    this.checkFreshHash(input.tokenHash);
  }

  private checkFreeName(name: string): void {
    if (this.members.has(name.toLowerCase())) {
      throw batonFailure('ALREADY_EXISTS', `name: "${name}" is taken in project ${this.ctx.project}; pick another or omit --name to get a generated one.`);
    }
  }

  private async registerAgent(input: RecordedRegistration): Promise<MemberView> {
    const kind = input.kind ?? 'agent';
    if (kind === 'agent') this.checkRegistration(input);
    const name = input.name ?? generateAgentName(workflowRandom, (lower) => this.members.has(lower));
    const record: MemberRecord = { ...this.newRecord(name, kind, input.tokenHash, Date.now()), contactPolicy: input.contactPolicy };
    if (input.program) record.program = input.program;
    if (input.model) record.model = input.model;
    if (input.task) record.task = input.task;
    this.add(record);
    await this.onRegistered(record);
    return this.view(record);
  }

  /**
   * Humans approve deploys and force-release leases, so nobody becomes one by asking first: the
   * founder comes with `baton init`, every other human is invited by a human.
   */
  private checkInvitation(input: ReturnType<typeof InviteHumanInput.parse>): string {
    const by = this.requireHuman(input.actor, 'invite a human');
    const problem = checkHumanName(input.name);
    if (!problem.ok) throw batonFailure('INVALID_INPUT', `name: ${problem.reason}`);
    this.checkFreeName(input.name);
    this.checkFreshHash(input.tokenHash);
    return by;
  }

  private async inviteHuman(input: ReturnType<typeof InviteHumanInput.parse>): Promise<MemberView> {
    const by = this.checkInvitation(input);
    this.touch(by);
    const record: MemberRecord = { ...this.newRecord(input.name, 'human', input.tokenHash, Date.now()), contactPolicy: 'open', invitedBy: by };
    this.add(record);
    await this.onRegistered(record);
    return this.view(record);
  }

  private checkRotation(input: ReturnType<typeof RotateTokenInput.parse>): { by: string; target: MemberRecord } {
    const by = this.authenticateActor(input.actor);
    const target = this.get(input.name);
    if (target.retired) throw batonFailure('INVALID_STATE', `${target.name} is retired; a retired identity gets no new token.`);
    if (by.toLowerCase() !== target.name.toLowerCase() && !this.isHuman(by)) {
      throw batonFailure('FORBIDDEN', `${by} may not replace ${target.name}'s token: members rotate their own; a human may rotate anyone's.`);
    }
    this.checkFreshHash(input.tokenHash);
    return { by, target };
  }

  private async rotate(input: ReturnType<typeof RotateTokenInput.parse>): Promise<MemberView> {
    const { by, target } = this.checkRotation(input);
    this.touch(by);
    this.byHash.delete(target.tokenHash);
    target.tokenHash = input.tokenHash;
    target.epoch = (target.epoch ?? 0) + 1;
    this.byHash.set(target.tokenHash, target.name.toLowerCase());
    await this.onCredentialsChanged(target);
    return this.view(target);
  }

  private checkRetire(input: { actor: MemberActor; name: string }): MemberRecord {
    const by = this.authenticateActor(input.actor);
    const target = this.get(input.name);
    if (by.toLowerCase() !== target.name.toLowerCase() && !this.isHuman(by)) {
      throw batonFailure('FORBIDDEN', `${by} may not retire ${target.name}: agents retire themselves; a human may retire anyone.`);
    }
    if (target.retired) throw batonFailure('INVALID_STATE', `${target.name} is already retired.`);
    if (target.kind === 'human' && this.list('human').length === 1) {
      throw batonFailure('INVALID_STATE', `${target.name} is the last human of project ${this.ctx.project}; invite another human first (\`baton invite\`), or end the project (\`baton shutdown\`).`);
    }
    return target;
  }

  /**
   * Retires a member. Its leases go with it (a retired member edits nothing and answers no one), listed
   * in the answer and recorded in the audit trail; runs from before that rule keep them (patched).
   */
  private async retire(input: { actor: MemberActor; name: string }): Promise<RetiredMember> {
    const target = this.checkRetire(input);
    const by = this.authenticateActor(input.actor);
    target.retired = true;
    target.epoch = (target.epoch ?? 0) + 1;
    const released = wf.patched(RETIRE_RELEASES_LEASES) ? this.ctx.reservations.releaseForRetirement(target.name, by) : [];
    await this.onCredentialsChanged(target);
    return { ...this.view(target), released };
  }
}

/** Since this patch, retiring a member releases its leases. */
const RETIRE_RELEASES_LEASES = 'baton-retire-releases-leases-v1';

/**
 * What a `register` handler accepts: today's agent registration, and, in histories recorded before
 * humans were created with the project, a human's (`kind: 'human'`). Only the replay of such a history
 * reaches the handler with it: the validator refuses it for every new update.
 */
const RecordedRegistration = RegisterInput.extend({ kind: MemberKind.optional() });
type RecordedRegistration = ReturnType<typeof RecordedRegistration.parse>;

/** Deterministic randomness from the SDK (replays identically), as a [0, 1) number. */
function workflowRandom(): number {
  return parseInt(wf.uuid4().replace(/-/g, '').slice(0, 12), 16) / 2 ** 48;
}
