import { defineTool, type Tool, type ToolCall } from '../../mcp/toolbox';
import { ReviewInput } from '../../schemas/patterns';
import { acked, workflowField } from '../tool-fields';

// The verdict carries the session's `agent`, never the agent's arguments.
const agent = ({ session }: ToolCall) => session.actor().name;

/** Code Review's own tool: the reviewer's verdict. */
export function codeReviewTools(): Tool[] {
  return [
    defineTool({
      name: 'review',
      title: 'Give a review verdict',
      description: 'As the reviewer of a code review: approve, or request_changes with at least one required comment (suggestions are optional).',
      schema: ReviewInput,
      what: 'review',
      fill: { agent },
      extra: workflowField,
      async run({ verdict, required, suggestions, summary }, { session }, extra) {
        return acked(await session.project().codeReview.review(extra.workflow as string, session.actor(), { verdict, required, suggestions, summary }));
      },
    }),
  ];
}
