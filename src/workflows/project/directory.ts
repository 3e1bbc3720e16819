import * as wf from '@temporalio/workflow';
import { checkAgentName, checkHumanName, generateAgentName } from '../../domain/agents/names';
import type { Actor, MemberActor } from '../../schemas/actor';
import {
  InviteHumanInput,
  ListMembersInput,
  MemberKind,
  type MemberPage,
  RegisterInput,
  RetireInput,
  RotateTokenInput,
  type MemberView,
  type RetiredMember,
  type TokenOwner,
} from '../../schemas/agents';
import type { HolderState } from '../../schemas/reservations';
import type { Founder } from '../../schemas/project';
import { takePage } from '../../domain/page';
import { batonFailure, checked, parseOrFail } from '../failure';
import { CARRIED_BUDGET, formatBytes, type CarriedSizes } from './carried/budget';
import { jsonBytes } from './carried/json-size';
import { MAX_ACTIVE_MEMBERS, MemberRows, TOMBSTONES_KEPT, decodeMembers, type DirectoryStateV1, type DirectoryStateV2, type MemberRecord } from './carried/member-rows';
import {
  inviteHumanUpdate,
  memberPageQuery,
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

export type { MemberRecord } from './carried/member-rows';

/** Carried across continue-as-new: compact rows since the carried-state budget (carried/member-rows.ts), whole records before. */
export type DirectoryState = DirectoryStateV1 | DirectoryStateV2;

/** Longest name a generated one could have, for the admission estimate of a registration without a name. */
const LONGEST_NAME = 'x'.repeat(64);

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
  /** The members as they will be carried, with their exact size (admission reads it). */
  private readonly rows = new MemberRows();
  /** Retired members by lower-case name, in the order they retired (the oldest are forgotten first). */
  private readonly retiredOrder = new Map<string, MemberRecord>();
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
    const restored = carried ? decodeMembers(carried) : [];
    for (const m of restored.filter((r) => !r.retired)) this.add(m);
    // Retired members in the order they retired, the oldest forgotten past the cap.
    for (const m of restored.filter((r) => r.retired).sort((a, b) => (a.retiredAt ?? a.lastActiveAt) - (b.retiredAt ?? b.lastActiveAt))) this.add(m);
    this.forgetTombstones();
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
    // The first page only (kept for callers from before pages): memberPage has the cursor.
    wf.setHandler(membersQuery, (raw) => this.page(parseOrFail(ListMembersInput, raw ?? {}, 'member filter')).members);
    wf.setHandler(memberPageQuery, (raw) => checked(() => this.page(parseOrFail(ListMembersInput, raw ?? {}, 'member filter'))));
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
    return this.rows.encode(this.members.values());
  }

  /** Carried bytes of the directory (exact: see MemberRows). */
  carriedBytes(): CarriedSizes {
    return { directory: this.rows.bytes };
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
    if (!m) return;
    m.lastActiveAt = Date.now();
    this.rows.put(m);
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
    if (!m) return;
    m.successfulTasks += 1;
    this.rows.put(m);
  }

  /** `owner` accepts messages from `contact` (contact approval, see the messages module). */
  addContact(owner: string, contact: string): void {
    const m = this.get(owner);
    const name = this.get(contact).name;
    if (m.contacts.some((c) => c.toLowerCase() === name.toLowerCase())) return;
    m.contacts.push(name);
    this.rows.put(m);
  }

  /** Bytes the directory would grow by if `owner` added `contact` (0 when already a contact). */
  contactCost(owner: string, contact: string): number {
    const m = this.members.get(owner.toLowerCase());
    if (!m || m.contacts.some((c) => c.toLowerCase() === contact.toLowerCase())) return 0;
    return jsonBytes(contact) + (m.contacts.length ? 1 : 0);
  }

  /** Lower-case names of members whose mailbox is known to run (carried in their rows). */
  withMailbox(): string[] {
    return [...this.members.values()].filter((m) => m.mailbox).map((m) => m.name.toLowerCase());
  }

  /** The messages module knows (or no longer knows) that the member's mailbox runs; carried in its row. */
  markMailbox(name: string, known: boolean): void {
    const m = this.members.get(name.toLowerCase());
    if (!m || Boolean(m.mailbox) === known) return;
    if (known) m.mailbox = true;
    else delete m.mailbox;
    this.rows.put(m);
  }

  /**
   * Admission for anything that grows the directory (read-only, so validators run it): `adding` bytes
   * must fit in CARRIED_BUDGET.directory, counting retired members' tombstones as room (they are
   * forgotten, oldest first, when an active member needs it). Throws INVALID_STATE naming the limit
   * and what to do.
   */
  checkRoom(adding: number, what: string): void {
    const { used, fits } = this.rows.roomFor(adding);
    if (!fits) {
      throw batonFailure(
        'INVALID_STATE',
        `Project ${this.ctx.project} has no room to ${what}: its ${this.rows.active} members take ${formatBytes(used)} of the ${formatBytes(CARRIED_BUDGET.directory)} the directory can carry, and this needs ${formatBytes(adding)} more. Retire members who no longer work here (\`baton retire NAME --human\`), or use a shorter task text.`,
        { limit: 'directory-bytes', bytes: used, adding, max: CARRIED_BUDGET.directory },
      );
    }
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
    if (record.retired) this.retiredOrder.set(record.name.toLowerCase(), record);
    this.rows.put(record);
  }

  /**
   * Forgets the oldest retired members past TOMBSTONES_KEPT, and while the directory is over its budget
   * (a new member took the room they held): their names become free and their tokens unknown.
   */
  private forgetTombstones(): void {
    for (const [name, m] of this.retiredOrder) {
      if (this.retiredOrder.size <= TOMBSTONES_KEPT && this.rows.bytes <= CARRIED_BUDGET.directory) return;
      this.retiredOrder.delete(name);
      this.members.delete(name);
      if (this.byHash.get(m.tokenHash) === name) this.byHash.delete(m.tokenHash);
      this.rows.remove(m);
    }
  }

  /** Count and byte admission of a new member (register, invite). */
  private checkNewMember(profile: { name?: string; program?: string; model?: string; task?: string; invitedBy?: string }): void {
    if (this.rows.active >= MAX_ACTIVE_MEMBERS) {
      throw batonFailure('INVALID_STATE', `Project ${this.ctx.project} has ${this.rows.active} active members (limit ${MAX_ACTIVE_MEMBERS}); retire members who no longer work here (\`baton retire NAME --human\`).`, { limit: 'members', active: this.rows.active, max: MAX_ACTIVE_MEMBERS });
    }
    this.checkRoom(this.rows.costOfNew({ ...profile, name: profile.name ?? LONGEST_NAME }), `register ${profile.name ?? 'a new member'}`);
  }

  /** A page of members in registration order (registeredAt, then name); cursor "<registeredAt>.<name lower case>". */
  private page(filter: ReturnType<typeof ListMembersInput.parse>): MemberPage {
    const all = [...this.members.values()].filter((m) => (filter.kind ? m.kind === filter.kind : true) && (filter.includeRetired || !m.retired));
    all.sort((a, b) => a.registeredAt - b.registeredAt || (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
    let rest = all;
    if (filter.after !== undefined) {
      const m = /^(-?\d+)\.(.+)$/.exec(filter.after);
      if (!m) throw batonFailure('INVALID_INPUT', `after: "${filter.after}" is not a cursor of the member list; pass the \`next\` of the previous page.`);
      const [at, name] = [Number(m[1]), m[2]!];
      rest = all.filter((r) => r.registeredAt > at || (r.registeredAt === at && r.name.toLowerCase() > name));
    }
    const views = rest.map((m) => this.view(m));
    const page = takePage(views, filter.limit, jsonBytes, (v) => `${Date.parse(v.registeredAt)}.${v.name.toLowerCase()}`);
    const out: MemberPage = { total: all.length, members: page.items };
    if (page.next !== undefined) out.next = page.next;
    return out;
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
    this.checkNewMember(input);
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
    this.forgetTombstones();
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
    this.checkNewMember({ name: input.name, invitedBy: by });
    return by;
  }

  private async inviteHuman(input: ReturnType<typeof InviteHumanInput.parse>): Promise<MemberView> {
    const by = this.checkInvitation(input);
    this.touch(by);
    const record: MemberRecord = { ...this.newRecord(input.name, 'human', input.tokenHash, Date.now()), contactPolicy: 'open', invitedBy: by };
    this.add(record);
    this.forgetTombstones();
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
    this.rows.put(target);
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
    target.retiredAt = Date.now();
    this.rows.put(target);
    this.retiredOrder.set(target.name.toLowerCase(), target);
    this.forgetTombstones();
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
