import type { Command } from 'commander';
import { BatonApi, type ProjectApi } from '../api-client';
import { BatonError } from '../domain/errors';
import { loadCliConfig, type CliConfig } from './config';
import { CredentialStore, scopeKey } from './credentials';
import { exitWithError } from './output';

/** Options every command accepts (declared once on the root program). */
export interface GlobalOptions {
  project?: string;
  json?: boolean;
  as?: string;
  token?: string;
}

/** A token and (when known) the member it should belong to; the server checks both. */
export interface Identity {
  name?: string;
  token: string;
  /** Where it came from, for error messages. */
  source: string;
}

/**
 * What a command's action gets: global options, the CLI's configuration, and identities resolved by
 * fixed rules, never by "whoever registered last":
 *
 * - an agent (or any member) acts with `--token`/BATON_TOKEN, or the token saved under `--as NAME` /
 *   BATON_AGENT in the agents' store, or a human's BATON_HUMAN_TOKEN set for this shell; with none of
 *   them the command fails and says how to pick one;
 * - a human-only command acts with BATON_HUMAN_TOKEN (or a `bh_` BATON_TOKEN), or a token from the
 *   humans' store (`baton login`): the one named by `--as`/BATON_HUMAN, or the only one saved for this
 *   server and project. The humans' store is read only from a terminal (a TTY), never from an agent's
 *   non-interactive shell; scripts pass BATON_HUMAN_TOKEN.
 */
export class CliRuntime {
  readonly config: CliConfig = loadCliConfig();

  globals(command: Command): GlobalOptions {
    return command.optsWithGlobals() as GlobalOptions;
  }

  /** The project key: --project, then BATON_PROJECT. */
  project(command: Command): string {
    const key = this.globals(command).project ?? this.config.project;
    if (!key) throw new BatonError('INVALID_INPUT', 'project: no project given; pass --project <key> or set BATON_PROJECT.');
    return key;
  }

  scope(command: Command): string {
    return scopeKey(this.config.server, this.project(command));
  }

  /** A client with no identity (creating a project, registering an agent). */
  anonymous(): BatonApi {
    return new BatonApi({ baseUrl: this.config.server });
  }

  api(identity: Identity | undefined): BatonApi {
    return new BatonApi({ baseUrl: this.config.server, token: identity?.token, member: identity?.name });
  }

  /** The project through the server, as the member this shell acts as (agent rules above). */
  member(command: Command): ProjectApi {
    return this.api(this.memberIdentity(command)).project(this.project(command));
  }

  /** The project through the server, as a human (human rules above). */
  human(command: Command): ProjectApi {
    const identity = this.humanIdentity(command);
    this.sayWhoActs(command, identity);
    return this.api(identity).project(this.project(command));
  }

  /**
   * A read humans use first (`baton approvals`): as the human `approve` would act as (same rules),
   * so a terminal with a saved login lists as that human; a shell with no human identity at all (an
   * agent's) still reads as its member.
   */
  humanOrMember(command: Command): ProjectApi {
    let identity: Identity;
    try {
      identity = this.humanIdentity(command);
    } catch (humanErr) {
      if (!(humanErr instanceof BatonError) || humanErr.code !== 'UNAUTHORIZED') throw humanErr;
      try {
        identity = this.memberIdentity(command);
      } catch {
        throw humanErr; // neither: the human's error says how to log in
      }
      return this.api(identity).project(this.project(command));
    }
    this.sayWhoActs(command, identity);
    return this.api(identity).project(this.project(command));
  }

  private toldWhoActs = false;

  /**
   * A shell with an agent identity (BATON_AGENT / an agent's BATON_TOKEN) where a human-only command
   * acts with a human's token instead: say so once on stderr (stdout stays the command's answer, for
   * without --json), so nobody believes the agent acted.
   */
  private sayWhoActs(command: Command, identity: Identity): void {
    // --json: stderr carries only a failure's JSON error, which scripts parse.
    if (this.toldWhoActs || this.globals(command).json || identity.source === '--token' || identity.source === 'BATON_TOKEN') return;
    const agentToken = process.env.BATON_TOKEN && !process.env.BATON_TOKEN.startsWith('bh_') ? process.env.BATON_TOKEN : undefined;
    const agent = process.env.BATON_AGENT || (agentToken ? 'the member of BATON_TOKEN' : undefined);
    if (!agent || agent === identity.name) return;
    this.toldWhoActs = true;
    const who = identity.name ?? 'the human of BATON_HUMAN_TOKEN';
    process.stderr.write(`as ${who} (human login from ${identity.source}), not as ${agent}\n`);
  }

  memberIdentity(command: Command): Identity {
    const g = this.globals(command);
    const name = g.as ?? process.env.BATON_AGENT;
    const token = g.token ?? (g.as === undefined || g.as === process.env.BATON_AGENT ? process.env.BATON_TOKEN : undefined);
    if (token) return { name, token, source: g.token ? '--token' : 'BATON_TOKEN' };
    const scope = this.scope(command);
    const agents = CredentialStore.open('agents');
    if (name) {
      const saved = agents.get(scope, name);
      if (saved) return { ...saved, source: agents.file };
      // A human naming themselves explicitly (`--as alice`) may act as a member with their login.
      const human = g.as ? this.savedHuman(command, g.as) : undefined;
      if (human) return human;
      throw new BatonError('UNAUTHORIZED', `No token saved for ${name} in project ${this.project(command)} on ${this.config.server} (${agents.file}); pass --token, set BATON_TOKEN, or register with \`baton register\`.`);
    }
    // A shell set up for a human on purpose (BATON_HUMAN_TOKEN) acts as that human for member commands too.
    if (process.env.BATON_HUMAN_TOKEN) return { name: process.env.BATON_HUMAN, token: process.env.BATON_HUMAN_TOKEN, source: 'BATON_HUMAN_TOKEN' };
    const saved = agents.names(scope);
    throw new BatonError(
      'UNAUTHORIZED',
      `Which member are you? This shell has no identity: pass --as <name>${saved.length ? ` (saved here: ${saved.join(', ')})` : ''}, or set BATON_AGENT and BATON_TOKEN for this shell (\`baton register\` prints the exports). Humans: --as <your name> after \`baton login\`.`,
    );
  }

  humanIdentity(command: Command): Identity {
    const g = this.globals(command);
    if (g.token) return { name: g.as, token: g.token, source: '--token' };
    if (process.env.BATON_HUMAN_TOKEN) return { name: g.as ?? process.env.BATON_HUMAN, token: process.env.BATON_HUMAN_TOKEN, source: 'BATON_HUMAN_TOKEN' };
    if (process.env.BATON_TOKEN?.startsWith('bh_')) return { name: g.as ?? process.env.BATON_AGENT, token: process.env.BATON_TOKEN, source: 'BATON_TOKEN' };
    const name = g.as ?? process.env.BATON_HUMAN;
    if (name) {
      const found = this.savedHuman(command, name);
      if (found) return found;
      // Outside a terminal the login may well be saved: say that it is not read here, not that it is missing.
      this.humanStore(command);
      throw new BatonError('UNAUTHORIZED', `No human login for ${name} in project ${this.project(command)} on ${this.config.server}; run \`baton login --as ${name}\` (or set BATON_HUMAN_TOKEN).`);
    }
    const humans = this.humanStore(command);
    const saved = humans.names(this.scope(command));
    if (saved.length === 1) return { ...humans.get(this.scope(command), saved[0]!)!, source: humans.file };
    throw new BatonError(
      'UNAUTHORIZED',
      saved.length === 0
        ? `This needs a human: log in with \`baton login --project ${this.project(command)}\` (your token from \`baton init\` or \`baton invite\`), or set BATON_HUMAN_TOKEN.`
        : `Which human are you? Pass --as <name> (logged in here: ${saved.join(', ')}).`,
    );
  }

  /** The humans' store, read only from a terminal: an agent's shell has no TTY (see the class doc). */
  humanStore(command: Command): CredentialStore {
    const store = CredentialStore.open('humans');
    if (!process.stdin.isTTY) {
      throw new BatonError(
        'UNAUTHORIZED',
        `Human logins (${store.file}) are used only from a terminal; this shell is not interactive. A script acting for a human sets BATON_HUMAN_TOKEN. (Project ${this.project(command)}.)`,
      );
    }
    return store;
  }

  private savedHuman(command: Command, name: string): Identity | undefined {
    if (!process.stdin.isTTY) return undefined;
    const found = CredentialStore.open('humans').get(this.scope(command), name);
    return found && { ...found, source: 'humans store' };
  }

  /** Wrap an action: run it, print errors the CLI way, exit with the right code. */
  action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
    return async (...args: A) => {
      const command = args[args.length - 1] as Command;
      try {
        await fn(...args);
      } catch (err) {
        exitWithError(err, Boolean(this.globals(command).json));
      }
    };
  }
}
