import type { Command } from 'commander';
import { BatonClient } from '../client';
import { loadConfig, type BatonConfig } from '../config';
import { BatonError } from '../domain/errors';
import { exitWithError } from './output';

/** Options every command accepts (declared once on the root program). */
export interface GlobalOptions {
  project?: string;
  json?: boolean;
}

/**
 * What a command's action gets: parsed global options, the config, and a lazily connected client (so
 * `--help` and input errors never wait for a server).
 */
export class CliRuntime {
  readonly config: BatonConfig = loadConfig();
  private client?: Promise<BatonClient>;

  baton(): Promise<BatonClient> {
    this.client ??= BatonClient.connect(this.config);
    return this.client;
  }

  globals(command: Command): GlobalOptions {
    return command.optsWithGlobals() as GlobalOptions;
  }

  /** The project key: --project, then BATON_PROJECT. */
  project(command: Command): string {
    const key = this.globals(command).project ?? this.config.project;
    if (!key) throw new BatonError('INVALID_INPUT', 'project: no project given; pass --project <key> or set BATON_PROJECT.');
    return key;
  }

  /** Wrap an action: run it, print errors the CLI way, close the connection, exit with the right code. */
  action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
    return async (...args: A) => {
      const command = args[args.length - 1] as Command;
      try {
        await fn(...args);
        if (this.client) await (await this.client).close();
      } catch (err) {
        exitWithError(err, Boolean(this.globals(command).json));
      }
    };
  }
}
