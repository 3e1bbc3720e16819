import { z } from 'zod';
import { AgentProfile, ListMembersInput } from '../../schemas/agents';
import { defineTool, type Tool } from '../toolbox';

export function agentTools(): Tool[] {
  return [
    defineTool({
      name: 'register',
      title: 'Register as an agent',
      description:
        'Join the project as an agent (only in a session opened without a token): you get a memorable name (e.g. BoldMountain) and a token, and this session acts as you from now on. ' +
        'Keep the token (`baton mcp` saves it for you): it proves who you are in later sessions. Say what program, model and task you are.',
      schema: AgentProfile,
      what: 'registration',
      async run(input, { session }) {
        if (session.identity) throw new Error(`This session already acts as ${session.identity.name}; open a new session to register another agent.`);
        const registration = await session.project().agents.register(input);
        session.adopt({ name: registration.member.name, kind: 'agent', epoch: 0 });
        return {
          summary: `Registered as ${registration.member.name} in project ${session.projectName}. This session now acts as ${registration.member.name}; keep the token for later sessions.`,
          data: { ...registration.member, token: registration.token, project: session.projectName },
        };
      },
    }),
    defineTool({
      name: 'whoami',
      title: 'Who am I',
      description: 'Show which member this session acts as: name, trust, status, task.',
      schema: z.object({}),
      what: 'request',
      readOnly: true,
      async run(_input, { session }) {
        const member = await session.project().agents.whoami(session.actor());
        return { summary: `You are ${member.name} (${member.kind}, ${member.trust}, ${member.status}) in project ${session.projectName}.`, data: member };
      },
    }),
    defineTool({
      name: 'agents',
      title: 'List project members',
      description: 'List the agents and humans of the project: name, program, status, last activity, trust, task. Use it to find whom to message. A page at a time: pass `next` back as `after` for more.',
      schema: ListMembersInput,
      what: 'member filter',
      readOnly: true,
      async run(input, { session }) {
        session.actor();
        const { members, next, total } = await session.project().agents.page(input);
        const more = next === undefined ? '' : ` Showing ${members.length} of ${total}; for more, call again with after: "${next}".`;
        return { summary: `${members.length} member${members.length === 1 ? '' : 's'} in project ${session.projectName}.${more}`, data: next === undefined ? { members } : { members, next } };
      },
    }),
  ];
}
