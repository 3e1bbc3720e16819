import * as wf from '@temporalio/workflow';
import type { PatternResult, PatternWorkflowInput } from '../../schemas/patterns';
import { parseOrFail } from '../../workflows/failure';
import { compatSequentialHandoff } from '../compat/sequential-handoff';
import { assignAndAwait, type Handover } from '../kit/assign';
import { PATTERN_KIT_PATCH, PatternRun } from '../kit/run';
import { runPattern } from '../kit/runner';
import { handoffMembers, SequentialHandoffPlan, type SequentialHandoffPlanInput } from './plan';

/**
 * Sequential Handoff: agents pass work down a pipeline (DB -> API -> Frontend -> Tests).
 *
 * For each step in order: the agent gets its files and its task (with what the previous step handed
 * over) in one write, which also releases the previous step's files; works; reports done with a
 * handoff (or fails: back to the agent or to a human, as the plan says). The last report completes
 * the pipeline and its starter hears of it.
 */
export async function sequentialHandoffWorkflow(input: PatternWorkflowInput<SequentialHandoffPlanInput>): Promise<PatternResult> {
  if (!wf.patched(PATTERN_KIT_PATCH)) return compatSequentialHandoff(input);
  const plan = parseOrFail(SequentialHandoffPlan, input.plan, 'Sequential Handoff plan');
  const run = new PatternRun(input, 'sequential-handoff', plan);

  return runPattern(run, async () => {
    await run.requireMembers(handoffMembers(plan));

    let previous: Handover | undefined;
    for (const [i, step] of plan.steps.entries()) {
      const next = plan.steps[i + 1];
      const { report } = await assignAndAwait(
        run,
        {
          name: step.name,
          agent: step.agent,
          task: step.task,
          files: step.files,
          exclusive: step.exclusive,
          deadlines: step.deadlines ?? plan.deadlines,
          position: `${i + 1} of ${plan.steps.length}`,
          handoffs: previous ? [previous] : [],
          notes: ['', next ? `When you are done, your handoff goes to ${next.agent} (step "${next.name}").` : 'This is the last step: your report completes the pipeline.'],
          onDone: next
            ? `${next.agent} (step "${next.name}") gets your handoff with their task.`
            : 'this was the last step: the pipeline completes and its starter is told.',
        },
        step,
      );
      previous = { agent: step.agent, step: step.name, summary: report.summary, handoff: report.handoff };
    }

    return { pipeline: plan.steps.map((s) => `${s.name} (${s.agent})`).join(' -> ') };
  });
}
