import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';
import { colors, printJson } from '../output';
import { CredentialStore } from '../credentials';
import { ask } from '../prompt';
import { BatonError } from '../../domain/errors';

/**
 * Humans: a project is created on purpose with its first human (`init`), humans invite humans
 * (`invite`), and a human's token lives in the humans' store, apart from agents' (`login`/`logout`).
 */
export function register(program: Command, rt: CliRuntime): void {
  program
    .command('init')
    .description('Create a project with you as its first human; prints your human token once (and saves it as your login)')
    .requiredOption('--human <name>', 'your name (you approve, reject, force-release, invite other humans)')
    .option('--replace', 're-create a key whose project ended (you must be a human of the ended project: uses your login)')
    .option('--no-save', 'do not save the token as your login (print it only)')
    .addHelpText(
      'after',
      [
        '',
        'Nothing else creates a project: a command for a project that does not exist says so, and an ended project is never',
        'restarted silently. Agents then join with `baton register --project <key>`; other humans with `baton invite <name>`.',
        '',
        'Examples:',
        '  $ baton init --project acme/web --human alice',
        '  $ baton init --project acme/web --human alice --replace    # after `baton shutdown`',
      ].join('\n'),
    )
    .action(
      rt.action(async (opts: { human: string; replace?: boolean; save: boolean }, command: Command) => {
        const project = rt.project(command);
        const api = opts.replace ? rt.api(rt.humanIdentity(command)) : rt.anonymous();
        const store = CredentialStore.open('humans');
        if (opts.save) store.assertReadable();
        const created = await api.initProject({ project, human: opts.human, replace: opts.replace ?? false });
        if (opts.save) store.save(rt.scope(command), created.member.name, created.token);
        if (rt.globals(command).json) return printJson({ ...created, loginFile: opts.save ? store.file : null });
        console.log(`${colors.green(created.replaced ? 'Re-created' : 'Created')} project ${colors.bold(project)} with ${colors.bold(created.member.name)} as its first human.`);
        console.log(`Human token (shown once): ${created.token}`);
        console.log(colors.dim(opts.save ? `Saved as your login in ${store.file} (read only from a terminal; never where agents' tokens are).` : 'Not saved: log in later with `baton login`.'));
        console.log(`Next: agents join with ${colors.cyan(`baton register --project ${project}`)}; invite humans with ${colors.cyan('baton invite <name>')}.`);
      }),
    );

  program
    .command('login')
    .description('Save a human\'s token (from `baton init` or `baton invite`) in the humans\' store, after the server checks it')
    .option('--name <name>', 'who you are (checked against the token)')
    .addHelpText(
      'after',
      [
        '',
        'The token is asked for on the terminal (hidden), or read from BATON_HUMAN_TOKEN. The humans\' store',
        '($BATON_HUMAN_CREDENTIALS, default ~/.config/baton/humans.json) is a separate file from agents\' tokens and',
        'is read only from a terminal. An agent running under your OS account can still read the file: run agents',
        'as another OS user or in a container (README, "The Baton server, agents and humans (trust model)").',
        '',
        'Example:',
        '  $ baton login --project acme/web',
      ].join('\n'),
    )
    .action(
      rt.action(async (opts: { name?: string }, command: Command) => {
        const project = rt.project(command);
        const token = process.env.BATON_HUMAN_TOKEN || (await ask('Human token (bh_...): ', { secret: true, what: 'token', otherwise: `set BATON_HUMAN_TOKEN to the human's token (bh_..., from \`baton init\` or \`baton invite\`), e.g. BATON_HUMAN_TOKEN=bh_... baton login --project ${project}` }));
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- zod loads only when a token is checked
        const { Token } = require('../../schemas/actor') as typeof import('../../schemas/actor');
        const parsed = Token.safeParse(token);
        if (!parsed.success) throw new BatonError('INVALID_INPUT', `token ${parsed.error.issues[0]?.message}`);
        const me = await rt.api({ name: opts.name, token: parsed.data, source: 'login' }).project(project).agents.whoami();
        if (me.kind !== 'human') throw new BatonError('FORBIDDEN', `That token is ${me.name}'s, an agent: agents' tokens are never saved as a human login. Agents use BATON_AGENT/BATON_TOKEN or --as.`);
        const store = CredentialStore.open('humans');
        store.save(rt.scope(command), me.name, parsed.data);
        if (rt.globals(command).json) return printJson({ ...me, loginFile: store.file });
        console.log(`${colors.green('Logged in')} as ${colors.bold(me.name)} (human) in project ${project} on ${rt.config.server}.`);
      }),
    );

  program
    .command('logout')
    .description('Forget a human login on this machine (the token itself keeps working; `baton rotate-token --human` replaces it)')
    .option('--name <name>', 'which login (default: the only one for this project)')
    .addHelpText('after', '\nExample:\n  $ baton logout --project acme/web')
    .action(
      rt.action(async (opts: { name?: string }, command: Command) => {
        const store = CredentialStore.open('humans');
        const scope = rt.scope(command);
        const names = store.names(scope);
        const name = opts.name ?? (names.length === 1 ? names[0] : undefined);
        if (!name) throw new BatonError('INVALID_INPUT', names.length ? `name: pass --name (logged in here: ${names.join(', ')})` : `Nobody is logged in to project ${rt.project(command)} here.`);
        const removed = store.forget(scope, name);
        if (rt.globals(command).json) return printJson({ name, removed });
        console.log(removed ? `${colors.green('Logged out')} ${name}.` : colors.dim(`${name} was not logged in here.`));
      }),
    );

  program
    .command('invite <name>')
    .description('Humans only: add another human to the project; prints their token once, for them to `baton login`')
    .addHelpText('after', '\nExample:\n  $ baton invite bob --project acme/web')
    .action(
      rt.action(async (name: string, _opts: object, command: Command) => {
        const { member, token } = await rt.human(command).agents.inviteHuman(name);
        if (rt.globals(command).json) return printJson({ member, token });
        console.log(`${colors.green('Invited')} ${colors.bold(member.name)} as a human of project ${rt.project(command)}.`);
        console.log(`Their token (shown once; give it to them privately): ${token}`);
        console.log(colors.dim(`They run: baton login --project ${rt.project(command)}`));
      }),
    );
}
