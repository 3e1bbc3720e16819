import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';
import * as doctor from './doctor';
import * as members from './members';
import * as humans from './humans';
import * as projects from './projects';
import * as services from './services';
import * as messages from './messages';
import * as mcp from './mcp';
import * as reservations from './reservations';
import * as guard from './guard';
import * as patterns from './patterns';
import * as patterns2 from './patterns2';
import * as notify from './notify';

/** Every `baton` command; each module registers its own subcommand(s). */
const commands: { register(program: Command, rt: CliRuntime): void }[] = [doctor, services, humans, members, projects, messages, mcp, reservations, guard, patterns, patterns2, notify];

export function registerCommands(program: Command, rt: CliRuntime): void {
  for (const command of commands) command.register(program, rt);
}
