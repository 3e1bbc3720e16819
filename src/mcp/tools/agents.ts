import { z } from 'zod';
import { ProjectKey } from '../../domain/ids';
import { ListMembersInput, RegisterInput, WhoamiInput } from '../../schemas/agents';
import type { Registration } from '../../client/agents';
import { defineTool, type Tool } from '../toolbox';

/** Optional on register/login: an HTTP server started without --project serves any project. */
const projectField = { project: ProjectKey.optional().describe('project key; defaults to the server\'s BATON_PROJECT / --project') };

/** Called after `register` with the new identity (the CLI saves it like `baton register` does). */
export type OnRegistered = (project: string, registration: Registration) => void;

export function agentTools(onRegistered?: OnRegistered): Tool[] {
  return [
    defineTool({
      name: 'register',
      title: 'Register as an agent',
      description:
        'Join the project as an agent: you get a memorable name (e.g. BoldMountain) and a token, and this session acts as you from now on. ' +
        'Keep the token: with `login` it proves who you are in a later session. Say what program, model and task you are.',
      // Agents register as agents; the client generates the token and sends only its hash.
      schema: RegisterInput.omit({ tokenHash: true, invitedBy: true, kind: true }),
      what: 'registration',
      extra: projectField,
      async run(input, { session }, extra) {
        session.useProject(extra.project as string | undefined);
        const project = session.project();
        const registration = await project.agents.register({ ...input, kind: 'agent' });
        session.adopt({ name: registration.member.name, token: registration.token });
        onRegistered?.(project.key, registration);
        return {
          summary: `Registered as ${registration.member.name} in project ${project.key}. This session now acts as ${registration.member.name}; keep the token to log in again later.`,
          data: { ...registration.member, token: registration.token, project: project.key },
        };
      },
    }),
    defineTool({
      name: 'login',
      title: 'Log in as a registered member',
      description: 'Act as a member registered earlier: give its name and the token registration returned. The token is checked; a wrong one is refused.',
      schema: WhoamiInput,
      what: 'identity',
      extra: projectField,
      async run(input, { session }, extra) {
        session.useProject(extra.project as string | undefined);
        const member = await session.login(input.name, input.token);
        return { summary: `This session now acts as ${member.name} in project ${session.projectName}.`, data: member };
      },
    }),
    defineTool({
      name: 'whoami',
      title: 'Who am I',
      description: 'Show which member this session acts as (the token is checked with the project): name, trust, status, task.',
      schema: z.object({}),
      what: 'request',
      readOnly: true,
      async run(_input, { session }) {
        const me = session.actor();
        const member = await session.project().agents.whoami(me.name, me.token);
        return { summary: `You are ${member.name} (${member.kind}, ${member.trust}, ${member.status}) in project ${session.projectName}.`, data: member };
      },
    }),
    defineTool({
      name: 'agents',
      title: 'List project members',
      description: 'List the agents and humans of the project: name, program, status, last activity, trust, task. Use it to find whom to message.',
      schema: ListMembersInput,
      what: 'member filter',
      readOnly: true,
      async run(input, { session }) {
        const members = await session.project().agents.list(input);
        return { summary: `${members.length} member${members.length === 1 ? '' : 's'} in project ${session.projectName}.`, data: { members } };
      },
    }),
  ];
}
