import type { Command } from 'commander';
import { colors, printJson } from '../../cli/output';
import type { CliRuntime } from '../../cli/runtime';
import { formatDuration } from '../../domain/patterns/duration';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Emergency Response's own commands: `claim`, `postmortem`, `incident`. */
export function registerEmergencyCommands(program: Command, rt: CliRuntime): void {
  const out = (command: Command, value: unknown, text: string) => (rt.globals(command).json ? printJson(value) : console.log(text));

  program
    .command('claim')
    .description('Claim an emergency (agents; exactly one claim wins, the others hear who has it)')
    .argument('<workflow>', 'the emergency: baton/<project>/emergency-response/<id>, emergency-response/<id> or <id>')
    .option('--note <text>', 'what you are about to look at first')
    .addHelpText('after', '\nExample:\n  $ baton claim emergency-response/payments-500s-1a2b3c --as RedFox')
    .action(
      rt.action(async (workflow: string, opts: { note?: string }, command: Command) => {
        const r = await rt.member(command).patterns.claim(workflow, opts.note);
        out(command, r, `${colors.green('claimed')} ${r.workflowId}\n  ${r.message}`);
      }),
    );

  program
    .command('postmortem')
    .description('File the post-mortem that closes an emergency (the claimant; broadcast to the team)')
    .argument('<workflow>', 'the emergency workflow id')
    .requiredOption('--summary <text>', 'what happened and its impact')
    .requiredOption('--root-cause <text>', 'what caused it')
    .option('--learning <text>', 'a learning (repeat; at least one)', collect)
    .option('--follow-up <text>', 'a follow-up action (repeat)', collect)
    .addHelpText('after', '\nExample:\n  $ baton postmortem emergency-response/payments-500s-1a2b3c --summary "Charges failed for 20 min" \\\n      --root-cause "null customer on guest checkout" --learning "Guard optional fields" --learning "Alert on 5xx rate"')
    .action(
      rt.action(async (workflow: string, opts: { summary: string; rootCause: string; learning?: string[]; followUp?: string[] }, command: Command) => {
        const r = await rt.member(command).patterns.postMortem(workflow, { summary: opts.summary, rootCause: opts.rootCause, learnings: opts.learning ?? [], followUps: opts.followUp ?? [] });
        out(command, r, `${colors.green('accepted')} ${r.message}`);
      }),
    );

  program
    .command('incident')
    .description('Show an emergency: phase, claimant, reopens, times to claim/fix/approve/deploy, post-mortem')
    .argument('<workflow>', 'the emergency workflow id')
    .addHelpText('after', '\nExample:\n  $ baton incident emergency-response/payments-500s-1a2b3c --json')
    .action(
      rt.action(async (workflow: string, _opts: object, command: Command) => {
        const i = await rt.member(command).patterns.incident(workflow);
        if (rt.globals(command).json) return printJson(i);
        const t = (ms?: number) => (ms === undefined ? '-' : formatDuration(ms));
        console.log(`${colors.bold(i.title)}  ${colors.yellow(i.phase)}  claimant: ${i.claimant ?? colors.red('nobody yet')}${i.reopens ? colors.red(`  reopened ${i.reopens}x`) : ''}`);
        console.log(colors.dim(i.workflowId));
        console.log(`time to claim ${t(i.times.timeToClaimMs)} · fix ${t(i.times.timeToFixMs)} · approve ${t(i.times.timeToApproveMs)} · deploy ${t(i.times.timeToDeployMs)}`);
        if (i.postMortem) console.log(`\npost-mortem: ${i.postMortem.summary}\n  root cause: ${i.postMortem.rootCause}\n${i.postMortem.learnings.map((l) => `  - ${l}`).join('\n')}`);
      }),
    );
}
