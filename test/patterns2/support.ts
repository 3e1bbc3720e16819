import type { ProjectSettingsInput } from '../../src/schemas/project';
import type { TestContext } from '../support/temporal';
import { team, type Team } from '../patterns/support';

/** Scripted members of a test project: Pattern tests' team (founder human, invited humans, registered agents). */
export type Crew = Team;

export function crew(ctx: TestContext, agents: string[], humans: string[] = ['alice'], settings: ProjectSettingsInput = {}): Promise<Crew> {
  return team(ctx, agents, humans, settings, 'p2');
}

/** Poll until `ready` returns a truthy value (deadlines in these tests are seconds). */
export async function eventually<T>(what: string, probe: () => Promise<T>, ready: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown;
  for (;;) {
    try {
      last = await probe();
      if (ready(last)) return last;
    } catch (err) {
      error = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 1500)} ${error ? String(error) : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export const handoff = (what: string, where: string[]) => ({ whatWasDone: what, where, howToTest: 'npm test -- --runInBand feature' });

export async function inboxSubjects(c: Crew, name: string): Promise<{ subject: string; body: string }[]> {
  return (await c.project.messages.inbox(c.actor(name), { limit: 200 })).items.map((m) => ({ subject: m.subject, body: m.body }));
}
