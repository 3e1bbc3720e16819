import type { Client } from '@temporalio/client';
import { loadConfig, type BatonConfig } from './config';
import { ProjectKey } from './domain/ids';
import { parseInput } from './domain/validation';
import { ProjectChannel } from './client/project';
import { ReservationsClient } from './client/reservations';
import { AgentsClient } from './client/agents';
import { PatternsClient } from './client/patterns';
import { EmergencyClient } from './client/emergency';
import { OnboardingClient } from './client/onboarding';
import { FullStackClient } from './client/full-stack';
import { AlertsClient } from './client/alerts';
import { MessagesClient } from './client/messages';
import { connectClient } from './client/connection';
import { describeQuery, pingUpdate } from './workflows/project/api';
import type { ProjectSettingsInput } from './schemas/project';

export { BatonError } from './domain/errors';

/**
 * Baton's typed client: what orchestrators, the CLI and the MCP server use. Every input is validated
 * with the same zod schemas the workflows use, and every failure arrives as a BatonError with a code.
 *
 *   const baton = await BatonClient.connect();
 *   const project = baton.project('acme/web');
 */
export class BatonClient {
  constructor(
    readonly temporal: Client,
    readonly config: BatonConfig = loadConfig(),
  ) {}

  static async connect(config: BatonConfig = loadConfig()): Promise<BatonClient> {
    return new BatonClient(await connectClient(config), config);
  }

  project(key: string, settings?: ProjectSettingsInput): BatonProjectClient {
    return new BatonProjectClient(new ProjectChannel(this.temporal, parseInput(ProjectKey, key, 'project'), this.config.taskQueue, settings));
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

  /** Coordination patterns: start, report, approve/reject, cancel, status, approvals. */
  get patterns(): PatternsClient {
    return new PatternsClient(this.channel);
  }

  /** Emergency Response: raise, claim, post-mortem, incident view. */
  get emergency(): EmergencyClient {
    return new EmergencyClient(this.channel);
  }

  /** Onboarding a new agent until it is trusted. */
  get onboarding(): OnboardingClient {
    return new OnboardingClient(this.channel);
  }

  /** Full-Stack Feature: Database, then Backend + Frontend in parallel, E2E tests, code review. */
  get fullStack(): FullStackClient {
    return new FullStackClient(this.channel);
  }

  /** Anti-pattern alerts (silent work, hoarding, no sync points, unclear handoffs). */
  get alerts(): AlertsClient {
    return new AlertsClient(this.channel);
  }

  /** A no-op round trip through the project workflow (creates it on first use). */
  ping() {
    return this.channel.update(pingUpdate, {});
  }

  describe() {
    return this.channel.query(describeQuery);
  }
}
