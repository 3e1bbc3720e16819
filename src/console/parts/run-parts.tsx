import type { PatternStatus, StepRecord, TimelineEntry } from '../../schemas/patterns';
import { clock, span } from '../time';

/**
 * A run's steps as a pipeline: the steps its plan names (in order) merged with the steps as they
 * happened; each with its agent, outcome, attempts and duration, the current one marked.
 */
export function Pipeline({ status, planned, now }: { status: PatternStatus; planned: string[]; now: number }) {
  const byName = new Map<string, StepRecord>();
  for (const s of status.steps) byName.set(s.name, s);
  const names = [...planned];
  for (const s of status.steps) if (!names.includes(s.name)) names.push(s.name);
  if (status.step && !names.includes(status.step) && status.state === 'running') names.push(status.step);
  return (
    <ol class="pipeline" data-testid="pipeline">
      {names.map((name) => {
        const s = byName.get(name);
        const current = status.state === 'running' && status.step === name;
        const outcome = s?.outcome ?? (current ? 'running' : 'pending');
        return (
          <li key={name} class={`stage ${outcome} ${current ? 'current' : ''}`} data-testid="stage" data-outcome={outcome} aria-current={current ? 'step' : undefined}>
            <div class="stage-name">{name}</div>
            <div class="stage-meta">
              {s?.agent && <span>{s.agent}</span>}
              <span class="badge">{current && status.needsHuman ? 'waiting for a human' : outcome}</span>
              {s && <span>{s.durationMs !== undefined ? span(s.durationMs) : `${span(now - Date.parse(s.startedAt))} so far`}</span>}
              {s && s.attempts > 1 && <span>{s.attempts} attempts</span>}
            </div>
            {s?.summary && <div class="stage-summary">{s.summary}</div>}
          </li>
        );
      })}
    </ol>
  );
}

const KIND_CLASS: Partial<Record<TimelineEntry['kind'], string>> = {
  failed: 'kind-bad',
  rejected: 'kind-bad',
  aborted: 'kind-bad',
  escalated: 'kind-bad',
  refused: 'kind-warn',
  'handoff-refused': 'kind-warn',
  reminder: 'kind-warn',
  'decision-requested': 'kind-warn',
  'waiting-for-files': 'kind-warn',
  approved: 'kind-good',
  done: 'kind-good',
  completed: 'kind-good',
};

export function Timeline({ entries, omitted = 0 }: { entries: TimelineEntry[]; omitted?: number }) {
  if (entries.length === 0) return <p class="empty">Nothing happened yet.</p>;
  return (
    <ol class="timeline" data-testid="timeline">
      {entries.map((e, i) => (
        <li key={`${e.at}-${i}`} class={KIND_CLASS[e.kind] ?? ''}>
          <time dateTime={e.at}>{clock(e.at)}</time>
          <span class="badge">{e.kind}</span>
          {e.step && <span class="muted">{e.step}</span>}
          {e.actor && <strong>{e.actor}</strong>}
          <span class="text">{e.text}</span>
        </li>
      ))}
      {omitted > 0 && <li class="muted">… {omitted} earlier entries left out</li>}
    </ol>
  );
}
