import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';
import { CredentialStore } from '../credentials';
import { BatonError } from '../../domain/errors';

/**
 * `baton mcp`: Baton's MCP tools for a coding agent that spawns a stdio server. The tools run on the
 * Baton server (streamable HTTP at /mcp); this command only pipes stdio to it, with the agent's token.
 */
export function register(program: Command, rt: CliRuntime): void {
  program
    .command('mcp')
    .description("Serve Baton's MCP tools over stdio for an agent that spawns it (a pipe to the Baton server's /mcp)")
    .option('--tools <profile>', 'all (default), or core: reserve, check, release, send, inbox, done (a smaller tool list costs the agent less context)', 'all')
    .addHelpText(
      'after',
      [
        '',
        'Identity: the session acts as BATON_AGENT/BATON_TOKEN (or --as with a saved token); without one the agent calls',
        'the `register` tool, and the new token is saved like `baton register` saves it. Clients that speak streamable HTTP',
        'can skip this command: point them at <server>/mcp with `Authorization: Bearer <token>` and `X-Baton-Project`.',
        'Nothing but the protocol is written to stdout; diagnostics go to stderr.',
        '',
        'Examples:',
        '  $ BATON_PROJECT=acme/web BATON_AGENT=BoldMountain BATON_TOKEN=bt_... baton mcp',
        '  $ baton mcp --project acme/web --as BoldMountain --tools core',
      ].join('\n'),
    )
    .action(
      rt.action(async (opts: { tools: string }, command: Command) => {
        if (opts.tools !== 'all' && opts.tools !== 'core') throw new BatonError('INVALID_INPUT', `--tools: "${opts.tools}" is not a profile; use all or core.`);
        const project = rt.project(command);
        const named = rt.globals(command).as ?? process.env.BATON_AGENT ?? rt.globals(command).token ?? process.env.BATON_TOKEN;
        // Without a chosen identity the session starts anonymous (the agent registers): never another agent's token.
        const identity = named ? rt.memberIdentity(command) : undefined;
        const { proxyStdio } = await import('../../mcp/stdio-proxy');
        await proxyStdio({
          url: `${rt.config.server}/mcp`,
          project,
          token: identity?.token,
          member: identity?.name,
          tools: opts.tools,
          onRegistered: (name, token) => CredentialStore.open('agents').save(rt.scope(command), name, token),
          log: (line) => process.stderr.write(line + '\n'),
        });
      }),
    );
}
