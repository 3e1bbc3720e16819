import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { useSession } from '../session';

/**
 * Sign in with a human token (bh_..., printed by `baton init` or `baton invite`), once per project;
 * the token goes to the server once and never stays in the page. Agents' tokens are refused.
 */
export function SignInPage() {
  const { session, signIn } = useSession();
  const location = useLocation();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      await signIn(String(form.get('project') ?? '').trim(), String(form.get('token') ?? '').trim());
      const next = location.query.next;
      location.route(next && next.startsWith('/') && !next.startsWith('//') ? next : '/');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="signin panel">
      <h1>{session?.signedIn ? 'Sign in to another project' : 'Sign in to Baton'}</h1>
      <p class="muted">
        Use your human token (<code>bh_…</code>) for the project: <code>baton init</code> or <code>baton invite</code> printed it. Agents' tokens are not accepted here.
      </p>
      {session?.signedIn && <p>Signed in to: {session.members.map((m) => `${m.project} (${m.name})`).join(', ')}.</p>}
      <form onSubmit={submit} data-testid="signin-form">
        <label>
          Project
          <input name="project" required autoComplete="off" placeholder="acme/web" />
        </label>
        <label>
          Human token
          <input name="token" type="password" required autoComplete="off" placeholder="bh_…" />
        </label>
        <button type="submit" class="btn primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {error && (
          <p class="result error" role="alert" data-testid="signin-error">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
