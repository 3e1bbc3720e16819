import type { Client } from '@temporalio/client';
import { loadConfig, type BatonConfig } from './config';
import { ProjectKey } from './domain/ids';
import { parseInput } from './domain/validation';
import { ProjectChannel } from './client/project';
import { ReservationsClient } from './client/reservations';
import { AgentsClient } from './client/agents';
import { PatternsClient } from './patterns/client';
import { CodeReviewClient } from './patterns/code-review/client';
import { EmergencyClient } from './patterns/emergency-response/client';
import { OnboardingClient } from './patterns/onboarding/client';
import { AlertsClient } from './client/alerts';
import { MessagesClient } from './client/messages';
import { NotificationsClient } from './client/notifications';
import { connectClient } from './client/connection';
import { ProjectBatcher, type BatchOptions, type BatcherStats } from './client/batcher';
import { ProjectSettings, type ProjectSettingsInput, type SettingsPatch } from './schemas/project';
import { MemberName, type MemberActor } from './schemas/actor';
import type { Registration } from './schemas/agents';
import { checkHumanName } from './domain/agents/names';
import { BatonError } from './domain/errors';
import { newToken } from './client/tokens';
import { describeQuery, pingUpdate, shutdownUpdate, updateSettingsUpdate } from './workflows/project/api';

export { BatonError } from './domain/errors';
export { member } from './schemas/actor';

/**
 * Baton's typed client: what orchestrators, the CLI and the MCP server use. Every input is validated
 * with the same zod schemas the workflows use, and every failure arrives as a BatonError with a code.
 *
 *   const baton = await BatonClient.connect();
 *   const project = baton.project('acme/web');
 */
export class BatonClient {
  private readonly batchers = new Map<string, ProjectBatcher>();

  /**
   * `options.batching`: group concurrent updates of one project into `batch` updates (group commit,
   * src/client/batcher.ts). The Baton server and the worker turn it on; an orchestrator calling now and
   * then needs nothing.
   */
  constructor(
    readonly temporal: Client,
    readonly config: BatonConfig = loadConfig(),
    readonly options: { batching?: BatchOptions } = {},
  ) {}

  static async connect(config: BatonConfig = loadConfig()): Promise<BatonClient> {
    return new BatonClient(await connectClient(config), config);
  }

  project(key: string): BatonProjectClient {
    const project = parseInput(ProjectKey, key, 'project');
    const batching = this.options.batching;
    return new BatonProjectClient(new ProjectChannel(this.temporal, project, this.config.taskQueue, batching && ((channel) => this.batcher(project, channel, batching))));
  }

  /** Per project, one batcher for every channel of this client, so their updates group together. */
  private batcher(project: string, channel: ProjectChannel, options: BatchOptions): ProjectBatcher {
    let batcher = this.batchers.get(project);
    if (!batcher) {
      batcher = new ProjectBatcher(
        {
          single: (name, input) => channel.direct(name, [input]),
          batch: (operations) => channel.direct('batch', [{ operations }]),
        },
        options,
      );
      this.batchers.set(project, batcher);
    }
    return batcher;
  }

  /** What the batchers did so far, per project (benchmarks). */
  batchStats(): Record<string, BatcherStats> {
    return Object.fromEntries([...this.batchers].map(([k, b]) => [k, { ...b.stats }]));
  }

  /**
   * Create a project on purpose, with its first human; returns that human and their token (shown
   * once). ALREADY_EXISTS when it runs; an ended key needs `replace` (checked by the Baton server:
   * a human of the ended project asked for it).
   */
  async initProject(key: string, options: { human: string; settings?: ProjectSettingsInput; replacing?: { by: string; endedRunId: string } }): Promise<Registration> {
    const project = this.project(key);
    const name = parseInput(MemberName, options.human, 'human');
    const problem = checkHumanName(name);
    if (!problem.ok) throw new BatonError('INVALID_INPUT', `human: ${problem.reason}`);
    const settings = parseInput(ProjectSettings, options.settings ?? {}, 'settings');
    const { token, tokenHash } = newToken('human');
    await project.channel.create({ founder: { name, tokenHash }, settings, replacing: options.replacing });
    return { member: await project.agents.get(name), token };
  }

  async close(): Promise<void> {
    await this.temporal.connection.close();
  }
}

/** Everything Baton does within one project. */
export class BatonProjectClient {
  constructor(readonly channel: ProjectChannel) {}

  get key(): string {
    return this.channel.project;
  }

  /** Registration, identity, the member list. */
  get agents(): AgentsClient {
    return new AgentsClient(this.channel);
  }

  /** Messages: send, broadcast, reply, inbox (with push), read, ack, threads, contacts, notices. */
  get messages(): MessagesClient {
    return new MessagesClient(this.channel);
  }

  /** File reservations: reserve, release, renew, check, list, audit, force-release. */
  get reservations(): ReservationsClient {
    return new ReservationsClient(this.channel);
  }

  /** Coordination patterns (src/patterns/registry.ts): start any, report, approve/reject, cancel, status, approvals. */
  get patterns(): PatternsClient {
    return new PatternsClient(this.channel);
  }

  /** Code Review's own call: the reviewer's verdict. */
  get codeReview(): CodeReviewClient {
    return new CodeReviewClient(this.channel);
  }

  /** Emergency Response's own calls: claim, post-mortem, incident view. */
  get emergency(): EmergencyClient {
    return new EmergencyClient(this.channel);
  }

  /** Onboarding's own calls: a human's introduction, the onboarding view. */
  get onboarding(): OnboardingClient {
    return new OnboardingClient(this.channel);
  }

  /** Anti-pattern alerts (silent work, hoarding, no sync points, unclear handoffs). */
  get alerts(): AlertsClient {
    return new AlertsClient(this.channel);
  }

  /** Humans' notification sinks (webhook, Slack, desktop), deliveries and dead letters. */
  get notifications(): NotificationsClient {
    return new NotificationsClient(this.channel);
  }

  /** A no-op round trip through the project workflow. */
  ping() {
    return this.channel.update(pingUpdate, {});
  }

  describe() {
    return this.channel.query(describeQuery);
  }

  /** Running, never created, or ended (who ended it, when, why). */
  state() {
    return this.channel.state();
  }

  /** Human-only: change some settings (the rest stay). */
  updateSettings(actor: MemberActor, patch: SettingsPatch) {
    return this.channel.update(updateSettingsUpdate, { actor, patch });
  }

  /** Human-only: end the project (its workflow returns who ended it and why). */
  shutdown(actor: MemberActor, reason: string) {
    return this.channel.update(shutdownUpdate, { actor, reason });
  }
}
