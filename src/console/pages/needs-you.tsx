import type { DecisionItem, RunsSection, SectionError } from '../../schemas/console';
import { consolePaths } from '../../domain/notifications/console-paths';
import { useAnswers, withAnswered } from '../answers';
import { useLive } from '../live';
import { DecisionCard } from '../parts/decision-card';
import { LiveBadge } from '../parts/live-badge';
import { useSession } from '../session';
import { useNow } from '../time';

/** May this human decide? Anyone of the project, unless the plan names who decides. */
const mayDecide = (d: DecisionItem, name: string | undefined) => name !== undefined && (d.approvers === null || d.approvers.some((a) => a.toLowerCase() === name.toLowerCase()));

/** Every decision waiting for a human, across the projects this session is signed in to, oldest first. */
export function NeedsYouPage() {
  const { session, refresh, nameIn } = useSession();
  const live = useLive('', () => void refresh());
  const now = useNow() + live.offset;
  const answered = useAnswers();
  const projects = session?.members.map((m) => m.project) ?? [];
  const pending: DecisionItem[] = [];
  const errors: string[] = [];
  for (const p of projects) {
    const section = live.sections[`runs:${p}`] as RunsSection | SectionError | undefined;
    if (section && 'error' in section) errors.push(`${p}: ${section.error.message}`);
    else if (section) pending.push(...section.decisions);
  }
  const decisions = withAnswered(pending, answered, (d) => projects.includes(d.project));
  const mine = decisions.filter((d) => mayDecide(d, nameIn(d.project)));
  const others = decisions.filter((d) => !mayDecide(d, nameIn(d.project)));
  const loaded = projects.every((p) => live.sections[`runs:${p}`] !== undefined);

  return (
    <section>
      <div class="page-head">
        <h1>Needs you</h1>
        <LiveBadge state={live.state} />
      </div>
      {errors.map((e) => (
        <p key={e} class="result error">
          {e}
        </p>
      ))}
      {!loaded ? (
        <p class="empty">Loading…</p>
      ) : mine.length === 0 ? (
        <div class="empty big" data-testid="nothing-pending">
          <p>Nothing waits for you right now.</p>
          <p class="muted">Decisions appear here the moment a pattern asks for one.</p>
        </div>
      ) : (
        <div class="cards" data-testid="decisions">
          {mine.map((d) => (
            <DecisionCard key={d.decisionId} d={d} now={now} canDecide />
          ))}
        </div>
      )}
      {others.length > 0 && (
        <>
          <h2>Waiting for other humans</h2>
          <div class="cards">
            {others.map((d) => (
              <DecisionCard key={d.decisionId} d={d} now={now} canDecide={false} />
            ))}
          </div>
        </>
      )}
      <h2>Projects</h2>
      <ul class="project-list">
        {projects.map((p) => {
          const section = live.sections[`runs:${p}`] as RunsSection | undefined;
          const running = section && 'runs' in section ? section.runs.filter((r) => r.status === 'RUNNING').length : undefined;
          return (
            <li key={p}>
              <a href={consolePaths.project(p)}>{p}</a>
              <span class="muted">
                {' '}
                as {nameIn(p)}
                {running !== undefined ? ` · ${running} running pattern${running === 1 ? '' : 's'}` : ''}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
