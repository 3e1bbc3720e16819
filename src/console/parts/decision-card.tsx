import { useState } from 'preact/hooks';
import type { DecisionItem } from '../../schemas/console';
import type { PendingDecision } from '../../schemas/patterns';
import { consolePaths, runOf } from '../../domain/notifications/console-paths';
import { ApiError, call, inProject, runApiPath } from '../api';
import { dismissAnswer, setAnswer, useAnswers } from '../answers';
import { ago, clock, span } from '../time';

interface Decided {
  decided: boolean;
  state: string;
  step?: string;
}

/**
 * One decision waiting for a human: the question, where it comes from, since when and until when
 * before every human is told. Approve (with an optional comment) or reject (with a reason); the
 * answer names the decision it answers, so if another question is pending by then, the server refuses
 * it and the card shows the current question instead. The outcome stays in view after the decision
 * has left the live stream (src/console/answers.ts), until the human dismisses it.
 */
export function DecisionCard({ d, now, canDecide }: { d: DecisionItem; now: number; canDecide: boolean }) {
  const [text, setText] = useState('');
  const answer = useAnswers().get(d.decisionId);
  const busy = answer?.busy;
  const outcome = answer?.message === undefined ? undefined : answer;
  const run = runOf(d.workflowId);
  const left = d.deadline ? Date.parse(d.deadline) - now : undefined;

  const decide = async (action: 'approve' | 'reject') => {
    if (action === 'reject' && !text.trim()) {
      setAnswer({ d, ok: false, message: 'Say why you reject it: the reason goes to the agents.' });
      return;
    }
    if (!confirm(`${action === 'approve' ? 'Approve' : 'Reject'} "${d.question}"?`)) return;
    setAnswer({ d, busy: action });
    try {
      const body = action === 'approve' ? { comment: text.trim() || undefined, decisionId: d.decisionId } : { reason: text.trim(), decisionId: d.decisionId };
      const result = await call<Decided>('POST', inProject(d.project, `${runApiPath(d.workflowId)}/${action}`), body);
      setAnswer({ d, ok: true, message: result.decided ? `${action === 'approve' ? 'Approved' : 'Rejected'}: the run is now ${result.state}${result.step ? `, at "${result.step}"` : ''}.` : 'Sent; the run has not moved yet.' });
    } catch (err) {
      // A stale answer's refusal carries the question pending now (src/patterns/client.ts, staleDecision).
      const current = err instanceof ApiError ? ((err.details as { current?: PendingDecision | null } | undefined)?.current ?? undefined) : undefined;
      setAnswer({ d, ok: false, message: err instanceof ApiError ? err.message : String(err), current });
    }
  };

  return (
    <article class={`card decision ${d.escalated ? 'escalated' : ''}`} data-testid="decision" data-decision={d.decisionId}>
      <header>
        <span class="badge pattern">{d.pattern}</span>
        {d.escalated && <span class="badge danger">escalated</span>}
        <a class="title" href={run ? consolePaths.run(run.project, run.pattern, run.id) : consolePaths.project(d.project)}>
          {d.title}
        </a>
        <span class="muted project-name">{d.project}</span>
      </header>
      <p class="question">{d.question}</p>
      <dl class="facts">
        <dt>Step</dt>
        <dd>{d.step}</dd>
        <dt>Asked by</dt>
        <dd>{d.askedBy ?? '—'}</dd>
        <dt>Since</dt>
        <dd title={clock(d.since)}>{ago(d.since, now)}</dd>
        <dt>Deadline</dt>
        <dd class={left !== undefined && left < 15 * 60_000 ? 'warn' : ''}>{d.deadline ? (left! > 0 ? `escalates in ${span(left!)}` : `escalated at ${clock(d.deadline)}`) : '—'}</dd>
        {d.approvers && (
          <>
            <dt>Who decides</dt>
            <dd>{d.approvers.join(', ')}</dd>
          </>
        )}
      </dl>
      {outcome?.ok ? null : canDecide ? (
        <div class="answer">
          <textarea name="text" rows={2} placeholder="Comment (for approve) or reason (required to reject)" value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} aria-label="Comment or reason" />
          <div class="actions">
            <button type="button" class="btn primary" disabled={busy !== undefined} onClick={() => void decide('approve')} data-testid="approve">
              {busy === 'approve' ? 'Approving…' : 'Approve'}
            </button>
            <button type="button" class="btn danger" disabled={busy !== undefined} onClick={() => void decide('reject')} data-testid="reject">
              {busy === 'reject' ? 'Rejecting…' : 'Reject'}
            </button>
          </div>
        </div>
      ) : (
        <p class="muted">Only {d.approvers?.join(', ')} may decide.</p>
      )}
      {outcome && (
        <div class={`result ${outcome.ok ? 'ok' : 'error'}`} role="status" data-testid="decision-result">
          {outcome.message}
          {outcome.current && (
            <p>
              Now pending: <strong>{outcome.current.question}</strong> (step {outcome.current.step})
            </p>
          )}
          <button type="button" class="btn ghost small" onClick={() => dismissAnswer(d.decisionId)}>
            Dismiss
          </button>
        </div>
      )}
    </article>
  );
}
