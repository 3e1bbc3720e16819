import { z } from 'zod';
import { defineTool, type Tool, type ToolCall } from '../../mcp/toolbox';
import { ClaimInput, PostMortemInput } from './messages';

const agent = ({ session }: ToolCall) => session.actor().name;

/** Which emergency: its workflow id, <pattern>/<id>, or just the id (the client accepts all three). */
const incidentField = {
  workflow: z
    .string()
    .trim()
    .min(1, 'must name the emergency: the workflow id from the alert message, or its id')
    .max(500, 'is too long to be a workflow id')
    .describe('the emergency: the workflow id from the alert message (baton/<project>/emergency-response/<id>) or its id'),
};

export function emergencyTools(): Tool[] {
  return [
    defineTool({
      name: 'claim',
      title: 'Claim an emergency',
      description:
        'Take an Emergency Response alert: exactly one agent wins, the others get a CONFLICT naming who has it. ' +
        'The claimant gets the affected files reserved with priority, then reports with progress/done/fail.',
      schema: ClaimInput,
      what: 'claim',
      fill: { agent },
      extra: incidentField,
      async run(input, { session }, extra) {
        const result = await session.project().emergency.claim(extra.workflow as string, session.actor(), input.note);
        return { summary: result.message, data: result };
      },
    }),
    defineTool({
      name: 'post_mortem',
      title: 'File the post-mortem',
      description: 'As the claimant, close the emergency with a post-mortem: summary, root cause, at least one learning, follow-ups.',
      schema: PostMortemInput,
      what: 'post-mortem',
      fill: { agent },
      extra: incidentField,
      async run({ summary, rootCause, learnings, followUps }, { session }, extra) {
        const result = await session.project().emergency.postMortem(extra.workflow as string, session.actor(), { summary, rootCause, learnings, followUps });
        return { summary: result.message, data: result };
      },
    }),
    defineTool({
      name: 'incident',
      title: 'Show an emergency',
      description: 'An emergency\'s phase, claimant and times (time to claim, fix, approve, deploy).',
      schema: z.object(incidentField),
      what: 'incident request',
      readOnly: true,
      async run(input, { session }) {
        const view = await session.project().emergency.incident(input.workflow);
        return { summary: `${view.title}: ${view.phase}.`, data: view };
      },
    }),
  ];
}
