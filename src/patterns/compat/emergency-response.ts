import * as wf from '@temporalio/workflow';
import { formatDuration } from '../../domain/patterns/duration';
import { ClaimInput, PostMortemInput, type ClaimResult, type IncidentPhase, type IncidentTimes, type IncidentView, type PostMortem } from '../emergency-response/messages';
import { EmergencyPlanFields, type EmergencyPlanInput } from '../emergency-response/plan';
import type { PatternResult, PatternWorkflowInput } from '../../schemas/patterns';
import { batonFailure, parseOrFail } from '../../workflows/failure';
import { acts, awaitHumanDecision, awaitReport, commandActs, iso, PatternAborted, PatternRun, runPattern, sendTask, workUntilDone, type StepSpec } from './index';
import { claimUpdate, incidentQuery, postMortemUpdate } from '../emergency-response/api';
import type { EmergencyActivities } from '../emergency-response/activities-api';

const p2acts = wf.proxyActivities<EmergencyActivities>({ startToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 10 } });

/** Cycles of fix -> staging -> approval -> deploy -> monitoring, whatever the humans decide: bounds the history. */
const MAX_CYCLES = 20;
const MAX_REFUSED_CLAIMS = 50;

/**
 * Emergency Response: production broke and minutes count.
 *
 * 1. Alert: an urgent broadcast to the responders; an unclaimed alert is re-broadcast, then escalated.
 * 2. Claim: available agents claim it; exactly one claim wins (decided in order, in this workflow), the
 *    others hear "already claimed by X".
 * 3. Reserve the affected files with priority: a conflict goes straight to the humans (force-release).
 * 4. Investigate and fix (the claimant's report, with a handoff).
 * 5. Test in staging (a configured command, or the claimant's report); a failure goes back to the fix.
 * 6. The claimant asks for approval; a human approves the deploy (an agent's approval is refused).
 * 7. Deploy (a configured command, or the claimant's step).
 * 8. Monitor (a health check polled with heartbeats, or the claimant's report); a failure rolls back and
 *    reopens the incident.
 * 9. The incident closes only with a post-mortem (learnings) from the claimant, broadcast to everyone.
 */
export async function compatEmergencyResponse(input: PatternWorkflowInput<EmergencyPlanInput>): Promise<PatternResult> {
  const plan = parseOrFail(EmergencyPlanFields, input.plan, 'Emergency Response plan');
  const run = new PatternRun(input.project, 'emergency-response', plan, input.startedBy);
  const alertedAt = Date.now();
  const times: IncidentTimes = { alertedAt: iso(alertedAt) };
  let phase: IncidentPhase = 'alerting';
  let claimant: string | undefined;
  let reopens = 0;
  let postMortem: PostMortem | undefined;
  const refusedClaims: IncidentView['refusedClaims'] = [];
  let responders: string[] | undefined = plan.responders;

  // --- claim: validator authenticates (read-only); the handler decides, in order ----------------------

  const checkClaimer = (raw: unknown): { name: string; known: boolean } => {
    const claim = parseOrFail(ClaimInput, raw, 'claim');
    if (run.state !== 'running') throw batonFailure('INVALID_STATE', `${run.workflowId} is ${run.state}; there is nothing to claim.`);
    if (responders && !responders.some((r) => r.toLowerCase() === claim.agent.toLowerCase())) {
      throw batonFailure('FORBIDDEN', `${claim.agent} is not a responder of this emergency (${responders.join(', ')}).`);
    }
    const cred = run.credential(claim.agent);
    // A member who registered after the alert is not cached yet: the handler fetches and checks it.
    if (!cred) return { name: claim.agent, known: false };
    if (cred.kind !== 'agent' || cred.retired) throw batonFailure('FORBIDDEN', `${cred.name} is ${cred.retired ? 'retired' : 'a human'}; an available agent claims the emergency (humans approve the deploy).`);
    return { name: cred.name, known: true };
  };

  wf.setHandler(
    claimUpdate,
    async (raw): Promise<ClaimResult> => {
      const first = checkClaimer(raw);
      let name = first.name;
      if (!first.known) {
        await run.refreshCredentials([name]);
        if (!run.credential(name)) throw batonFailure('UNAUTHORIZED', `No member named "${name}" in project ${run.project}; register first with \`baton register\`.`);
        ({ name } = checkClaimer(raw));
      }
      // Decided here, after any await: the first claim to reach this line wins; later ones are refused and recorded.
      if (claimant) {
        const reason = claimant.toLowerCase() === name.toLowerCase() ? `you already claimed it` : `already claimed by ${claimant}`;
        refusedClaims.push({ at: iso(Date.now()), who: name, reason });
        if (refusedClaims.length > MAX_REFUSED_CLAIMS) refusedClaims.shift();
        run.recordRefused(name, 'claim', reason);
        throw batonFailure('CONFLICT', `${run.workflowId} is ${reason}.`, { claimedBy: claimant });
      }
      claimant = name;
      times.claimedAt = iso(Date.now());
      times.timeToClaimMs = Date.now() - alertedAt;
      run.log('claimed', `${name} claimed the emergency after ${formatDuration(times.timeToClaimMs)}`, { step: 'claim', actor: name });
      return { workflowId: run.workflowId, claimedBy: name, claimedAt: times.claimedAt, message: `It is yours: your files are being reserved with priority, then your task arrives in your inbox.` };
    },
    { validator: (raw) => void checkClaimer(raw) },
  );

  // --- post-mortem: only the claimant, only once the incident is resolved --------------------------

  const checkPostMortem = (raw: unknown): PostMortem => {
    const pm = parseOrFail(PostMortemInput, raw, 'post-mortem');
    if (run.state !== 'running') throw batonFailure('INVALID_STATE', `${run.workflowId} is ${run.state}.`);
    if (!claimant || claimant.toLowerCase() !== pm.agent.toLowerCase()) throw batonFailure('FORBIDDEN', `Only the claimant (${claimant ?? 'nobody yet'}) files the post-mortem of ${run.workflowId}.`);
    if (phase !== 'post-mortem') throw batonFailure('INVALID_STATE', `The incident is ${phase}: the post-mortem comes once the fix is deployed and monitoring passed.`);
    if (postMortem) throw batonFailure('INVALID_STATE', 'The post-mortem was already filed.');
    return pm;
  };
  wf.setHandler(
    postMortemUpdate,
    (raw) => {
      postMortem = checkPostMortem(raw);
      times.postMortemAt = iso(Date.now());
      run.log('post-mortem', `${postMortem.learnings.length} learning(s): ${postMortem.learnings.join('; ')}`.slice(0, 500), { step: 'post-mortem', actor: claimant });
      return { workflowId: run.workflowId, accepted: true as const, message: 'Post-mortem accepted; it is broadcast to the team and the incident closes.' };
    },
    { validator: (raw) => void checkPostMortem(raw) },
  );

  wf.setHandler(incidentQuery, (): IncidentView => ({
    workflowId: run.workflowId,
    title: plan.title,
    phase,
    claimant: claimant ?? null,
    reopens,
    times,
    refusedClaims,
    postMortem: postMortem ? { summary: postMortem.summary, rootCause: postMortem.rootCause, learnings: postMortem.learnings, followUps: postMortem.followUps } : null,
  }));

  const enter = (next: IncidentPhase, waitingFor: string[]) => {
    phase = next;
    run.show({ step: next, waitingFor });
  };

  return runPattern(run, async () => {
    // 1. Alert: everyone who may claim hears it at once.
    responders ??= await p2acts.listAgentNames({ project: run.project });
    await run.refreshCredentials(responders);
    const how = `Claim it (one agent only): baton claim ${run.workflowId}`;
    const alertBody = [`URGENT: ${plan.description}`, '', `Affected files: ${plan.files.join(', ')}`, `Workflow: ${run.workflowId}`, '', how].join('\n');
    enter('alerting', responders.length ? responders : ['human']);
    await run.notify(responders.length ? responders : 'humans', `[emergency] ${plan.title}`, alertBody, { importance: 'urgent' });
    const claimWait = { reminderAfter: Math.max(1, Math.floor(plan.claimWithin / 2)), escalateAfter: plan.claimWithin };
    await run.waitWithDeadlines(
      () => claimant !== undefined,
      claimWait,
      () => alertedAt,
      {
        remind: async () => {
          run.log('reminder', `nobody has claimed the emergency yet; alert broadcast again`, { step: 'claim' });
          await run.notify(responders!.length ? responders! : 'humans', `[emergency] still unclaimed: ${plan.title}`, alertBody, { importance: 'urgent' });
        },
        escalate: () => run.escalate('claim', `Nobody claimed the emergency "${plan.title}" within ${formatDuration(plan.claimWithin)}. Find an agent to run \`baton claim ${run.workflowId}\`, or cancel it.`),
      },
    );
    run.escalated = false;
    const owner = claimant!;
    const others = responders.filter((r) => r.toLowerCase() !== owner.toLowerCase());
    if (others.length) await run.notify(others, `[emergency] ${plan.title}: claimed by ${owner}`, `${owner} handles it; stay off ${plan.files.join(', ')} unless ${owner} asks for help.`, { onBehalfOf: owner });

    // 3. Reserve with priority.
    enter('reserving', [owner]);
    const leases = await reserveWithPriority(owner);

    let lastProblem: string | undefined;
    for (let cycle = 1; ; cycle++) {
      if (cycle > MAX_CYCLES) throw new PatternAborted(`the incident went through ${MAX_CYCLES} fix cycles without a healthy deploy`);

      // 4. Investigate and fix.
      enter('fixing', [owner]);
      const fix = run.beginStep(cycle === 1 ? 'fix' : `fix ${cycle}`, owner);
      const fixSpec: StepSpec = {
        name: fix.name,
        agent: owner,
        task: `Investigate and fix the production issue: ${plan.description}`,
        files: plan.files,
        exclusive: true,
        deadlines: plan.deadlines,
        notes: [...(lastProblem ? ['', `Reopened: ${lastProblem}`] : []), '', 'Report done with a handoff (what you changed, where, how to verify it): staging tests come next.'],
      };
      const fixed = await workUntilDone(run, fixSpec, { onFail: 'human', maxAttempts: 1 }, fix);
      run.endStep(fix, 'done', fixed);
      times.fixedAt = iso(Date.now());
      times.timeToFixMs = Date.now() - alertedAt;

      // 5. Staging.
      enter('staging', plan.staging ? [] : [owner]);
      const staging = await stagingTest(owner, cycle);
      if (!staging.passed) {
        lastProblem = `staging failed: ${staging.summary}`;
        continue;
      }

      // 6. The claimant asks; a human approves the deploy.
      enter('approval', ['human']);
      const decision = await awaitHumanDecision(run, {
        step: 'approve deploy',
        question: `${owner} asks to deploy the fix for "${plan.title}": ${fixed.summary}. Staging: ${staging.summary}. Approve the deploy, or reject with what must change.`,
        deadlines: plan.deadlines,
        onBehalfOf: owner,
      });
      if (!decision.approved) {
        lastProblem = `${decision.by} rejected the deploy: ${decision.text ?? 'rejected'}`;
        await run.notify([owner], `[emergency] deploy rejected by ${decision.by}`, `${decision.text ?? ''}\nBack to the fix.`, { onBehalfOf: owner, importance: 'urgent' });
        continue;
      }
      times.approvedAt = iso(Date.now());
      times.timeToApproveMs = Date.now() - alertedAt;

      // 7. Deploy.
      enter('deploying', plan.deploy ? [] : [owner]);
      const deployed = await deploy(owner, cycle, decision.by);
      if (!deployed.ok) {
        lastProblem = `the deploy failed: ${deployed.summary}`;
        continue;
      }
      times.deployedAt = iso(Date.now());
      times.timeToDeployMs = Date.now() - alertedAt;

      // 8. Monitor; a failure rolls back and reopens.
      enter('monitoring', plan.healthCheck ? [] : [owner]);
      const health = await monitor(owner, cycle);
      if (health.healthy) break;
      reopens += 1;
      lastProblem = `monitoring failed after the deploy: ${health.summary}`;
      run.log('reopened', `incident reopened (${reopens}): ${health.summary}`, { step: 'monitoring' });
      const rollback = await rollbackIfConfigured();
      await run.notify('humans', `[emergency] reopened: ${plan.title}`, `${lastProblem}\n${rollback}\nBack to ${owner} for another fix.\nWorkflow: ${run.workflowId}`, { importance: 'urgent', onBehalfOf: owner });
      if (reopens > plan.maxReopens) {
        const go = await awaitHumanDecision(run, {
          step: 'monitoring',
          question: `The incident reopened ${reopens} times (limit ${plan.maxReopens}). Approve to let ${owner} try again; reject to stop the response.`,
          deadlines: plan.deadlines,
          onBehalfOf: owner,
        });
        if (!go.approved) throw new PatternAborted(`reopened ${reopens} times and ${go.by} stopped the response: ${go.text ?? 'rejected'}`);
      }
    }

    // Resolved: the files go back to the team; a fixed emergency counts as a successful task.
    times.resolvedAt = iso(Date.now());
    await run.release(owner, leases);
    await acts.recordTaskSuccess({ project: run.project, workflowId: run.workflowId, agent: owner });

    // 9. The post-mortem gate.
    enter('post-mortem', [owner]);
    const since = Date.now();
    await run.notify(
      [owner],
      `[emergency] resolved: write the post-mortem of ${plan.title}`,
      `The fix is deployed and monitoring passed. The incident closes with your post-mortem, broadcast to the team:\n  baton postmortem ${run.workflowId} --summary "..." --root-cause "..." --learning "..." [--learning "..."] [--follow-up "..."]`,
      { onBehalfOf: owner, importance: 'high' },
    );
    await run.waitWithDeadlines(
      () => postMortem !== undefined,
      plan.deadlines,
      () => since,
      {
        remind: async () => {
          run.log('reminder', `${owner} reminded to file the post-mortem`, { step: 'post-mortem', actor: owner });
          await run.notify([owner], `Reminder: the post-mortem of ${plan.title} is missing`, `baton postmortem ${run.workflowId} --summary "..." --root-cause "..." --learning "..."`, { onBehalfOf: owner, importance: 'high' });
        },
        escalate: () => run.escalate('post-mortem', `${owner} has not filed the post-mortem of "${plan.title}"; the incident stays open until it is broadcast.`, owner),
      },
    );
    run.escalated = false;
    const pm = postMortem!;
    await run.notify(
      'all',
      `[post-mortem] ${plan.title}`,
      [
        `Incident: ${plan.description}`,
        `Handled by ${owner}; claimed in ${formatDuration(times.timeToClaimMs ?? 0)}, fixed in ${formatDuration(times.timeToFixMs ?? 0)}, approved in ${formatDuration(times.timeToApproveMs ?? 0)}, deployed in ${formatDuration(times.timeToDeployMs ?? 0)}${reopens ? `; reopened ${reopens} time(s)` : ''}.`,
        '',
        `Summary: ${pm.summary}`,
        `Root cause: ${pm.rootCause}`,
        'Learnings:',
        ...pm.learnings.map((l) => `  - ${l}`),
        ...(pm.followUps.length ? ['Follow-ups:', ...pm.followUps.map((f) => `  - ${f}`)] : []),
      ].join('\n'),
      { onBehalfOf: owner, importance: 'high' },
    );
    phase = 'closed';
    return { claimant: owner, reopens, times, refusedClaims, postMortem: { summary: pm.summary, rootCause: pm.rootCause, learnings: pm.learnings, followUps: pm.followUps } };
  });

  /**
   * Priority means no polite queue: a conflict goes straight to the humans (who may force-release) and
   * the holders are asked to release now; the reservation is retried until it is granted.
   */
  async function reserveWithPriority(owner: string): Promise<string[]> {
    const requestBase = wf.uuid4();
    let told = '';
    for (let attempt = 0; ; attempt++) {
      const answer = await acts.reserveForStep({
        project: run.project,
        workflowId: run.workflowId,
        agent: owner,
        files: plan.files,
        exclusive: true,
        ttlSeconds: Math.ceil(plan.leaseTtl / 1000),
        reason: `EMERGENCY: ${plan.title}`.slice(0, 280),
        requestId: `${requestBase}-${attempt}`,
      });
      if (answer.status === 'granted') {
        for (const id of answer.ids) run.held.set(id, owner);
        run.log('reserved', `exclusive lease (priority) for ${owner} on ${plan.files.join(', ')}`, { step: 'reserve', actor: owner });
        run.escalated = false;
        return answer.ids;
      }
      const holders = [...new Set(answer.conflicts.map((c) => c.holder))];
      if (holders.join(',') !== told) {
        told = holders.join(',');
        const held = answer.conflicts.map((c) => `${c.heldPattern} (held by ${c.holder})`).join('; ');
        run.log('waiting-for-files', `${owner} needs files held by ${holders.join(', ')}: ${held}`, { step: 'reserve', actor: owner });
        run.show({ waitingFor: [...holders, 'human'] });
        await run.notify(holders, `[emergency] release your files now: ${plan.title}`, `${owner} is fixing a production emergency and needs ${held}. Release them now (baton release ...).`, { onBehalfOf: owner, importance: 'urgent' });
        await run.escalate(
          'reserve',
          `Emergency "${plan.title}": ${owner} needs ${held}. Force-release if the holders do not answer:\n${holders.map((h) => `  baton force-release --holder ${h} --reason "emergency ${run.workflowId}"`).join('\n')}`,
          owner,
        );
      }
      await wf.sleep(Math.min(plan.reservationRetry, 5000));
    }
  }

  /** An agent's step without a handoff: done (passed) or fail (back to the fix). */
  async function agentCheck(owner: string, name: string, task: string, deadlines = plan.deadlines): Promise<{ passed: boolean; summary: string }> {
    const record = run.beginStep(name, owner);
    record.attempts = 1;
    const spec: StepSpec = { name, agent: owner, task, files: plan.files, exclusive: true, deadlines };
    await sendTask(run, spec, ['', `Report done with what you checked, or fail with what went wrong (it goes back to the fix).`]);
    const report = await awaitReport(run, { step: name, agent: owner, accepts: ['done', 'fail'], expectHandoff: false, deadlines });
    const passed = report.kind === 'done';
    const summary = report.kind === 'done' ? report.summary : report.kind === 'fail' ? report.reason : 'no answer';
    run.endStep(record, passed ? 'done' : 'failed', { summary });
    return { passed, summary };
  }

  async function command(name: string, spec: { command: string; cwd?: string; timeout: number }): Promise<{ passed: boolean; summary: string }> {
    const record = run.beginStep(name, 'baton');
    record.attempts = 1;
    run.log('command', `running ${name}: ${spec.command}`, { step: name });
    const result = await commandActs(spec.timeout).runCommand({ command: spec.command, cwd: spec.cwd, timeoutMs: spec.timeout, label: name });
    const passed = result.exitCode === 0;
    const summary = passed ? `\`${spec.command}\` passed in ${formatDuration(result.durationMs)}` : `\`${spec.command}\` failed (exit ${result.exitCode ?? result.signal}${result.timedOut ? ', timed out' : ''}): ${result.output.slice(-400)}`;
    run.log('command', summary, { step: name });
    run.endStep(record, passed ? 'done' : 'failed', { summary });
    return { passed, summary };
  }

  function stagingTest(owner: string, cycle: number) {
    const name = cycle === 1 ? 'staging' : `staging ${cycle}`;
    return plan.staging ? command(name, plan.staging) : agentCheck(owner, name, `Test your fix of "${plan.title}" in staging (always).`);
  }

  async function deploy(owner: string, cycle: number, approver: string): Promise<{ ok: boolean; summary: string }> {
    const name = cycle === 1 ? 'deploy' : `deploy ${cycle}`;
    const r = plan.deploy ? await command(name, plan.deploy) : await agentCheck(owner, name, `${approver} approved: deploy the fix of "${plan.title}" to production.`);
    return { ok: r.passed, summary: r.summary };
  }

  async function monitor(owner: string, cycle: number): Promise<{ healthy: boolean; summary: string }> {
    const name = cycle === 1 ? 'monitoring' : `monitoring ${cycle}`;
    if (!plan.healthCheck) {
      const watch = { reminderAfter: plan.monitorWindow + plan.deadlines.reminderAfter, escalateAfter: plan.monitorWindow + plan.deadlines.escalateAfter };
      const r = await agentCheck(owner, name, `Monitor production for ${formatDuration(plan.monitorWindow)} after the deploy; report done when it stays healthy, fail at the first sign it is not.`, watch);
      return { healthy: r.passed, summary: r.summary };
    }
    const hc = plan.healthCheck;
    const record = run.beginStep(name, 'baton');
    record.attempts = 1;
    run.log('command', `monitoring for ${formatDuration(plan.monitorWindow)}: \`${hc.command}\` every ${formatDuration(hc.every)}`, { step: name });
    const monitorActs = wf.proxyActivities<EmergencyActivities>({
      startToCloseTimeout: plan.monitorWindow + hc.timeout + 60_000,
      heartbeatTimeout: hc.every + hc.timeout + 30_000,
      // A worker that dies mid-window restarts the window on another worker.
      retry: { maximumAttempts: 3 },
    });
    const result = await monitorActs.monitorHealth({ command: hc.command, cwd: hc.cwd, everyMs: hc.every, windowMs: plan.monitorWindow, timeoutMs: hc.timeout });
    const summary = result.healthy
      ? `healthy: ${result.checks} check(s) over ${formatDuration(result.durationMs)}`
      : `health check failed at check ${result.checks} (exit ${result.failure?.exitCode ?? result.failure?.signal}): ${result.failure?.output.slice(-400) ?? ''}`;
    run.log('command', summary, { step: name });
    run.endStep(record, result.healthy ? 'done' : 'failed', { summary });
    return { healthy: result.healthy, summary };
  }

  async function rollbackIfConfigured(): Promise<string> {
    if (!plan.rollback) return 'No rollback command is configured: roll back by hand if needed.';
    const r = await command('rollback', plan.rollback);
    return r.passed ? `Rolled back: ${r.summary}` : `ROLLBACK FAILED: ${r.summary}`;
  }
}
