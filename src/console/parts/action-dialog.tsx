import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';

interface Action {
  title: string;
  /** What the action does, in words, above the fields. */
  intro?: ComponentChildren;
  /** The form's fields (named inputs; their values arrive as FormData). */
  children?: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  /** Runs the action; what it returns is shown as the result. */
  action(form: FormData): Promise<ComponentChildren>;
}

interface ButtonProps extends Action {
  /** The button that opens the dialog. */
  label: string;
  small?: boolean;
  testId?: string;
}

/**
 * One dialog for the whole page, outside the lists it is opened from: a force-release or a
 * retirement removes its own row from the live page before the server's answer arrives, and the
 * result must still be shown.
 */
let current: Action | undefined;
const listeners = new Set<() => void>();
function open(action: Action | undefined): void {
  current = action;
  for (const l of listeners) l();
}

/** A human action with a confirmation: the button opens the page's dialog with this action. */
export function ActionDialog({ label, small, testId, ...action }: ButtonProps) {
  return (
    <button type="button" class={`btn ${action.danger ? 'danger' : ''} ${small ? 'small' : ''}`} onClick={() => open(action)} data-testid={testId}>
      {label}
    </button>
  );
}

/**
 * The dialog: it says what will happen and asks for what the action needs (a reason, a name);
 * confirming runs it and shows the result, or the server's error in its own words.
 */
export function ActionHost() {
  const ref = useRef<HTMLDialogElement>(null);
  const [action, setAction] = useState<Action>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; body: ComponentChildren }>();

  useEffect(() => {
    const listener = () => {
      setResult(undefined);
      setAction(current);
    };
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  useEffect(() => {
    if (action && !ref.current?.open) ref.current?.showModal();
  }, [action]);

  const close = () => {
    ref.current?.close();
    open(undefined);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!action) return;
    setBusy(true);
    try {
      setResult({ ok: true, body: await action.action(new FormData(e.currentTarget as HTMLFormElement)) });
    } catch (err) {
      setResult({ ok: false, body: err instanceof ApiError ? `${err.code}: ${err.message}` : String(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={ref} class="dialog" onClose={() => open(undefined)}>
      {action && (
        <form onSubmit={submit}>
          <h3>{action.title}</h3>
          {action.intro && <div class="intro">{action.intro}</div>}
          {result?.ok ? null : action.children}
          {result && (
            <div class={`result ${result.ok ? 'ok' : 'error'}`} role="status">
              {result.body}
            </div>
          )}
          <div class="actions">
            <button type="button" class="btn ghost" onClick={close}>
              {result?.ok ? 'Close' : 'Cancel'}
            </button>
            {!result?.ok && (
              <button type="submit" class={`btn ${action.danger ? 'danger' : 'primary'}`} disabled={busy}>
                {busy ? 'Working…' : action.confirmLabel}
              </button>
            )}
          </div>
        </form>
      )}
    </dialog>
  );
}
