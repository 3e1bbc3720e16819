import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';
import { colors, printJson } from '../output';
import type { Health } from '../../schemas/api';
import type { CarriedReport } from '../../schemas/project';
import type { BatonError } from '../../domain/errors';

/** `baton doctor`: is the Baton server up, does it reach Temporal, does a worker run, who am I. */
export function register(program: Command, rt: CliRuntime): void {
  program
    .command('doctor')
    .description('Check the Baton server, its Temporal connection and worker, and (with --project) your identity there')
    .addHelpText('after', '\nExit code 8 when the server or Temporal cannot be reached.\n\nExample:\n  $ baton doctor --project acme/web')
    .action(
      rt.action(async (_opts: object, command: Command) => {
        const started = Date.now();
        const health: Health = await rt.anonymous().health();
        const serverMs = Date.now() - started;
        const projectKey = rt.globals(command).project ?? rt.config.project;
        let me: { name: string; kind: string } | { error: string } | null = null;
        let carried: CarriedReport | null = null;
        if (projectKey) {
          try {
            const member = await rt.member(command).agents.whoami();
            me = { name: member.name, kind: member.kind };
            carried = (await rt.member(command).describe()).carried ?? null;
          } catch (err) {
            me ??= { error: `[${(err as BatonError).code}] ${(err as Error).message}` };
          }
        }
        const report = { server: rt.config.server, serverMs, ...health, project: projectKey ?? null, identity: me, carried };
        if (rt.globals(command).json) return printJson(report);
        const ok = colors.green('ok  ');
        const warn = colors.yellow('warn');
        console.log(`${ok} Baton server ${rt.config.server} (${serverMs} ms)`);
        console.log(`${ok} Temporal ${health.temporal.version} at ${health.temporal.address} (namespace ${health.temporal.namespace})`);
        console.log(health.workers > 0 ? `${ok} ${health.workers} worker poller(s) on task queue ${health.taskQueue}` : `${warn} no worker polls task queue ${health.taskQueue}: start one (npm start, or npm run worker)`);
        console.log(health.missingSearchAttributes.length ? `${warn} search attributes missing: ${health.missingSearchAttributes.join(', ')} (the worker registers them on start)` : `${ok} search attributes registered`);
        if (me && 'name' in me) console.log(`${ok} you are ${me.name} (${me.kind}) in project ${projectKey}`);
        else if (me) console.log(`${warn} project ${projectKey}: ${me.error}`);
        // What the project workflow carries across continue-as-new, against Temporal's payload limit.
        if (carried) console.log(`${carried.bytes > carried.budget ? warn : ok} ${carried.summary}`);
      }),
    );
}
