import { Command, Option } from 'commander';
import type { CliRuntime } from '../runtime';
import { colors, printJson, relativeTime, table } from '../output';
import { forgetCredentials, resolveIdentity, saveCredentials, credentialsPath } from '../credentials';
import type { MemberView } from '../../schemas/agents';

const statusColor = (text: string, m: MemberView) => (m.status === 'active' ? colors.green(text) : m.status === 'idle' ? colors.yellow(text) : colors.dim(text));

export function register(program: Command, rt: CliRuntime): void {
  program
    .command('register')
    .description('Register an agent (gets a memorable name) or a human in a project; saves its token for later commands')
    .option('--name <name>', 'ask for a specific name (agents: adjective+noun like BoldMountain)')
    .option('--human', 'register a human (approves, rejects, force-releases)')
    .option('--program <program>', 'the coding agent program, e.g. claude-code, codex, cursor')
    .option('--model <model>', 'the model behind it, e.g. opus')
    .option('--task <description>', 'what it is working on')
    .addOption(new Option('--contact-policy <policy>', 'who may message it').choices(['open', 'auto', 'contacts_only', 'block_all']).default('auto'))
    .option('--no-save', 'do not save the token in the credentials file (print it only)')
    .addHelpText('after', '\nExamples:\n  $ baton register --project acme/web --program claude-code --model opus --task "auth API"\n  $ baton register --project acme/web --human --name alice')
    .action(
      rt.action(async (opts: { name?: string; human?: boolean; program?: string; model?: string; task?: string; contactPolicy: string; save: boolean }, command: Command) => {
        const project = rt.project(command);
        const baton = await rt.baton();
        let invitedBy;
        if (opts.human) {
          try {
            const me = resolveIdentity(rt, command);
            invitedBy = { kind: 'member' as const, name: me.name, token: me.token };
          } catch {
            // No credentials: fine for a human named in the settings or the project's first human.
          }
        }
        const { member, token } = await baton.project(project).agents.register({
          kind: opts.human ? 'human' : 'agent',
          name: opts.name,
          program: opts.program,
          model: opts.model,
          task: opts.task,
          contactPolicy: opts.contactPolicy as 'auto',
          invitedBy,
        });
        const file = opts.save ? saveCredentials(rt, project, member.name, token) : undefined;
        if (rt.globals(command).json) return printJson({ ...member, token, credentialsFile: file ?? null });
        console.log(`${colors.green('Registered')} ${colors.bold(member.name)} (${member.kind}) in project ${project}.`);
        console.log(`Token (shown once): ${token}`);
        if (file) console.log(colors.dim(`Saved to ${file}; later commands on this machine act as ${member.name} by default (or --as ${member.name}).`));
        console.log(colors.dim(`For another shell or an MCP config:  export BATON_PROJECT=${project} BATON_AGENT=${member.name} BATON_TOKEN=${token}`));
      }),
    );

  program
    .command('whoami')
    .description('Show who this shell acts as (checks the token with the project)')
    .addHelpText('after', '\nExample:\n  $ baton whoami --project acme/web')
    .action(
      rt.action(async (_opts: object, command: Command) => {
        const me = resolveIdentity(rt, command);
        const member = await (await rt.baton()).project(rt.project(command)).agents.whoami(me.name, me.token);
        if (rt.globals(command).json) return printJson(member);
        console.log(`${colors.bold(member.name)} (${member.kind}, ${member.trust}, ${member.status}) in project ${rt.project(command)}`);
        if (member.program || member.model) console.log(`  ${[member.program, member.model].filter(Boolean).join(' / ')}`);
        if (member.task) console.log(`  task: ${member.task}`);
        console.log(`  contact policy: ${member.contactPolicy}; successful tasks: ${member.successfulTasks}`);
      }),
    );

  program
    .command('agents')
    .description('List the members of a project: name, program, status, last active, trust')
    .option('--all', 'include retired members')
    .addOption(new Option('--kind <kind>', 'only agents or only humans').choices(['agent', 'human']))
    .addHelpText('after', '\nExample:\n  $ baton agents --project acme/web')
    .action(
      rt.action(async (opts: { all?: boolean; kind?: 'agent' | 'human' }, command: Command) => {
        const members = await (await rt.baton()).project(rt.project(command)).agents.list({ includeRetired: Boolean(opts.all), kind: opts.kind });
        if (rt.globals(command).json) return printJson(members);
        if (members.length === 0) return console.log(colors.dim('No members yet. Register one with `baton register`.'));
        console.log(
          table(members, [
            { header: 'NAME', value: (m) => m.name, color: (t) => colors.bold(t) },
            { header: 'KIND', value: (m) => m.kind },
            { header: 'PROGRAM', value: (m) => [m.program, m.model].filter(Boolean).join('/') || '-' },
            { header: 'STATUS', value: (m) => m.status, color: statusColor },
            { header: 'LAST ACTIVE', value: (m) => relativeTime(m.lastActiveAt) },
            { header: 'TRUST', value: (m) => `${m.trust} (${m.successfulTasks})` },
            { header: 'TASK', value: (m) => m.task ?? '' },
          ]),
        );
      }),
    );

  program
    .command('retire [name]')
    .description('Retire a member (yourself, or anyone if you are a human); mail and history stay')
    .addHelpText('after', '\nExample:\n  $ baton retire SwiftEagle --project acme/web --as alice')
    .action(
      rt.action(async (name: string | undefined, _opts: object, command: Command) => {
        const me = resolveIdentity(rt, command);
        const target = name ?? me.name;
        const project = rt.project(command);
        const member = await (await rt.baton()).project(project).agents.retire({ kind: 'member', name: me.name, token: me.token }, target);
        if (member.name.toLowerCase() === me.name.toLowerCase()) forgetCredentials(rt, project, me.name);
        if (rt.globals(command).json) return printJson(member);
        console.log(`${colors.green('Retired')} ${member.name}. ${colors.dim(`(credentials in ${credentialsPath()})`)}`);
      }),
    );
}
