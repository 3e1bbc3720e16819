import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';

interface Props {
  /** The button that opens the dialog. */
  label: string;
  title: string;
  /** What the action does, in words, above the fields. */
  intro?: ComponentChildren;
  /** The form's fields (named inputs; their values arrive as FormData). */
  children?: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  small?: boolean;
  /** Runs the action; what it returns is shown as the result. */
  action(form: FormData): Promise<ComponentChildren>;
  testId?: string;
}

/**
 * A human action with a confirmation: the button opens a dialog that says what will happen and asks
 * for what the action needs (a reason, a name); confirming runs it and shows the result, or the
 * server's error in its own words, in the same dialog.
 */
export function ActionDialog(props: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; body: ComponentChildren }>();

  const open = () => {
    setResult(undefined);
    ref.current?.showModal();
  };
  const close = () => ref.current?.close();
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      setResult({ ok: true, body: await props.action(new FormData(e.currentTarget as HTMLFormElement)) });
    } catch (err) {
      setResult({ ok: false, body: err instanceof ApiError ? `${err.code}: ${err.message}` : String(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" class={`btn ${props.danger ? 'danger' : ''} ${props.small ? 'small' : ''}`} onClick={open} data-testid={props.testId}>
        {props.label}
      </button>
      <dialog ref={ref} class="dialog" onClose={() => setResult(undefined)}>
        <form onSubmit={submit}>
          <h3>{props.title}</h3>
          {props.intro && <div class="intro">{props.intro}</div>}
          {result?.ok ? null : props.children}
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
              <button type="submit" class={`btn ${props.danger ? 'danger' : 'primary'}`} disabled={busy}>
                {busy ? 'Working…' : props.confirmLabel}
              </button>
            )}
          </div>
        </form>
      </dialog>
    </>
  );
}
