import type { Command } from 'commander';
import type { CliRuntime } from '../runtime';
import { resolveIdentity, saveCredentials } from '../credentials';
import { BatonError } from '../../domain/errors';
import { McpSession, type SessionIdentity } from '../../mcp/session';
import { batonTools } from '../../mcp/server';
import { serveStdio } from '../../mcp/stdio';
import { IDENTITY_HEADERS, serveHttp } from '../../mcp/http';

export const DEFAULT_MCP_PORT = 7391;

export function register(program: Command, rt: CliRuntime): void {
  program
    .command('mcp')
    .description('Run Baton\'s MCP server for coding agents: over stdio (default) or streamable HTTP on 127.0.0.1 (--http)')
    .option('--http', 'serve streamable HTTP on 127.0.0.1 for several agents, each session with its own identity')
    .option('--port <port>', `HTTP port (with --http; 0 picks a free one)`, String(DEFAULT_MCP_PORT))
    .addHelpText(
      'after',
      [
        '',
        'Identity: over stdio the session acts as BATON_AGENT/BATON_TOKEN (or --as/--token); without them the agent calls the',
        `\`register\` or \`login\` tool. Over HTTP each session sends ${IDENTITY_HEADERS.agent}/${IDENTITY_HEADERS.token} headers or calls register/login.`,
        'Nothing but the protocol is written to stdout; diagnostics go to stderr.',
        '',
        'Examples:',
        '  $ BATON_PROJECT=acme/web BATON_AGENT=BoldMountain BATON_TOKEN=bt_... baton mcp',
        '  $ baton mcp --http --port 7391 --project acme/web',
      ].join('\n'),
    )
    .action(
      rt.action(async (opts: { http?: boolean; port: string }, command: Command) => {
        const project = rt.globals(command).project ?? rt.config.project;
        const baton = await rt.baton();
        const tools = batonTools({ onRegistered: (key, reg) => saveCredentials(rt, key, reg.member.name, reg.token) });
        if (opts.http) {
          const port = Number(opts.port);
          if (!Number.isInteger(port) || port < 0 || port > 65535) throw new BatonError('INVALID_INPUT', `--port: must be a port number 0..65535 (got ${opts.port})`);
          const running = await serveHttp({ baton, tools, project, port });
          process.stderr.write(`Baton MCP server on ${running.url} (streamable HTTP, loopback only)${project ? ` for project ${project}` : ''}. Ctrl-C stops it.\n`);
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
          await running.close();
          return;
        }
        await serveStdio(new McpSession(baton, { project, identity: stdioIdentity(rt, command) }), tools);
      }),
    );
}

/**
 * The stdio session's identity when one is named (--as or BATON_AGENT). Without a name the session
 * starts anonymous rather than taking the last identity saved on this machine, which may be another
 * agent's: the agent then calls `register` or `login`.
 */
function stdioIdentity(rt: CliRuntime, command: Command): SessionIdentity | undefined {
  const opts = command.optsWithGlobals() as { as?: string };
  if (!opts.as && !process.env.BATON_AGENT) return undefined;
  return resolveIdentity(rt, command);
}
