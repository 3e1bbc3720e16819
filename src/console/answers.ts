import { useEffect, useState } from 'preact/hooks';
import type { DecisionItem } from '../schemas/console';
import type { PendingDecision } from '../schemas/patterns';

/** A human's answer to a decision, from the click until they dismiss its outcome. */
export interface Answer {
  d: DecisionItem;
  busy?: 'approve' | 'reject';
  ok?: boolean;
  message?: string;
  /** When refused as stale: the question pending now. */
  current?: PendingDecision;
}

/**
 * Answers outlive their cards: the live stream drops an answered decision as soon as the run moves
 * on, often before the server's reply to the approval arrives. Pages show the live decisions plus
 * those answered here, so the outcome (or the refusal with the current question) stays in view.
 */
const answers = new Map<string, Answer>();
const listeners = new Set<() => void>();

export function setAnswer(answer: Answer): void {
  answers.set(answer.d.decisionId, answer);
  for (const l of listeners) l();
}

export function dismissAnswer(decisionId: string): void {
  answers.delete(decisionId);
  for (const l of listeners) l();
}

export function useAnswers(): ReadonlyMap<string, Answer> {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((v) => v + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return answers;
}

/** The live decisions, plus answered ones the stream no longer has (oldest first). */
export function withAnswered(live: DecisionItem[], answered: ReadonlyMap<string, Answer>, keep: (d: DecisionItem) => boolean = () => true): DecisionItem[] {
  const ids = new Set(live.map((d) => d.decisionId));
  const gone = [...answered.values()].map((a) => a.d).filter((d) => !ids.has(d.decisionId) && keep(d));
  return [...live, ...gone].sort((a, b) => a.since.localeCompare(b.since));
}
