/**
 * The hooks' backend through the Baton server (what `baton hooks run` uses): one HTTP request per hook
 * call, as the member this shell (or the agent's hook environment) is.
 *
 * - project: BATON_PROJECT, else `git config baton.project` (as the git guard; setting BATON_PROJECT
 *   saves the hook a git process);
 * - identity: BATON_TOKEN, else the token saved for BATON_AGENT (or `git config baton.agent`) by
 *   `baton register`, else a human's (BATON_HUMAN_TOKEN): src/guard/check.ts#guardToken;
 * - server: BATON_SERVER (default http://127.0.0.1:7300).
 * Missing pieces fail like any unreachable server would (the runner says "not checked" and why).
 */
import { BatonApi } from '../api-client';
import { loadCliConfig } from '../cli/config';
import { BatonError } from '../domain/errors';
import { guardToken } from '../guard/check';
import { gitConfig } from '../guard/git';
import { checkAnswerFromResult, reserveAnswerFromResult, type HookBackend, type HookContext } from './backend';

export function serverBackend(context: HookContext): HookBackend {
  const { env, dir } = context;
  const project = env.BATON_PROJECT || gitConfig(dir, 'baton.project');
  if (!project) throw new BatonError('INVALID_INPUT', 'no project: set BATON_PROJECT in the agent\'s environment (or `git config baton.project <key>`)');
  const agent = env.BATON_AGENT || (env.BATON_TOKEN ? undefined : gitConfig(dir, 'baton.agent'));
  const identity = guardToken(env, project, agent);
  if (!identity) {
    throw new BatonError('UNAUTHORIZED', `no identity for project ${project}: give the agent BATON_AGENT and BATON_TOKEN (\`baton register --print-env\` prints them)`);
  }
  const api = new BatonApi({ baseUrl: loadCliConfig(env).server, token: identity.token, member: identity.name }).project(project);
  return {
    check: async (paths) => checkAnswerFromResult(await api.reservations.check({ paths, exclusive: true })),
    reserve: async (paths, reason) => reserveAnswerFromResult(await api.reservations.reserve({ patterns: paths, reason, exclusive: true })),
    attention: async () => {
      const view = await api.messages.attention();
      return { items: view.items, more: view.more };
    },
  };
}
