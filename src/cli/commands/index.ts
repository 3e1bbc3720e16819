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
import * as hooks from './hooks';
import * as alerts from './alerts';
import * as notify from './notify';
import { registerPatternCommands } from '../../patterns/cli';

/** Every `baton` command; each module registers its own subcommand(s). */
const commands: { register(program: Command, rt: CliRuntime): void }[] = [doctor, services, humans, members, projects, messages, mcp, reservations, guard, hooks, { register: registerPatternCommands }, alerts, notify];

export function registerCommands(program: Command, rt: CliRuntime): void {
  for (const command of commands) command.register(program, rt);
}
