import * as wf from '@temporalio/workflow';
import { checkAgentName, checkHumanName, generateAgentName } from '../../domain/agents/names';
import { hashToken, sameHash } from '../../domain/agents/token-hash';
import type { Actor } from '../../schemas/actor';
import { ListMembersInput, RegisterInput, RetireInput, type ContactPolicy, type MemberKind, type MemberView } from '../../schemas/agents';
import type { ProjectSettings } from '../../schemas/project';
import { batonFailure, checked, parseOrFail } from '../failure';
import { membersQuery, memberQuery, memberCredentialsQuery, recordSuccessUpdate, registerUpdate, retireUpdate, whoamiQuery, type MemberCredential } from './directory-api';
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
  tokenHash: string;
}

export interface DirectoryState {
  members: MemberRecord[];
}

/**
 * Message handlers outside the project module that want to hear about directory events (the mailbox
 * module delivers system notices through this).
 */
export type Notifier = DirectoryPort['notify'];

/**
 * The agent directory: registration with memorable unique names, token checks, humans, activity and
 * trust. It is the project's DirectoryPort, so other modules authenticate through it.
 */
export class AgentDirectory implements ProjectModule, DirectoryPort {
  readonly name = 'directory';
  private readonly members = new Map<string, MemberRecord>();
  private readonly settingsHumans: Set<string>;
  /** Set by the messaging module so `notify` delivers; until then notices are dropped. */
  notifier: Notifier = () => undefined;
  /** Set by the messages module: prepares a new member's mailbox before registration answers. */
  onRegistered: (member: MemberRecord) => Promise<void> = async () => undefined;

  constructor(
    private readonly ctx: ProjectContext,
    private readonly settings: ProjectSettings,
    carried: DirectoryState | undefined,
  ) {
    this.settingsHumans = new Set(settings.humans.map((h) => h.toLowerCase()));
    for (const m of carried?.members ?? []) this.members.set(m.name.toLowerCase(), m);
  }

  register(): void {
    wf.setHandler(registerUpdate, (input) => this.registerMember(parseOrFail(RegisterInput, input, 'registration')), {
      validator: (input) => {
        this.checkRegistration(parseOrFail(RegisterInput, input, 'registration'));
      },
    });
    wf.setHandler(retireUpdate, (input) => this.retire(parseOrFail(RetireInput, input, 'retire request')), {
      validator: (input) => {
        this.checkRetire(parseOrFail(RetireInput, input, 'retire request'));
      },
    });
    wf.setHandler(whoamiQuery, ({ name, token }) => checked(() => this.view(this.get(this.authenticate(name, token)))));
    wf.setHandler(membersQuery, (raw) => {
      const filter = parseOrFail(ListMembersInput, raw ?? {}, 'member filter');
      return [...this.members.values()]
        .filter((m) => (filter.kind ? m.kind === filter.kind : true) && (filter.includeRetired || !m.retired))
        .map((m) => this.view(m));
    });
    wf.setHandler(memberQuery, ({ name }) => {
      const m = this.members.get(name.toLowerCase());
      return m ? this.view(m) : null;
    });
    wf.setHandler(memberCredentialsQuery, ({ names }) => this.credentials(names));
    wf.setHandler(
      recordSuccessUpdate,
      ({ actor }) => {
        const m = this.checkWorkflowActor(actor);
        this.recordSuccess(m.name);
        return this.view(m);
      },
      { validator: ({ actor }) => void this.checkWorkflowActor(actor) },
    );
  }

  snapshot(): DirectoryState {
    return { members: [...this.members.values()] };
  }

  describe() {
    const all = [...this.members.values()];
    return { agents: all.filter((m) => m.kind === 'agent' && !m.retired).length, humans: all.filter((m) => m.kind === 'human').length, retired: all.filter((m) => m.retired).length };
  }

  // --- DirectoryPort ---------------------------------------------------------------------------

  isHuman(name: string): boolean {
    const m = this.members.get(name.toLowerCase());
    return m ? m.kind === 'human' && !m.retired : false;
  }

  exists(name: string): boolean {
    return this.members.has(name.toLowerCase());
  }

  authenticate(name: string, token: string | undefined): string {
    const m = this.members.get(name.toLowerCase());
    if (!m) throw batonFailure('UNAUTHORIZED', `No member named "${name}" in project ${this.ctx.project}; register first with \`baton register\`.`);
    if (m.retired) throw batonFailure('FORBIDDEN', `${m.name} is retired; register again to get a new identity.`);
    if (!token || !sameHash(hashToken(token), m.tokenHash)) {
      throw batonFailure('UNAUTHORIZED', `Wrong token for ${m.name}: use the token \`baton register\` printed for it (BATON_TOKEN or the saved credentials).`);
    }
    return m.name;
  }

  authenticateActor(actor: Actor): string {
    if (actor.kind === 'workflow') {
      const m = this.members.get(actor.onBehalfOf.toLowerCase());
      if (!m) throw batonFailure('NOT_FOUND', `No member named "${actor.onBehalfOf}" in project ${this.ctx.project}.`);
      return m.name;
    }
    return this.authenticate(actor.name, actor.token);
  }

  /** Record activity of an authenticated member; call from update handlers only (never validators). */
  touch(name: string): void {
    const m = this.members.get(name.toLowerCase());
    if (m) m.lastActiveAt = Date.now();
  }

  notify: Notifier = (to, message) => this.notifier(to, message);

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
    return m.kind === 'human' || m.successfulTasks >= this.settings.trustAfterTasks;
  }

  view(m: MemberRecord): MemberView {
    const idle = !m.retired && Date.now() - m.lastActiveAt > this.settings.idleAfterSeconds * 1000;
    return {
      name: m.name,
      kind: m.kind,
      program: m.program,
      model: m.model,
      task: m.task,
      contactPolicy: m.contactPolicy,
      contacts: m.contacts,
      status: m.retired ? 'retired' : idle ? 'idle' : 'active',
      registeredAt: new Date(m.registeredAt).toISOString(),
      lastActiveAt: new Date(m.lastActiveAt).toISOString(),
      successfulTasks: m.successfulTasks,
      trust: this.isTrusted(m) ? 'trusted' : 'new',
    };
  }

  /** Named members plus every human (approvers), with token hashes: for pattern workflows only. */
  private credentials(names: string[]): MemberCredential[] {
    const wanted = new Set((names ?? []).map((n) => n.toLowerCase()));
    return [...this.members.values()]
      .filter((m) => wanted.has(m.name.toLowerCase()) || m.kind === 'human')
      .map((m) => ({ name: m.name, kind: m.kind, trusted: this.isTrusted(m), retired: m.retired, tokenHash: m.tokenHash }));
  }

  /** Success is recorded by pattern workflows (through their worker), never claimed by a member. */
  private checkWorkflowActor(actor: Actor): MemberRecord {
    if (actor?.kind !== 'workflow') throw batonFailure('FORBIDDEN', 'Successful tasks are recorded by pattern workflows only (a done step accepted, a review approved).');
    return this.get(actor.onBehalfOf);
  }

  // --- registration -----------------------------------------------------------------------------

  private checkRegistration(input: RegisterInput & { kind: MemberKind }): void {
    if (input.name) {
      const problem = input.kind === 'agent' ? checkAgentName(input.name) : checkHumanName(input.name);
      if (!problem.ok) throw batonFailure('INVALID_INPUT', `name: ${problem.reason}`);
      if (this.members.has(input.name.toLowerCase())) {
        throw batonFailure('ALREADY_EXISTS', `name: "${input.name}" is taken in project ${this.ctx.project}; pick another or omit --name to get a generated one.`);
      }
    }
    if (input.kind === 'human') this.checkHumanAdmission(input);
  }

  /**
   * Humans approve deploys and force-release leases, so not anyone may claim to be one: a human must
   * be named in the project's settings, or be vouched for by a registered human, or be the first
   * human of a project whose settings name none (the person setting it up).
   */
  private checkHumanAdmission(input: RegisterInput): void {
    if (!input.name) throw batonFailure('INVALID_INPUT', 'name: humans register under their own name; pass --name.');
    if (this.settingsHumans.has(input.name.toLowerCase())) return;
    const anyHuman = [...this.members.values()].some((m) => m.kind === 'human');
    if (!anyHuman && this.settingsHumans.size === 0) return;
    if (!input.invitedBy) {
      throw batonFailure('FORBIDDEN', `${input.name} is not a human of project ${this.ctx.project}; a registered human must invite them (baton register --human --name ${input.name}, run with that human's credentials).`);
    }
    const by = this.authenticateActor(input.invitedBy);
    if (!this.isHuman(by)) throw batonFailure('FORBIDDEN', `Only a human may invite a human; ${by} is an agent.`);
  }

  private async registerMember(input: RegisterInput & { kind: MemberKind; contactPolicy: ContactPolicy }): Promise<MemberView> {
    this.checkRegistration(input);
    const name = input.name ?? generateAgentName(workflowRandom, (lower) => this.members.has(lower));
    const now = Date.now();
    const record: MemberRecord = {
      name,
      kind: input.kind,
      program: input.program,
      model: input.model,
      task: input.task,
      contactPolicy: input.contactPolicy,
      contacts: [],
      retired: false,
      registeredAt: now,
      lastActiveAt: now,
      successfulTasks: 0,
      tokenHash: input.tokenHash,
    };
    this.members.set(name.toLowerCase(), record);
    await this.onRegistered(record);
    return this.view(record);
  }

  private checkRetire(input: { actor: Actor; name: string }): MemberRecord {
    const by = this.authenticateActor(input.actor);
    const target = this.get(input.name);
    if (by.toLowerCase() !== target.name.toLowerCase() && !this.isHuman(by)) {
      throw batonFailure('FORBIDDEN', `${by} may not retire ${target.name}: agents retire themselves; a human may retire anyone.`);
    }
    return target;
  }

  private retire(input: { actor: Actor; name: string }): MemberView {
    const target = this.checkRetire(input);
    target.retired = true;
    return this.view(target);
  }
}

/** Deterministic randomness from the SDK (replays identically), as a [0, 1) number. */
function workflowRandom(): number {
  return parseInt(wf.uuid4().replace(/-/g, '').slice(0, 12), 16) / 2 ** 48;
}
