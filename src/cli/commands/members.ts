import { Command, Option } from 'commander';
import type { CliRuntime } from '../runtime';
import { positiveWholeNumber } from '../numeric-options';
import { colors, printJson, relativeTime, table } from '../output';
import { CredentialStore } from '../credentials';
import type { MemberView } from '../../schemas/agents';

const statusColor = (text: string, m: MemberView) => (m.status === 'active' ? colors.green(text) : m.status === 'idle' ? colors.yellow(text) : colors.dim(text));

/** The shell lines that make this shell (only this one) act as a member. */
export const exportsFor = (server: string, project: string, name: string, token: string, defaultServer: boolean) =>
  `export ${defaultServer ? '' : `BATON_SERVER=${server} `}BATON_PROJECT=${project} BATON_AGENT=${name} BATON_TOKEN=${token}`;

/** Agents and members: register, whoami, agents, retire, rotate-token. */
export function register(program: Command, rt: CliRuntime): void {
  program
    .command('register')
    .description('Register an agent in a project: a memorable name and a token (shown once, saved under that name)')
    .option('--name <name>', 'ask for a specific name (an adjective+noun like BoldMountain)')
    .option('--program <program>', 'the coding agent program, e.g. claude-code, codex, cursor')
    .option('--model <model>', 'the model behind it, e.g. opus')
    .option('--task <description>', 'what it is working on')
    .addOption(new Option('--contact-policy <policy>', 'who may message it').choices(['open', 'auto', 'contacts_only', 'block_all']).default('auto'))
    .option('--no-save', 'do not save the token (print it only)')
    .option('--print-env', 'print only the export line (for `eval "$(baton register --print-env ...)"`)')
    .addHelpText(
      'after',
      [
        '',
        'The new identity is for this shell only: nothing becomes the default of other shells. Make this shell act as it',
        'with the printed export line (BATON_AGENT, BATON_TOKEN), or name it in each command with --as <name>.',
        'Tokens are saved in $BATON_CREDENTIALS (default ~/.config/baton/credentials.json, mode 0600); humans join with `baton init`/`baton invite` instead.',
        '',
        'Examples:',
        '  $ baton register --project acme/web --program claude-code --model opus --task "auth API"',
        '  $ eval "$(baton register --project acme/web --program codex --print-env)"',
      ].join('\n'),
    )
    .action(
      rt.action(async (opts: { name?: string; program?: string; model?: string; task?: string; contactPolicy: string; save: boolean; printEnv?: boolean }, command: Command) => {
        const project = rt.project(command);
        const store = CredentialStore.open('agents');
        if (opts.save) store.assertReadable();
        const { member, token } = await rt
          .anonymous()
          .project(project)
          .agents.register({ name: opts.name, program: opts.program, model: opts.model, task: opts.task, contactPolicy: opts.contactPolicy as 'auto' });
        if (opts.save) store.save(rt.scope(command), member.name, token);
        const line = exportsFor(rt.config.server, project, member.name, token, !process.env.BATON_SERVER);
        if (opts.printEnv) return console.log(line);
        if (rt.globals(command).json) return printJson({ ...member, token, project, credentialsFile: opts.save ? store.file : null, exports: line });
        console.log(`${colors.green('Registered')} ${colors.bold(member.name)} (agent) in project ${project}.`);
        console.log(`Token (shown once): ${token}`);
        if (opts.save) console.log(colors.dim(`Saved under ${member.name} in ${store.file}.`));
        console.log(`Act as ${member.name} in this shell:\n  ${colors.cyan(line)}`);
        console.log(colors.dim(`or name it per command: --as ${member.name}.`));
      }),
    );

  program
    .command('whoami')
    .description('Show who this shell acts as (the server checks the token)')
    .addHelpText('after', '\nExample:\n  $ baton whoami --project acme/web')
    .action(
      rt.action(async (_opts: object, command: Command) => {
        const member = await rt.member(command).agents.whoami();
        if (rt.globals(command).json) return printJson(member);
        console.log(`${colors.bold(member.name)} (${member.kind}, ${member.trust}, ${member.status}) in project ${rt.project(command)} on ${rt.config.server}`);
        if (member.program || member.model) console.log(`  ${[member.program, member.model].filter(Boolean).join(' / ')}`);
        if (member.task) console.log(`  task: ${member.task}`);
        console.log(`  contact policy: ${member.contactPolicy}; successful tasks: ${member.successfulTasks}`);
      }),
    );

  program
    .command('agents')
    .description('List the members of a project: name, kind, program, status, last active, trust')
    .option('--all', 'include retired members')
    .addOption(new Option('--kind <kind>', 'only agents or only humans').choices(['agent', 'human']))
    .option('--limit <n>', 'at most this many members (a page)', positiveWholeNumber('--limit'))
    .option('--after <cursor>', 'the page after this cursor (printed as "more: --after ...")')
    .addHelpText('after', '\nExamples:\n  $ baton agents --project acme/web\n  $ baton agents --limit 50 --after 1767225600000.silverphoenix')
    .action(
      rt.action(async (opts: { all?: boolean; kind?: 'agent' | 'human'; limit?: number; after?: string }, command: Command) => {
        const { members, next } = await rt.member(command).agents.page({ all: Boolean(opts.all), kind: opts.kind, limit: opts.limit, after: opts.after });
        // JSON stays the array; the cursor of the next page goes to stderr.
        if (rt.globals(command).json) {
          if (next !== undefined) console.error(`more: --after ${next}`);
          return printJson(members);
        }
        if (members.length === 0) return console.log(colors.dim(opts.after ? 'No more members.' : 'No members yet. Agents join with `baton register`.'));
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
        if (next !== undefined) console.log(colors.dim(`more: --after ${next}`));
      }),
    );

  program
    .command('retire [name]')
    .description('Retire a member: yourself, or (humans) anyone; its reservations are released; mail and history stay')
    .option('--human', 'act as a human (retiring someone else needs a human\'s token)')
    .addHelpText('after', '\nExamples:\n  $ baton retire --as SwiftEagle\n  $ baton retire SwiftEagle --human --project acme/web')
    .action(
      rt.action(async (name: string | undefined, opts: { human?: boolean }, command: Command) => {
        const identity = opts.human ? rt.humanIdentity(command) : rt.memberIdentity(command);
        const api = rt.api(identity).project(rt.project(command));
        const target = name ?? identity.name ?? (await api.agents.whoami()).name;
        const member = await api.agents.retire(target);
        if (!opts.human && identity.name && member.name.toLowerCase() === identity.name.toLowerCase()) CredentialStore.open('agents').forget(rt.scope(command), member.name);
        if (rt.globals(command).json) return printJson(member);
        console.log(`${colors.green('Retired')} ${member.name}. Its token no longer works; its mail and history stay.`);
        if (member.released.length) {
          console.log(`Released ${member.released.length === 1 ? 'its reservation' : `its ${member.released.length} reservations`} (in the audit trail: baton reservations --audit):`);
          for (const r of member.released) console.log(`  ${r.pattern}  ${colors.dim(`(${r.id}, ${r.exclusive ? 'exclusive' : 'shared'})`)}`);
        }
      }),
    );

  program
    .command('rotate-token [name]')
    .description('Replace a token: your own (the old one stops working at once), or (humans) any member\'s')
    .option('--human', 'act as a human (your own human token, or another member\'s)')
    .option('--no-save', 'do not save the new token')
    .addHelpText('after', '\nExamples:\n  $ baton rotate-token --as SwiftEagle\n  $ baton rotate-token SwiftEagle --human    # a human replaces a leaked agent token')
    .action(
      rt.action(async (name: string | undefined, opts: { human?: boolean; save: boolean }, command: Command) => {
        const identity = opts.human ? rt.humanIdentity(command) : rt.memberIdentity(command);
        const api = rt.api(identity).project(rt.project(command));
        const me = identity.name ?? (await api.agents.whoami()).name;
        const target = name ?? me;
        if (opts.save && target.toLowerCase() === me.toLowerCase()) CredentialStore.open(opts.human ? 'humans' : 'agents').assertReadable();
        const { member, token } = await api.agents.rotateToken(target);
        const own = member.name.toLowerCase() === me.toLowerCase();
        const store = CredentialStore.open(member.kind === 'human' ? 'humans' : 'agents');
        if (opts.save && own && (member.kind === 'agent' || process.stdin.isTTY)) store.save(rt.scope(command), member.name, token);
        if (rt.globals(command).json) return printJson({ member, token });
        console.log(`${colors.green('New token')} for ${member.name} (shown once): ${token}`);
        console.log(colors.dim(own ? `The old one no longer works.${opts.save ? ` Saved in ${store.file}.` : ''}` : `Give it to ${member.name}; the old one no longer works.`));
      }),
    );
}
