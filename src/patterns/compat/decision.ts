import * as wf from '@temporalio/workflow';
import type { Deadlines } from '../../schemas/patterns';
import { iso, type Decision, type PatternRun } from './run';

/**
 * Wait for a human to approve or reject (signals; see run.ts for the checks). While waiting, the
 * workflow carries BatonNeedsHuman = true, so `baton approvals` finds it with one visibility query.
 * Deadlines: the approvers are reminded, then every human is told.
 */
export async function awaitHumanDecision(
  run: PatternRun,
  request: { step: string; question: string; approvers?: string[] | null; deadlines: Deadlines; onBehalfOf?: string },
): Promise<Decision> {
  const approvers = request.approvers ?? run.plan.approvers ?? null;
  const since = Date.now();
  run.decision = { id: wf.uuid4(), step: request.step, question: request.question, approvers, since: iso(since) };
  run.decisionOutcome = undefined;
  run.log('decision-requested', request.question, { step: request.step });
  run.show({ step: request.step, waitingFor: approvers ?? ['human'], needsHuman: true });
  const howTo = `Approve: baton approve ${run.workflowId} --comment "..."\nReject:  baton reject ${run.workflowId} --reason "..."`;
  const to = approvers ?? 'humans';
  await run.notify(to, `[${run.pattern}] decision needed: ${run.title}`, `${request.question}\n\nWorkflow: ${run.workflowId}\nStep: ${request.step}\n${howTo}`, {
    importance: 'high',
    onBehalfOf: request.onBehalfOf,
  });
  await run.waitWithDeadlines(
    () => run.decisionOutcome !== undefined,
    request.deadlines,
    () => since,
    {
      remind: async () => {
        run.log('reminder', `still waiting for a decision: ${request.question}`, { step: request.step });
        await run.notify(to, `[${run.pattern}] reminder: decision needed on ${run.title}`, `${request.question}\n\n${howTo}`, { importance: 'high', onBehalfOf: request.onBehalfOf });
      },
      escalate: () => run.escalate(request.step, `Nobody has decided yet: ${request.question}`, request.onBehalfOf),
    },
  );
  const outcome = run.decisionOutcome!;
  run.decision = undefined;
  run.decisionOutcome = undefined;
  run.escalated = false;
  run.show({ waitingFor: [], needsHuman: false });
  return outcome;
}
