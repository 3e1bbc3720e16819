import type { InboxSection, NotificationsSection, ProjectSection, RunsSection, RunSummary, SectionError } from '../../schemas/console';
import type { MemberView } from '../../schemas/agents';
import { consolePaths, runOf } from '../../domain/notifications/console-paths';
import { call, inProject } from '../api';
import { useAnswers, withAnswered } from '../answers';
import { useLive } from '../live';
import { ActionDialog } from '../parts/action-dialog';
import { DecisionCard } from '../parts/decision-card';
import { LiveBadge } from '../parts/live-badge';
import { ReservationMap } from '../parts/reservation-map';
import { useSession } from '../session';
import { ago, clock, useNow } from '../time';

const isError = (s: unknown): s is SectionError => typeof s === 'object' && s !== null && 'error' in s;

/** Plans to start from, one per pattern: a human edits the names and files before starting. */
const PLAN_TEMPLATES: Record<string, unknown> = {
  'sequential-handoff': {
    title: 'User sign-up',
    steps: [
      { name: 'database', agent: 'AgentName', task: 'Add the users table', files: ['db/schema.sql'] },
      { name: 'api', agent: 'OtherAgent', task: 'Implement POST /users', files: ['src/api/users.ts'] },
    ],
  },
  'code-review': { title: 'Rate limiter', author: 'AgentName', reviewer: 'alice', task: 'Add a rate limiter to the API', files: ['src/api/rate-limit.ts'] },
  'parallel-development': {
    title: 'Dashboard',
    workers: [
      { agent: 'AgentName', task: 'Charts', files: ['web/charts/**'] },
      { agent: 'OtherAgent', task: 'Tables', files: ['web/tables/**'] },
    ],
    integration: { command: 'npm test' },
  },
};

/**
 * A project at a glance, live: what waits for a human, the reservation map, running patterns with
 * who each waits for, members, alerts, the human's recent mail (read-only), and notifications
 * (sinks, dead letters). Human actions (force-release, retire, invite, start a pattern) each ask
 * for confirmation and show the result.
 */
export function ProjectPage({ project }: { project: string }) {
  const { refresh, nameIn } = useSession();
  const live = useLive(`project=${encodeURIComponent(project)}`, () => void refresh());
  const now = useNow() + live.offset;
  const state = live.sections[`project:${project}`] as ProjectSection | SectionError | undefined;
  const runs = live.sections[`runs:${project}`] as RunsSection | SectionError | undefined;
  const inbox = live.sections[`inbox:${project}`] as InboxSection | SectionError | undefined;
  const notifications = live.sections[`notifications:${project}`] as NotificationsSection | SectionError | undefined;
  const me = nameIn(project);
  const answered = useAnswers();
  const decisions = withAnswered(runs && !isError(runs) ? runs.decisions : [], answered, (d) => d.project === project);

  if (!me) {
    return (
      <section class="panel">
        <h1>{project}</h1>
        <p>
          You are not signed in to this project. <a href={`/login?next=${encodeURIComponent(consolePaths.project(project))}`}>Sign in to it</a>.
        </p>
      </section>
    );
  }

  const running = runs && !isError(runs) ? runs.runs.filter((r) => r.status === 'RUNNING') : [];
  const finished = runs && !isError(runs) ? runs.runs.filter((r) => r.status !== 'RUNNING') : [];

  return (
    <section>
      <div class="page-head">
        <h1>{project}</h1>
        <LiveBadge state={live.state} />
        <div class="spacer" />
        <InviteHuman project={project} />
        <StartPattern project={project} />
      </div>
      {isError(state) && <p class="result error">{state.error.message}</p>}

      {decisions.length > 0 && (
        <div class="panel attention">
          <h2>Waiting for a human</h2>
          <div class="cards">
            {decisions.map((d) => (
              <DecisionCard key={d.decisionId} d={d} now={now} canDecide={d.approvers === null || d.approvers.some((a) => a.toLowerCase() === me.toLowerCase())} />
            ))}
          </div>
        </div>
      )}

      <div class="grid">
        <div class="panel">
          <h2>
            Reservations{' '}
            <span class="count" data-testid="reservations-total" data-total={state && !isError(state) ? state.totalReservations : undefined}>
              {state && !isError(state) ? state.totalReservations : ''}
            </span>
          </h2>
          {state && !isError(state) ? <ReservationMap project={project} reservations={state.reservations} total={state.totalReservations} now={now} /> : <p class="empty">Loading…</p>}
        </div>

        <div class="panel">
          <h2>
            Running patterns <span class="count">{running.length}</span>
          </h2>
          {isError(runs) && <p class="result error">{runs.error.message}</p>}
          {running.length === 0 ? <p class="empty">No pattern is running.</p> : running.map((r) => <RunCard key={r.workflowId} r={r} now={now} />)}
          {finished.length > 0 && (
            <details>
              <summary>{finished.length} finished</summary>
              <ul class="plain">
                {finished.map((r) => (
                  <li key={r.workflowId}>
                    <RunLink r={r} /> <span class="muted">{r.status.toLowerCase()}</span>
                  </li>
                ))}
              </ul>
            </details>
          )}
        </div>

        <div class="panel">
          <h2>
            Members <span class="count">{state && !isError(state) ? state.members.length : ''}</span>
          </h2>
          {state && !isError(state) ? <Members project={project} members={state.members} runs={running} me={me} now={now} /> : <p class="empty">Loading…</p>}
        </div>

        <div class="panel">
          <h2>
            Alerts <span class="count">{state && !isError(state) ? state.alerts.length : ''}</span>
          </h2>
          {state && !isError(state) && state.alerts.length === 0 && <p class="empty">No anti-pattern seen.</p>}
          {state && !isError(state) && (
            <ul class="alerts">
              {state.alerts.map((a) => (
                <li key={a.id} class="alert" data-testid="alert">
                  <div>
                    <span class="badge warn">{a.kind}</span> <strong>{a.summary}</strong>
                  </div>
                  <div class="muted small">
                    {a.problem} Raised {ago(a.raisedAt, now)}
                    {a.count > 1 ? `, seen ${a.count} times` : ''}.
                  </div>
                  <div class="small">Better: {a.better.join(' · ')}</div>
                </li>
              ))}
            </ul>
          )}
        </div>

        <div class="panel">
          <h2>
            Your messages <span class="count">{inbox && !isError(inbox) && inbox.unread ? `${inbox.unread} unread` : ''}</span>
          </h2>
          <p class="muted small">Read-only here; reply with <code>baton reply</code>.</p>
          {inbox && !isError(inbox) && inbox.items.length === 0 && <p class="empty">No mail.</p>}
          {inbox && !isError(inbox) && (
            <ul class="messages">
              {inbox.items.map((m) => (
                <li key={m.id} class={`message ${m.importance} ${m.readAt ? '' : 'unread'}`}>
                  <div>
                    <strong>{m.from}</strong> <span class="muted small">{ago(m.sentAt, now)}</span> {m.importance !== 'normal' && <span class="badge">{m.importance}</span>}
                  </div>
                  <div class="subject">{m.subject}</div>
                </li>
              ))}
            </ul>
          )}
        </div>

        <div class="panel">
          <h2>Notifications</h2>
          {notifications && !isError(notifications) ? <Notifications n={notifications} now={now} /> : <p class="empty">Loading…</p>}
        </div>
      </div>
    </section>
  );
}

function RunLink({ r }: { r: RunSummary }) {
  const run = runOf(r.workflowId);
  return <a href={run ? consolePaths.run(run.project, run.pattern, run.id) : '#'}>{r.title || r.workflowId}</a>;
}

function RunCard({ r, now }: { r: RunSummary; now: number }) {
  return (
    <article class={`run ${r.needsHuman ? 'needs-human' : ''}`} data-testid="run">
      <header>
        <span class="badge pattern">{r.pattern}</span>
        <RunLink r={r} />
        {r.needsHuman && <span class="badge warn">needs a human</span>}
        {r.escalated && <span class="badge danger">escalated</span>}
      </header>
      <div class="small">
        At <strong>{r.step || 'starting'}</strong>
        {r.waitingFor.length > 0 && <> · waits for {r.waitingFor.join(', ')}</>} · started {ago(r.startedAt, now)}
      </div>
      {r.timeline.length > 0 && (
        <ol class="mini-timeline">
          {r.timeline.map((e, i) => (
            <li key={i}>
              <time dateTime={e.at}>{clock(e.at)}</time> <span class="badge">{e.kind}</span> {e.text}
            </li>
          ))}
        </ol>
      )}
    </article>
  );
}

function Members({ project, members, runs, me, now }: { project: string; members: MemberView[]; runs: RunSummary[]; me: string; now: number }) {
  const stepOf = (name: string) => runs.filter((r) => r.waitingFor.some((w) => w.toLowerCase() === name.toLowerCase())).map((r) => `${r.title}: ${r.step}`);
  return (
    <table class="members">
      <thead>
        <tr>
          <th>Name</th>
          <th>Kind</th>
          <th>Status</th>
          <th>Last active</th>
          <th>Trust</th>
          <th>Current step</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {members.map((m) => (
          <tr key={m.name} data-testid="member">
            <td>
              <strong>{m.name}</strong>
              {m.program && <div class="muted small">{[m.program, m.model].filter(Boolean).join(' · ')}</div>}
            </td>
            <td>{m.kind}</td>
            <td>
              <span class={`badge ${m.status}`}>{m.status}</span>
            </td>
            <td title={m.lastActiveAt}>{ago(m.lastActiveAt, now)}</td>
            <td>{m.kind === 'agent' ? `${m.trust} (${m.successfulTasks})` : '—'}</td>
            <td class="small">{stepOf(m.name).join('; ') || '—'}</td>
            <td>
              {m.name.toLowerCase() !== me.toLowerCase() && (
                <ActionDialog
                  small
                  danger
                  label="Retire"
                  title={`Retire ${m.name}?`}
                  intro={<p>{m.name}'s token stops working at once and its reservations stay until they expire or are released; its mail and history stay.</p>}
                  confirmLabel={`Retire ${m.name}`}
                  action={async () => {
                    const retired = await call<MemberView>('POST', inProject(project, `/members/${encodeURIComponent(m.name)}/retire`));
                    return `${retired.name} is retired.`;
                  }}
                />
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Notifications({ n, now }: { n: NotificationsSection; now: number }) {
  return (
    <>
      {n.sinks.length === 0 ? (
        <p class="muted small">
          No sinks: add one with <code>baton notify add webhook|slack URL</code> or <code>baton notify add desktop</code>.
        </p>
      ) : (
        <ul class="plain small">
          {n.sinks.map((s) => (
            <li key={s.id}>
              <span class="badge">{s.kind}</span> {s.target} <span class="muted">({s.events.length === 5 ? 'everything' : s.events.join(', ')})</span>
            </li>
          ))}
        </ul>
      )}
      {n.held > 0 && <p class="small warn">{n.held} held by the rate limit (they follow as one digest).</p>}
      <h3>Dead letters</h3>
      {n.deadLetters.length === 0 ? (
        <p class="empty small">None: every notification was delivered.</p>
      ) : (
        <ul class="plain small dead-letters" data-testid="dead-letters">
          {n.deadLetters.map((d) => (
            <li key={`${d.notificationId}-${d.sinkId}`}>
              <span class="badge danger">failed</span> {d.title} <span class="muted">to {d.owner}'s {d.sinkId}, {ago(d.at, now)}, {d.attempts} attempt(s): {d.error}</span>
            </li>
          ))}
        </ul>
      )}
      {n.recent.length > 0 && (
        <details>
          <summary>Recent deliveries ({n.recent.length})</summary>
          <ul class="plain small">
            {n.recent.map((d) => (
              <li key={`${d.notificationId}-${d.sinkId}-${d.at}`}>
                <span class={`badge ${d.status === 'delivered' ? 'good' : 'danger'}`}>{d.status}</span> {d.title} <span class="muted">{ago(d.at, now)}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

function InviteHuman({ project }: { project: string }) {
  return (
    <ActionDialog
      label="Invite a human"
      title="Invite a human"
      intro={<p>They get a human token, shown once here: give it to them privately. They may approve, reject, force-release and invite.</p>}
      confirmLabel="Invite"
      action={async (form) => {
        const { member, token } = await call<{ member: MemberView; token: string }>('POST', inProject(project, '/humans'), { name: String(form.get('name') ?? '').trim() });
        return (
          <>
            <p>
              Invited <strong>{member.name}</strong>. Their token (shown once):
            </p>
            <code class="secret">{token}</code>
            <p class="muted small">They sign in here with it, or run `baton login --project {project}`.</p>
          </>
        );
      }}
    >
      <label>
        Name
        <input name="name" required pattern="[A-Za-z][A-Za-z0-9_.\-]*" placeholder="bob" />
      </label>
    </ActionDialog>
  );
}

function StartPattern({ project }: { project: string }) {
  return (
    <ActionDialog
      label="Start a pattern"
      title="Start a pattern from a plan"
      intro={<p>The plan is checked first (members exist, files are reservable, reviewers are trusted); nothing starts when it is refused. You are recorded as its starter.</p>}
      confirmLabel="Start"
      action={async (form) => {
        let plan: unknown;
        try {
          plan = JSON.parse(String(form.get('plan') ?? ''));
        } catch (err) {
          throw new Error(`The plan is not valid JSON: ${(err as Error).message}`);
        }
        const started = await call<{ workflowId: string; title: string }>('POST', inProject(project, '/patterns'), { pattern: String(form.get('pattern')), plan });
        const run = runOf(started.workflowId);
        return (
          <p>
            Started <a href={run ? consolePaths.run(run.project, run.pattern, run.id) : '#'}>{started.title}</a> ({started.workflowId}).
          </p>
        );
      }}
    >
      <label>
        Pattern
        <select
          name="pattern"
          onChange={(e) => {
            const select = e.currentTarget as HTMLSelectElement;
            const area = select.form?.elements.namedItem('plan') as HTMLTextAreaElement | null;
            if (area) area.value = JSON.stringify(PLAN_TEMPLATES[select.value] ?? { title: '' }, null, 2);
          }}
        >
          {Object.keys(PLAN_TEMPLATES).map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label>
        Plan (JSON; `baton start --help` describes each field)
        <textarea name="plan" rows={12} class="code" spellcheck={false}>
          {JSON.stringify(PLAN_TEMPLATES['sequential-handoff'], null, 2)}
        </textarea>
      </label>
    </ActionDialog>
  );
}
