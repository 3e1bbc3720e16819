import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';
import { colors, printJson } from '../output';
import { install, status, uninstall, type GuardStatus, type HookName } from '../../guard/hooks';
import { runHook } from '../../guard/hook-main';

function print(rt: CliRuntime, command: Command, s: GuardStatus): void {
  if (rt.globals(command).json) return printJson(s);
  console.log(`${colors.bold('repository')}  ${s.repo}`);
  console.log(`${colors.bold('hooks')}       ${s.hooksDir}`);
  console.log(`${colors.bold('project')}     ${s.project ?? colors.dim('(git config baton.project unset: BATON_PROJECT at commit time)')}`);
  console.log(`${colors.bold('agent')}       ${s.agent ?? colors.dim('(git config baton.agent unset: BATON_AGENT at commit time)')}`);
  for (const h of s.hooks) {
    const state = h.installed ? (h.stale ? colors.yellow('installed, stale (run install again)') : colors.green('installed')) : colors.dim('not installed');
    console.log(`${h.hook.padEnd(11)} ${state}${h.chained ? colors.dim(`; then runs ${h.chained}`) : ''}`);
  }
  for (const w of s.warnings) console.log(`${colors.yellow('warning')} ${w}`);
}

export function register(program: Command, rt: CliRuntime): void {
  const guard = program
    .command('guard')
    .description('A git hook that refuses commits touching files under another agent\'s exclusive reservation')
    .addHelpText(
      'after',
      [
        '',
        'The hook checks the staged paths (both sides of a rename) with one read-only query. BATON_GUARD=warn only',
        'warns, BATON_GUARD=off skips it, `git commit --no-verify` skips it once. Existing hooks keep running.',
        '',
        'Examples:',
        '  $ baton guard install --project acme/web',
        '  $ baton guard install --pre-push',
        '  $ baton guard status',
        '  $ baton guard uninstall',
      ].join('\n'),
    );

  guard
    .command('install')
    .description('Add the Baton block to this repository\'s pre-commit hook (and pre-push with --pre-push); keeps existing hooks')
    .option('--pre-push', 'also check what a push sends')
    .option('--agent <name>', 'record `git config baton.agent` (only for a clone one agent uses; otherwise set BATON_AGENT per agent)')
    .addHelpText('after', '\nExample:\n  $ baton guard install --project acme/web --pre-push')
    .action(
      rt.action(async (opts: { prePush?: boolean; agent?: string }, command: Command) => {
        const hooks: HookName[] = opts.prePush ? ['pre-commit', 'pre-push'] : ['pre-commit'];
        const project = rt.globals(command).project ?? rt.config.project;
        if (project) {
          // Validated before it is written (zod loads only here).
          /* eslint-disable @typescript-eslint/no-require-imports */
          const { ProjectKey } = require('../../domain/ids') as typeof import('../../domain/ids');
          const { parseInput } = require('../../domain/validation') as typeof import('../../domain/validation');
          /* eslint-enable @typescript-eslint/no-require-imports */
          parseInput(ProjectKey, project, 'project');
        }
        const s = install(process.cwd(), hooks, { project, agent: opts.agent });
        print(rt, command, s);
        if (!rt.globals(command).json && !s.project) console.log(colors.yellow('No project recorded: commits are checked only when BATON_PROJECT is set (or pass --project).'));
      }),
    );

  guard
    .command('uninstall')
    .description('Remove only the Baton block (and restore a hook it moved aside)')
    .addHelpText('after', '\nExample:\n  $ baton guard uninstall')
    .action(
      rt.action(async (_opts: object, command: Command) => {
        print(rt, command, uninstall(process.cwd(), ['pre-commit', 'pre-push']));
      }),
    );

  guard
    .command('status')
    .description('Show the hooks directory, what is installed, and what else runs')
    .addHelpText('after', '\nExample:\n  $ baton guard status --json')
    .action(
      rt.action(async (_opts: object, command: Command) => {
        print(rt, command, status(process.cwd()));
      }),
    );

  guard
    .command('check')
    .description('Run the pre-commit check now on the staged files (exit 1 when a file is blocked)')
    .addHelpText('after', '\nExample:\n  $ git add -A && baton guard check')
    .action(
      rt.action(async (_opts: object, command: Command) => {
        const project = rt.globals(command).project;
        let unchecked = false;
        const code = await runHook('pre-commit', process.cwd(), project ? { ...process.env, BATON_PROJECT: project } : process.env, { onUnchecked: () => (unchecked = true) });
        if (code !== 0) process.exit(code);
        // Not checked (the reason is on stderr): never "Clear." for files nobody looked at.
        if (!unchecked) console.log(colors.green('Clear.'));
      }),
    );
}
