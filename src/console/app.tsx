import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { useEffect } from 'preact/hooks';
import { consolePaths } from '../domain/notifications/console-paths';
import { ActionHost } from './parts/action-dialog';
import { NeedsYouPage } from './pages/needs-you';
import { ProjectPage } from './pages/project';
import { RunPage } from './pages/run';
import { SignInPage } from './pages/sign-in';
import { SessionProvider, useSession } from './session';
import { useTheme, type Theme } from './theme';

export function App() {
  return (
    <LocationProvider>
      <SessionProvider>
        <Shell />
      </SessionProvider>
    </LocationProvider>
  );
}

/** Header and the page; anyone not signed in is sent to sign-in (and back afterwards). */
function Shell() {
  const { session, signOut } = useSession();
  const location = useLocation();
  const [theme, setTheme] = useTheme();
  const onSignIn = location.path === '/login';

  useEffect(() => {
    if (session && !session.signedIn && !onSignIn) location.route(`/login?next=${encodeURIComponent(location.url)}`, true);
  }, [session, onSignIn]);

  return (
    <>
      <header class="topbar">
        <a class="brand" href={consolePaths.needsYou()}>
          <span class="logo" aria-hidden="true">
            ◆
          </span>
          Baton
        </a>
        {session?.signedIn && (
          <nav>
            <a href={consolePaths.needsYou()} class={location.path === '/' ? 'active' : ''}>
              Needs you
            </a>
            {session.members.map((m) => (
              <a key={m.project} href={consolePaths.project(m.project)} class={location.path.startsWith(consolePaths.project(m.project)) ? 'active' : ''}>
                {m.project}
              </a>
            ))}
          </nav>
        )}
        <div class="spacer" />
        <select class="theme" aria-label="Theme" value={theme} onChange={(e) => setTheme((e.currentTarget as HTMLSelectElement).value as Theme)}>
          <option value="system">System theme</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
        {session?.signedIn && (
          <>
            <span class="who" data-testid="who">
              {[...new Set(session.members.map((m) => m.name))].join(', ')}
            </span>
            <a class="btn ghost small" href="/login">
              Add a project
            </a>
            <button type="button" class="btn ghost small" data-testid="sign-out" onClick={() => void signOut().then(() => location.route('/login'))}>
              Sign out
            </button>
          </>
        )}
      </header>
      <main>
        {!session ? (
          <p class="empty">Loading…</p>
        ) : !session.signedIn && !onSignIn ? null : (
          <Router>
            <Route path="/" component={NeedsYouPage} />
            <Route path="/login" component={SignInPage} />
            <Route path="/p/:project" component={ProjectPage} />
            <Route path="/p/:project/run/:pattern/:id" component={RunPage} />
            <Route default component={NotFound} />
          </Router>
        )}
      </main>
      <ActionHost />
    </>
  );
}

function NotFound() {
  return (
    <section class="panel">
      <h2>No such page</h2>
      <p>
        <a href="/">Back to what needs you</a>
      </p>
    </section>
  );
}
