import { z } from 'zod';
import { defineTool, type Tool, type ToolCall } from '../mcp/toolbox';
import { DoneInput, FailInput, ProgressInput } from '../schemas/patterns';
import { codeReviewTools } from './code-review/mcp';
import { emergencyTools } from './emergency-response/mcp';
import type { PatternName } from './names';
import { acked, workflowField } from './tool-fields';

// The reports carry the session's `agent`, never the agent's arguments.
const agent = ({ session }: ToolCall) => session.actor().name;

/** Each pattern's own tools, besides the reports every pattern takes (every pattern is listed, so none is forgotten). */
const OWN_TOOLS: Record<PatternName, () => Tool[]> = {
  'parallel-development': () => [],
  'sequential-handoff': () => [],
  'code-review': codeReviewTools,
  'full-stack-feature': () => [],
  'emergency-response': emergencyTools,
  onboarding: () => [],
};


/** The MCP tools of the coordination patterns: the reports every pattern takes, status and list, then each pattern's own. */
export function patternTools(): Tool[] {
  return [
    defineTool({
      name: 'progress',
      title: 'Report progress on a step',
      description: 'Tell the pattern run you are assigned to what you did or what blocks you (also counts as a check-in).',
      schema: ProgressInput,
      what: 'progress report',
      fill: { agent },
      extra: workflowField,
      async run(input, { session }, extra) {
        return acked(await session.project().patterns.progress(extra.workflow as string, session.actor(), input.note));
      },
    }),
    defineTool({
      name: 'done',
      title: 'Finish a step with a handoff',
      description:
        'Report your step done: a summary, and a handoff for whoever comes next (whatWasDone, where: files touched, howToTest). ' +
        'A vague or empty handoff is refused with what is missing. Your step\'s reservations are released by the run.',
      schema: DoneInput,
      what: 'done report',
      fill: { agent },
      extra: workflowField,
      async run(input, { session }, extra) {
        return acked(await session.project().patterns.done(extra.workflow as string, session.actor(), { summary: input.summary, handoff: input.handoff }));
      },
    }),
    defineTool({
      name: 'fail',
      title: 'Report a step failed',
      description: 'Report that your step cannot be done, and why; the run retries with you or asks a human, as its plan says.',
      schema: FailInput,
      what: 'failure report',
      fill: { agent },
      extra: workflowField,
      async run(input, { session }, extra) {
        return acked(await session.project().patterns.fail(extra.workflow as string, session.actor(), input.reason));
      },
    }),
    defineTool({
      name: 'pattern_status',
      title: 'Show a pattern run',
      description: 'The state of a pattern run: current step, whom it waits for, steps so far with their handoffs, and its timeline.',
      schema: z.object(workflowField),
      what: 'status request',
      readOnly: true,
      async run(input, { session }) {
        const status = await session.project().patterns.status(input.workflow);
        const waiting = status.waitingFor.length ? `, waiting for ${status.waitingFor.join(', ')}` : '';
        return { summary: `${status.title} (${status.pattern}): ${status.state}${status.step ? `, step ${status.step}` : ''}${waiting}.`, data: status };
      },
    }),
    defineTool({
      name: 'patterns',
      title: 'List pattern runs',
      description: 'Pattern runs of the project, most recent first: step, whom they wait for, whether a human must decide. `mine` keeps those waiting for you.',
      schema: z.object({ running: z.boolean().default(true), mine: z.boolean().default(false), limit: z.number().int().min(1).max(500).default(50) }),
      what: 'pattern filter',
      readOnly: true,
      async run(input, { session }) {
        const me = input.mine ? session.actor().name.toLowerCase() : undefined;
        const runs = (await session.project().patterns.list({ running: input.running, limit: input.limit })).filter(
          (r) => !me || r.waitingFor.some((w) => w.toLowerCase() === me),
        );
        return { summary: `${runs.length} pattern run${runs.length === 1 ? '' : 's'}.`, data: { runs } };
      },
    }),
    ...Object.values(OWN_TOOLS).flatMap((tools) => tools()),
  ];
}
