import type { PatternResult, PatternWorkflowInput } from '../../schemas/patterns';
import { SequentialHandoffPlan, type SequentialHandoffPlanInput } from '../sequential-handoff/plan';
import { parseOrFail } from '../../workflows/failure';
import { PatternRun, runPattern, runStep, type StepSpec } from './index';

/**
 * Sequential Handoff: agents pass work down a pipeline (DB -> API -> Frontend -> Tests).
 *
 * For each step in order: reserve its files for its agent, send the task (with the previous step's
 * handoff), wait for done with a handoff note (or fail: back to the agent or to a human, as the plan
 * says), release the files, and hand over to the next step. The final step's report ends the workflow
 * with a result listing every step, agent, duration and handoff.
 */
export async function compatSequentialHandoff(input: PatternWorkflowInput<SequentialHandoffPlanInput>): Promise<PatternResult> {
  const plan = parseOrFail(SequentialHandoffPlan, input.plan, 'Sequential Handoff plan');
  const run = new PatternRun(input.project, 'sequential-handoff', plan, input.startedBy);

  return runPattern(run, async () => {
    await run.requireMembers(plan.steps.map((s) => s.agent));

    let handoffFrom: StepSpec['handoffFrom'];
    for (const [i, step] of plan.steps.entries()) {
      const next = plan.steps[i + 1];
      const { report } = await runStep(
        run,
        {
          name: step.name,
          agent: step.agent,
          task: step.task,
          files: step.files,
          exclusive: step.exclusive,
          deadlines: step.deadlines ?? plan.deadlines,
          position: `${i + 1} of ${plan.steps.length}`,
          handoffFrom,
          notes: ['', next ? `When you are done, your handoff goes to ${next.agent} (step "${next.name}").` : 'This is the last step: your report completes the pipeline.'],
        },
        step,
      );
      handoffFrom = { agent: step.agent, step: step.name, summary: report.summary, handoff: report.handoff };
    }

    return { pipeline: plan.steps.map((s) => `${s.name} (${s.agent})`).join(' -> ') };
  });
}
