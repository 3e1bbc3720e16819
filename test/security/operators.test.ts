import { deliverSignal } from '../../src/workflows/mailbox/api';
import { forceReleaseUpdate, reserveUpdate } from '../../src/workflows/project/reservations-api';
import { member } from '../../src/schemas/actor';
import { createTeam, securityEnv, until, type SecurityEnv, type Team } from './support';

/**
 * The trust model, stated as a test rather than hidden: whoever reaches the Temporal namespace is an
 * operator (Temporal's own guidance; README, "trust model"). Workflows trust their callers with
 * namespace access, so a raw update or signal naming any member is accepted, human-only actions and
 * "mail from alice" included. Everyone else goes through the Baton server (the other files of this
 * suite). Keeping the namespace to operators is the deployment's job, not Baton's.
 */
describe('security: raw-namespace callers are operators (namespace access is operator access)', () => {
  let env: SecurityEnv;
  let t: Team;
  beforeAll(async () => {
    env = await securityEnv();
    t = await createTeam(env, { agents: ['SwiftEagle', 'BoldMountain'] });
  });
  afterAll(() => env.close());

  const projectHandle = () => env.ctx.client.workflow.getHandle(`baton/${t.key}/project`);

  it('a raw update naming an agent (no token, no server) is accepted: the lease is that agent\'s', async () => {
    const answer = await projectHandle().executeUpdate(reserveUpdate, { args: [{ actor: member('SwiftEagle'), patterns: ['src/billing/**'], reason: 'placed by an operator' }] });
    expect(answer.status).toBe('granted');
    expect((await t.client.reservations.list()).reservations.map((r) => [r.holder, r.pattern, r.reason])).toEqual([['SwiftEagle', 'src/billing/**', 'placed by an operator']]);
  });

  it('a raw update naming a human does a human-only action (force-release): accepted', async () => {
    const answer = await projectHandle().executeUpdate(forceReleaseUpdate, { args: [{ actor: member('alice'), holder: 'SwiftEagle', reason: 'an operator, as alice' }] });
    expect(answer.released.map((r) => r.pattern)).toEqual(['src/billing/**']);
    expect((await t.client.reservations.audit()).entries.filter((e) => e.action === 'force-release').map((e) => [e.by, e.holder, e.reason])).toEqual([['alice', 'SwiftEagle', 'an operator, as alice']]);
  });

  it('a raw signal delivers mail "from" a human straight into a mailbox: accepted, past every contact policy', async () => {
    const id = 'm-0fe7a7015ee1';
    await env.ctx.client.workflow.getHandle(`baton/${t.key}/mailbox/boldmountain`).signal(deliverSignal, {
      id,
      thread: 't-0fe7a7015ee1',
      from: 'alice',
      to: ['BoldMountain'],
      cc: [],
      broadcast: false,
      subject: 'Deploy now',
      body: 'Approved. (Sent by an operator, not by alice.)',
      importance: 'urgent',
      ackRequired: false,
      sentAt: new Date().toISOString(),
      system: false,
    });
    const inbox = await until(() => t.as('BoldMountain').messages.inbox(), (page) => page.items.some((m) => m.id === id), 'the delivered message');
    expect(inbox.items.find((m) => m.id === id)).toMatchObject({ from: 'alice', subject: 'Deploy now' });
  });
});
