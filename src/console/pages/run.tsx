import type { RunSection, RunsSection, SectionError } from '../../schemas/console';
import { consolePaths } from '../../domain/notifications/console-paths';
import { call, inProject, runApiPath } from '../api';
import { useAnswers, withAnswered } from '../answers';
import { useLive } from '../live';
import { ActionDialog } from '../parts/action-dialog';
import { DecisionCard } from '../parts/decision-card';
import { LiveBadge } from '../parts/live-badge';
import { Pipeline, Timeline } from '../parts/run-parts';
import { useSession } from '../session';
import { ago, clock, span, useNow } from '../time';

const isError = (s: unknown): s is SectionError => typeof s === 'object' && s !== null && 'error' in s;

/**
 * One pattern run, live: its steps as a pipeline with the current position, the decision it waits
 * for (answerable here), the reports and the timeline; a link to the same workflow in the Temporal
 * Web UI (for operators).
 */
export function RunPage({ project, pattern, id }: { project: string; pattern: string; id: string }) {
  const { session, refresh, nameIn } = useSession();
  const workflowId = `baton/${project}/${pattern}/${id}`;
  const live = useLive(`project=${encodeURIComponent(project)}&run=${encodeURIComponent(workflowId)}`, () => void refresh());
  const now = useNow() + live.offset;
  const section = live.sections[`run:${workflowId}`] as RunSection | SectionError | undefined;
  const runs = live.sections[`runs:${project}`] as RunsSection | SectionError | undefined;
  const me = nameIn(project);
  const answered = useAnswers();
  const decision = withAnswered(runs && !isError(runs) ? runs.decisions : [], answered, (d) => d.workflowId === workflowId).find((d) => d.workflowId === workflowId);
  const ui = session?.temporalUi;

  return (
    <section>
      <div class="page-head">
        <div>
          <div class="crumbs">
            <a href={consolePaths.project(project)}>{project}</a> / {pattern}
          </div>
          <h1>{section && !isError(section) ? section.status.title : id}</h1>
        </div>
        <LiveBadge state={live.state} />
        <div class="spacer" />
        {ui && (
          <a class="btn ghost" href={`${ui.url}/namespaces/${encodeURIComponent(ui.namespace)}/workflows/${encodeURIComponent(workflowId)}`} target="_blank" rel="noreferrer" data-testid="temporal-link">
            Open in Temporal Web UI ↗
          </a>
        )}
        {section && !isError(section) && section.status.state === 'running' && (
          <ActionDialog
            danger
            label="Cancel run"
            title="Cancel this run?"
            intro={<p>The run stops and every reservation it holds is released; its agents are told why.</p>}
            confirmLabel="Cancel the run"
            action={async (form) => {
              const result = await call<{ ended: boolean }>('POST', inProject(project, `${runApiPath(workflowId)}/cancel`), { reason: String(form.get('reason') ?? '') });
              return result.ended ? 'The run is cancelled.' : 'Cancel sent; the run is still releasing its files.';
            }}
          >
            <label>
              Reason (sent to the agents)
              <input name="reason" required />
            </label>
          </ActionDialog>
        )}
      </div>
      {isError(section) && <p class="result error">{section.error.message}</p>}
      {!section && <p class="empty">Loading…</p>}
      {section && !isError(section) && (
        <>
          <div class="panel">
            <div class="facts-row small">
              <span class={`badge state-${section.status.state}`} data-testid="run-state">
                {section.status.state}
              </span>
              <span>started {ago(section.status.startedAt, now)}</span>
              {section.status.startedBy && <span>by {section.status.startedBy}</span>}
              {section.status.waitingFor.length > 0 && section.status.state === 'running' && <span>waits for {section.status.waitingFor.join(', ')}</span>}
              <code class="muted">{workflowId}</code>
            </div>
            <Pipeline status={section.status} planned={section.planned} now={now} />
          </div>
          {decision && me && (
            <div class="panel attention">
              <h2>Decision</h2>
              <DecisionCard d={decision} now={now} canDecide={decision.approvers === null || decision.approvers.some((a) => a.toLowerCase() === me.toLowerCase())} />
            </div>
          )}
          <div class="grid">
            <div class="panel">
              <h2>Reports</h2>
              {section.status.steps.length === 0 && <p class="empty">No step has started yet.</p>}
              <ul class="reports">
                {section.status.steps.map((s, i) => (
                  <li key={`${s.name}-${i}`}>
                    <div>
                      <strong>{s.name}</strong> <span class="muted">by {s.agent}</span> <span class="badge">{s.outcome}</span>
                      {s.durationMs !== undefined && <span class="muted"> in {span(s.durationMs)}</span>}
                    </div>
                    {s.summary && <p>{s.summary}</p>}
                    {s.handoff && (s.handoff.whatWasDone || s.handoff.howToTest) && (
                      <dl class="facts small">
                        {s.handoff.whatWasDone && (
                          <>
                            <dt>Done</dt>
                            <dd>{s.handoff.whatWasDone}</dd>
                          </>
                        )}
                        {s.handoff.where.length > 0 && (
                          <>
                            <dt>Where</dt>
                            <dd>{s.handoff.where.join(', ')}</dd>
                          </>
                        )}
                        {s.handoff.howToTest && (
                          <>
                            <dt>Test</dt>
                            <dd>{s.handoff.howToTest}</dd>
                          </>
                        )}
                      </dl>
                    )}
                  </li>
                ))}
              </ul>
              {section.status.refused.length > 0 && (
                <>
                  <h3>Refused</h3>
                  <ul class="plain small">
                    {section.status.refused.map((r, i) => (
                      <li key={i}>
                        {clock(r.at)} {r.who} ({r.action}): {r.reason}
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </div>
            <div class="panel">
              <h2>Timeline</h2>
              <Timeline entries={[...section.status.timeline].reverse()} omitted={section.status.timelineOmitted} />
            </div>
          </div>
        </>
      )}
    </section>
  );
}
