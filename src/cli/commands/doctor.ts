import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';
import { colors, printJson } from '../output';
import { BATON_SEARCH_ATTRIBUTES } from '../../search-attributes';

export function register(program: Command, rt: CliRuntime): void {
  program
    .command('doctor')
    .description('Check the connection to Temporal, the search attributes and (with --project) a round trip to the project workflow')
    .addHelpText('after', '\nExample:\n  $ baton doctor --project acme/web')
    .action(
      rt.action(async (_opts: object, command: Command) => {
        const baton = await rt.baton();
        const info = await baton.temporal.workflowService.getSystemInfo({});
        const attrs = await baton.temporal.connection.operatorService.listSearchAttributes({ namespace: rt.config.namespace });
        const missing = Object.keys(BATON_SEARCH_ATTRIBUTES).filter((k) => !(k in (attrs.customAttributes ?? {})));
        const projectKey = rt.globals(command).project ?? rt.config.project;
        let roundTripMs: number | undefined;
        if (projectKey) {
          const started = Date.now();
          await baton.project(projectKey).ping();
          roundTripMs = Date.now() - started;
        }
        const report = {
          address: rt.config.address,
          namespace: rt.config.namespace,
          serverVersion: info.serverVersion,
          taskQueue: rt.config.taskQueue,
          missingSearchAttributes: missing,
          project: projectKey ?? null,
          roundTripMs: roundTripMs ?? null,
        };
        if (rt.globals(command).json) return printJson(report);
        console.log(`${colors.green('ok')} Temporal ${report.serverVersion} at ${report.address} (namespace ${report.namespace})`);
        console.log(missing.length ? `${colors.yellow('warn')} search attributes missing: ${missing.join(', ')} (run npm start once)` : `${colors.green('ok')} search attributes registered`);
        if (projectKey) console.log(`${colors.green('ok')} project ${projectKey}: round trip ${roundTripMs} ms (is a worker running? it answered)`);
      }),
    );
}
