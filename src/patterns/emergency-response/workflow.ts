import * as wf from '@temporalio/workflow';
import { formatDuration } from '../../domain/patterns/duration';
import type { PatternResult, PatternWorkflowInput } from '../../schemas/patterns';
import { batonFailure, parseOrFail } from '../../workflows/failure';
import { compatEmergencyResponse } from '../compat/emergency-response';
import { assignAndAwait, awaitReport, reserveFiles, sendTask, type StepSpec } from '../kit/assign';
import { commandStep } from '../kit/command-step';
import type { Outcome } from '../kit/decisions';
import { PATTERN_KIT_PATCH, PatternAborted, PatternRun } from '../kit/run';
import { runPattern } from '../kit/runner';
import type { EmergencyActivities } from './activities-api';
import { claimUpdate, incidentQuery, postMortemUpdate } from './api';
import { ClaimInput, PostMortemInput, type ClaimResult, type IncidentPhase, type IncidentTimes, type IncidentView, type PostMortem } from './messages';
import { checkEmergencyMembers, EmergencyPlan, type EmergencyPlanInput } from './plan';

const acts = wf.proxyActivities<EmergencyActivities>({ startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 10 } });

/** Cycles of fix -> staging -> approval -> deploy -> monitoring, whatever the humans decide: bounds the run. */
const MAX_CYCLES = 20;
const MAX_REFUSED_CLAIMS = 50;

interface Check {
  passed: boolean;
  summary: string;
}

/**
 * Emergency Response: production broke and minutes count. The story is the seed's nine steps:
 *
 * 1. Alert: an urgent broadcast to the responders (broadcast again, then escalated, while unclaimed).
 * 2. Claim: available agents claim it; exactly one claim wins (decided in order, here), the others hear
 *    "already claimed by X".
 * 3. Reserve the affected files with priority: a conflict goes to the humans at once, with the
 *    force-release of each lease in the way.
 * 4. Investigate and fix (the claimant's report, with a handoff).
 * 5. Test in staging (a configured command, or the claimant's check); a failure goes back to the fix.
 * 6. Ask for approval: the claimant's fix and the staging result become the question.
 * 7. A human approves the deploy (an agent's approval is refused and recorded).
 * 8. Deploy (only now, after the approval) and monitor; a failed health check rolls back and reopens.
 * 9. Post-mortem: the incident closes only with the claimant's learnings, broadcast to everyone.
 */
export async function emergencyResponseWorkflow(input: PatternWorkflowInput<EmergencyPlanInput>): Promise<PatternResult> {
  if (!wf.patched(PATTERN_KIT_PATCH)) return compatEmergencyResponse(input);
  const plan = parseOrFail(EmergencyPlan, input.plan, 'Emergency Response plan');
  const run = new PatternRun(input, 'emergency-response', plan);
  // What the handlers record (carried into a continued run) ...
  const claim = run.carry('claim', { by: null as string | null, at: null as number | null, refused: [] as IncidentView['refusedClaims'] });
  const filed = run.carry('postMortem', { pm: null as PostMortem | null, at: null as number | null });
  // ... and what the story knows (the story rebuilds it when a run continues).
  let responders: string[] = [];
  let phase: IncidentPhase = 'alerting';
  let reopens = 0;
  const times: Omit<IncidentTimes, 'alertedAt' | 'claimedAt' | 'timeToClaimMs' | 'postMortemAt'> = {};
  const since = (at: number) => at - run.startedAt;

  const checkClaimer = (raw: unknown): { name: string; known: boolean } => {
    const c = parseOrFail(ClaimInput, raw, 'claim');
    if (plan.responders && !plan.responders.some((r) => r.toLowerCase() === c.agent.toLowerCase())) {
      throw batonFailure('FORBIDDEN', `${c.agent} is not a responder of this emergency (${plan.responders.join(', ')}).`);
    }
    const cred = run.members.get(c.agent);
    // A member who registered after the alert is not known yet: the handler asks the directory.
    if (!cred) return { name: c.agent, known: false };
    if (cred.kind !== 'agent' || cred.retired) throw batonFailure('FORBIDDEN', `${cred.name} is ${cred.retired ? 'retired' : 'a human'}; an available agent claims the emergency (humans approve the deploy).`);
    return { name: cred.name, known: true };
  };
  run.handle(claimUpdate, {
    validate: (raw) => void checkClaimer(raw),
    handle: async (raw): Promise<ClaimResult> => {
      const first = checkClaimer(raw);
      let name = first.name;
      if (!first.known) {
        await run.members.refresh([name]);
        if (!run.members.get(name)) throw batonFailure('UNAUTHORIZED', `No member named "${name}" in project ${run.project}; register first with \`baton register\`.`);
        ({ name } = checkClaimer(raw));
      }
      // Decided here, after any await: the first claim to reach this line wins; later ones are refused and recorded.
      if (claim.by) {
        const reason = claim.by.toLowerCase() === name.toLowerCase() ? 'you already claimed it' : `already claimed by ${claim.by}`;
        claim.refused.push({ at: new Date(Date.now()).toISOString(), who: name, reason });
        if (claim.refused.length > MAX_REFUSED_CLAIMS) claim.refused.shift();
        run.refusals.record(name, 'claim', reason);
        throw batonFailure('CONFLICT', `${run.workflowId} is ${reason}.`, { claimedBy: claim.by });
      }
      claim.by = name;
      claim.at = Date.now();
      run.timeline.log('claimed', `${name} claimed the emergency after ${formatDuration(since(claim.at))}`, { step: 'claim', actor: name });
      run.changed();
      return { workflowId: run.workflowId, claimedBy: name, claimedAt: new Date(claim.at).toISOString(), message: 'It is yours: your files are being reserved with priority, then your task arrives in your inbox.' };
    },
  });

  const checkPostMortem = (raw: unknown): PostMortem => {
    const pm = parseOrFail(PostMortemInput, raw, 'post-mortem');
    if (!claim.by || claim.by.toLowerCase() !== pm.agent.toLowerCase()) throw batonFailure('FORBIDDEN', `Only the claimant (${claim.by ?? 'nobody yet'}) files the post-mortem of ${run.workflowId}.`);
    if (phase !== 'post-mortem') throw batonFailure('INVALID_STATE', `The incident is ${phase}: the post-mortem comes once the fix is deployed and monitoring passed.`);
    if (filed.pm) throw batonFailure('INVALID_STATE', 'The post-mortem was already filed.');
    return pm;
  };
  run.handle(postMortemUpdate, {
    validate: (raw) => void checkPostMortem(raw),
    handle: (raw) => {
      filed.pm = checkPostMortem(raw);
      filed.at = Date.now();
      run.timeline.log('post-mortem', `${filed.pm.learnings.length} learning(s): ${filed.pm.learnings.join('; ')}`.slice(0, 500), { step: 'post-mortem', actor: claim.by! });
      run.changed();
      return { workflowId: run.workflowId, accepted: true as const, message: 'Post-mortem accepted; it is broadcast to the team and the incident closes.' };
    },
  });

  const incidentTimes = (): IncidentTimes => ({
    alertedAt: new Date(run.startedAt).toISOString(),
    ...(claim.at ? { claimedAt: new Date(claim.at).toISOString(), timeToClaimMs: since(claim.at) } : {}),
    ...times,
    ...(filed.at ? { postMortemAt: new Date(filed.at).toISOString() } : {}),
  });
  run.query(incidentQuery, (): IncidentView => ({
    workflowId: run.workflowId,
    title: plan.title,
    phase,
    claimant: claim.by,
    reopens,
    times: incidentTimes(),
    refusedClaims: claim.refused,
    postMortem: filed.pm ? { summary: filed.pm.summary, rootCause: filed.pm.rootCause, learnings: filed.pm.learnings, followUps: filed.pm.followUps } : null,
  }));

  const enter = (next: IncidentPhase) => {
    phase = next;
    run.at(next);
  };

  return runPattern(run, async () => {
    // 1. Alert: everyone who may claim hears it at once.
    responders = plan.responders ?? (await run.call(() => acts.listAgentNames({ project: run.project })));
    await run.requireMembers(responders);
    checkEmergencyMembers(plan, run.members.lookup);
    const alert = { to: responders.length ? responders : ('humans' as const), subject: `[emergency] ${plan.title}`, body: [`URGENT: ${plan.description}`, '', `Affected files: ${plan.files.join(', ')}`, `Workflow: ${run.workflowId}`, '', `Claim it (one agent only): baton claim ${run.workflowId}`].join('\n'), importance: 'urgent' as const };
    await run.notify(alert);

    // 2. Claim: exactly one agent wins (the claim handler above decides).
    await run.wait(() => ({
      step: 'claim',
      who: () => (responders.length ? responders : ['human']),
      deadlines: { reminderAfter: Math.max(1, Math.floor(plan.claimWithin / 2)), escalateAfter: plan.claimWithin },
      ready: () => claim.by !== null,
      remind: async () => {
        run.timeline.log('reminder', 'nobody has claimed the emergency yet; alert broadcast again', { step: 'claim' });
        await run.writes.notify({ ...alert, subject: `[emergency] still unclaimed: ${plan.title}` });
      },
      escalation: () => `Nobody claimed the emergency "${plan.title}" within ${formatDuration(plan.claimWithin)}. Find an agent to run \`baton claim ${run.workflowId}\`, or cancel it.`,
    }));
    const owner = claim.by!;
    enter('claimed');
    const others = responders.filter((r) => r.toLowerCase() !== owner.toLowerCase());
    if (others.length) await run.notify({ to: others, subject: `[emergency] ${plan.title}: claimed by ${owner}`, body: `${owner} handles it; stay off ${plan.files.join(', ')} unless ${owner} asks for help.`, onBehalfOf: owner });

    // 3. Reserve the affected files, with priority.
    enter('reserving');
    const leases = await reserveFiles(run, { step: 'reserve', agent: owner, files: plan.files, exclusive: true, deadlines: plan.deadlines, reason: `EMERGENCY: ${plan.title}`, priority: true });

    let problem: string | undefined;
    let approval: Outcome | undefined;
    for (let cycle = 1; ; cycle++) {
      if (cycle > MAX_CYCLES) throw new PatternAborted(`the incident went through ${MAX_CYCLES} fix cycles without a healthy deploy`);
      const name = (step: string) => (cycle === 1 ? step : `${step} ${cycle}`);

      // 4. Investigate and fix.
      enter('fixing');
      const fix = await assignAndAwait(
        run,
        {
          name: name('fix'),
          agent: owner,
          task: `Investigate and fix the production issue: ${plan.description}`,
          files: plan.files,
          exclusive: true,
          deadlines: plan.deadlines,
          notes: [...(problem ? ['', `Reopened: ${problem}`] : []), '', 'Report done with a handoff (what you changed, where, how to verify it): staging tests come next.'],
          onDone: `staging tests come next; your files stay reserved until the incident is resolved.`,
        },
        { onFail: 'human', maxAttempts: 1 },
        { filesHeld: true, keepFiles: true, acceptedBy: null },
      );
      times.fixedAt = new Date(run.now()).toISOString();
      times.timeToFixMs = since(run.now());

      // 5. Test in staging (always).
      enter('staging');
      const staging = plan.staging ? await commandStep(run, plan, { step: name('staging'), label: 'the staging test', command: plan.staging, retry: 'none' }) : await agentCheck(owner, name('staging'), `Test your fix of "${plan.title}" in staging (always).`);
      if (!staging.passed) {
        problem = `staging failed: ${staging.summary}`;
        continue;
      }

      // 6. The claimant's fix and the staging result ask for approval; 7. a human approves the deploy.
      enter('approval');
      approval = await run.decide({
        step: name('approve deploy'),
        question: `${owner} asks to deploy the fix for "${plan.title}": ${fix.report.summary}. Staging: ${staging.summary}. Approve the deploy, or reject with what must change.`,
        deadlines: plan.deadlines,
        onBehalfOf: owner,
      });
      if (!approval.approved) {
        problem = `${approval.by} rejected the deploy: ${approval.text ?? 'rejected'}`;
        await run.notify({ to: [owner], subject: `[emergency] deploy rejected by ${approval.by}`, body: `${approval.text ?? ''}\nBack to the fix.`, importance: 'urgent', onBehalfOf: owner });
        continue;
      }
      times.approvedAt = new Date(run.now()).toISOString();
      times.timeToApproveMs = since(run.now());

      // 8. Deploy (only now: a human approved it), then monitor.
      enter('deploying');
      const deployed = plan.deploy ? await commandStep(run, plan, { step: name('deploy'), label: 'the deploy', command: plan.deploy, retry: 'none' }) : await agentCheck(owner, name('deploy'), `${approval.by} approved: deploy the fix of "${plan.title}" to production.`);
      if (!deployed.passed) {
        problem = `the deploy failed: ${deployed.summary}`;
        continue;
      }
      times.deployedAt = new Date(run.now()).toISOString();
      times.timeToDeployMs = since(run.now());
      enter('monitoring');
      const health = await monitor(owner, name('monitoring'));
      if (health.passed) break;
      reopens += 1;
      problem = `monitoring failed after the deploy: ${health.summary}`;
      run.log('reopened', `incident reopened (${reopens}): ${health.summary}`, { step: 'monitoring' });
      const rollback = plan.rollback ? await commandStep(run, plan, { step: name('rollback'), label: 'the rollback', command: plan.rollback, retry: 'none' }) : undefined;
      const rolled = rollback ? (rollback.passed ? `Rolled back: ${rollback.summary}` : `ROLLBACK FAILED: ${rollback.summary}`) : 'No rollback command is configured: roll back by hand if needed.';
      await run.notify({ to: 'humans', subject: `[emergency] reopened: ${plan.title}`, body: `${problem}\n${rolled}\nBack to ${owner} for another fix.\nWorkflow: ${run.workflowId}`, importance: 'urgent', onBehalfOf: owner });
      if (reopens > plan.maxReopens) {
        const go = await run.decide({ step: 'monitoring', question: `The incident reopened ${reopens} times (limit ${plan.maxReopens}). Approve to let ${owner} try again; reject to stop the response.`, deadlines: plan.deadlines, onBehalfOf: owner });
        if (!go.approved) throw new PatternAborted(`reopened ${reopens} times and ${go.by} stopped the response: ${go.text ?? 'rejected'}`);
      }
    }

    // Resolved: the files go back to the team; the fix a human approved counts as a successful task.
    times.resolvedAt = new Date(run.now()).toISOString();
    run.handOver(leases);
    run.credit(owner, approval!.by);

    // 9. Post-mortem: the incident closes with the claimant's learnings.
    enter('post-mortem');
    await run.notify({
      to: [owner],
      subject: `[emergency] resolved: write the post-mortem of ${plan.title}`,
      body: `The fix is deployed and monitoring passed. The incident closes with your post-mortem, broadcast to the team:\n  baton postmortem ${run.workflowId} --summary "..." --root-cause "..." --learning "..." [--learning "..."] [--follow-up "..."]`,
      importance: 'high',
      onBehalfOf: owner,
    });
    await run.wait(() => ({
      step: 'post-mortem',
      who: () => [owner],
      deadlines: plan.deadlines,
      ready: () => filed.pm !== null,
      onBehalfOf: owner,
      remind: async () => {
        run.timeline.log('reminder', `${owner} reminded to file the post-mortem`, { step: 'post-mortem', actor: owner });
        await run.writes.notify({ to: [owner], subject: `Reminder: the post-mortem of ${plan.title} is missing`, body: `baton postmortem ${run.workflowId} --summary "..." --root-cause "..." --learning "..."`, importance: 'high', onBehalfOf: owner });
      },
      escalation: () => `${owner} has not filed the post-mortem of "${plan.title}"; the incident stays open until it is broadcast.`,
    }));
    const pm = filed.pm!;
    const t = incidentTimes();
    await run.notify({
      to: 'all',
      subject: `[post-mortem] ${plan.title}`,
      body: [
        `Incident: ${plan.description}`,
        `Handled by ${owner}; claimed in ${formatDuration(t.timeToClaimMs ?? 0)}, fixed in ${formatDuration(t.timeToFixMs ?? 0)}, approved in ${formatDuration(t.timeToApproveMs ?? 0)}, deployed in ${formatDuration(t.timeToDeployMs ?? 0)}${reopens ? `; reopened ${reopens} time(s)` : ''}.`,
        '',
        `Summary: ${pm.summary}`,
        `Root cause: ${pm.rootCause}`,
        'Learnings:',
        ...pm.learnings.map((l) => `  - ${l}`),
        ...(pm.followUps.length ? ['Follow-ups:', ...pm.followUps.map((f) => `  - ${f}`)] : []),
      ].join('\n'),
      importance: 'high',
      onBehalfOf: owner,
    });
    enter('closed');
    return { claimant: owner, reopens, times: t, refusedClaims: claim.refused, postMortem: { summary: pm.summary, rootCause: pm.rootCause, learnings: pm.learnings, followUps: pm.followUps } };
  });

  /** A check the claimant does and reports: done (it passed) or fail (back to the fix). */
  async function agentCheck(owner: string, name: string, task: string, deadlines = plan.deadlines): Promise<Check> {
    const step = run.beginStep(name, owner);
    run.attempt(step);
    const spec: StepSpec = { name, agent: owner, task, files: plan.files, exclusive: true, deadlines, expectHandoff: false, onDone: 'it passed: the incident moves on.' };
    await sendTask(run, spec, ['', 'Report done with what you checked, or fail with what went wrong (it goes back to the fix).']);
    const report = await awaitReport(run, name, owner, deadlines);
    const passed = report.kind === 'done';
    const summary = report.kind === 'done' ? report.summary : report.kind === 'fail' ? report.reason : 'no answer';
    run.endStep(step, passed ? 'done' : 'failed', { summary });
    return { passed, summary };
  }

  /** The monitoring window: a health check polled with heartbeats, or the claimant watches and reports. */
  async function monitor(owner: string, name: string): Promise<Check> {
    if (!plan.healthCheck) {
      const watch = { reminderAfter: plan.monitorWindow + plan.deadlines.reminderAfter, escalateAfter: plan.monitorWindow + plan.deadlines.escalateAfter };
      return agentCheck(owner, name, `Monitor production for ${formatDuration(plan.monitorWindow)} after the deploy; report done when it stays healthy, fail at the first sign it is not.`, watch);
    }
    const hc = plan.healthCheck;
    const step = run.beginStep(name, 'baton');
    run.attempt(step);
    run.log('command', `monitoring for ${formatDuration(plan.monitorWindow)}: \`${hc.command}\` every ${formatDuration(hc.every)}`, { step: name });
    const monitorActs = wf.proxyActivities<EmergencyActivities>({
      startToCloseTimeout: plan.monitorWindow + hc.timeout + 60_000,
      heartbeatTimeout: hc.every + hc.timeout + 30_000,
      // A worker that dies mid-window restarts the window on another worker.
      retry: { maximumAttempts: 3 },
    });
    const result = await run.call(() => monitorActs.monitorHealth({ command: hc.command, workdir: plan.workdir, cwd: hc.cwd, env: plan.env, everyMs: hc.every, windowMs: plan.monitorWindow, timeoutMs: hc.timeout }));
    const summary = result.healthy
      ? `healthy: ${result.checks} check(s) over ${formatDuration(result.durationMs)}`
      : `health check failed at check ${result.checks} (exit ${result.failure?.exitCode ?? result.failure?.signal}): ${result.failure?.output.slice(-400) ?? ''}`;
    run.log('command', summary, { step: name });
    run.endStep(step, result.healthy ? 'done' : 'failed', { summary });
    return { passed: result.healthy, summary };
  }
}
