import { untilDelivered } from '../support/temporal';
import { createHash } from 'node:crypto';
import { MAX_BODY_BYTES } from '../../src/domain/messages/limits';
import { attackScene, expectRecordedRefusal, expectRefused, expectUnchanged, inboxHolds, request, securityEnv, unknownToken, type HttpRequest, type Scene, type SecurityEnv, type Team } from './support';

/**
 * Attacks on the Baton server's HTTP API with raw requests (what any program that reaches the port can
 * send). Each refusal is the specific error of its attack (status, code, message) and leaves the
 * project as it was, read back by an operator.
 */
describe('security: the HTTP API', () => {
  let env: SecurityEnv;
  let t: Team;
  let other: Team;
  /** QuietRiver's token before a rotation: it must never work again. */
  let rotatedAway: string;
  /** A Sequential Handoff whose failed step waits for a human's decision. */
  let run: Scene['run'];

  const call = (method: string, path: string, options: HttpRequest) => request(env.url, method, `/v1/projects/${t.key}${path}`, options);
  const unchanged = (attack: () => Promise<void>) => expectUnchanged(t.client, attack);

  beforeAll(async () => {
    env = await securityEnv();
    ({ t, other, rotatedAway, run } = await attackScene(env));
  });
  afterAll(() => env.close());

  describe('credentials: a request that cannot prove who sends it', () => {
    const reserve = { patterns: ['src/free.ts'], reason: 'claiming it' };
    const cases: [string, () => HttpRequest, () => string][] = [
      ['no Authorization header', () => ({}), () => 'Who are you? Send `Authorization: Bearer <token>`'],
      ['a wrong token (well-formed, never issued)', () => ({ token: unknownToken() }), () => `This token belongs to no member of project ${t.key}`],
      ['a wrong human-looking token (bh_, never issued)', () => ({ token: unknownToken('bh') }), () => `This token belongs to no member of project ${t.key}`],
      ["a retired member's token", () => ({ token: t.token('RetiredOwl') }), () => `RetiredOwl is retired in project ${t.key}`],
      ['a rotated (old) token', () => ({ token: rotatedAway }), () => 'it was replaced (`baton rotate-token`)'],
      ["another project's token", () => ({ token: other.token('AmberFalcon') }), () => `This token belongs to no member of project ${t.key}`],
      ["another project's human token", () => ({ token: other.token('alice') }), () => `This token belongs to no member of project ${t.key}`],
      ['a token in the wrong header format (no scheme)', () => ({ authorization: t.token('BoldMountain') }), () => 'The Authorization header must be `Bearer <token>`'],
      ['a token in the wrong header format (Token scheme)', () => ({ authorization: `Token ${t.token('BoldMountain')}` }), () => 'The Authorization header must be `Bearer <token>`'],
      ['a token in the wrong header (X-Baton-Token, as before the server)', () => ({ headers: { 'x-baton-token': t.token('BoldMountain') } }), () => 'Who are you?'],
      ['a bearer value that is not a Baton token', () => ({ authorization: 'Bearer hunter2' }), () => 'is not a Baton token'],
      ["a valid token claiming to be another member (X-Baton-Member)", () => ({ token: t.token('BoldMountain'), headers: { 'x-baton-member': 'SwiftEagle' } }), () => "This token is BoldMountain's, not SwiftEagle's"],
    ];
    it.each(cases)('%s is UNAUTHORIZED (401), on a write and a read, and changes nothing', async (_name, credentials, message) => {
      await unchanged(async () => {
        expectRefused(await call('POST', '/reservations', { ...credentials(), body: reserve }), 'UNAUTHORIZED', message());
        expectRefused(await call('GET', '/inbox', credentials()), 'UNAUTHORIZED', message());
      });
    });

    it('the same requests with the right token work (the refusals above were about the credentials)', async () => {
      const ok = await call('GET', '/members/me', { token: t.token('QuietRiver') });
      expect({ status: ok.status, name: ok.json.name }).toEqual({ status: 200, name: 'QuietRiver' });
      expect((await call('GET', '/members', { token: t.token('BoldMountain'), headers: { 'x-baton-member': 'boldmountain' } })).status).toBe(200);
    });
  });

  describe("an agent (a valid agent token of this project) calling each human-only action", () => {
    const agent = () => ({ token: t.token('BoldMountain') });
    const needsHuman = "This needs a human's token: BoldMountain is an agent";
    const plan = () => ({
      title: 'Auth',
      database: { agent: 'SwiftEagle', task: 'users table', files: ['db/**'] },
      backend: { agent: 'BoldMountain', task: 'login API', files: ['api/**'] },
      frontend: { agent: 'QuietRiver', task: 'login page', files: ['web/**'] },
      test: { agent: 'SwiftEagle' },
      reviewer: 'alice',
      requireTrusted: false,
    });
    const cases: [string, () => [string, string, unknown], string, string][] = [
      ['cancel', () => ['POST', `${run.path}/cancel`, { reason: 'stop' }], 'FORBIDDEN', needsHuman],
      ['force-release', () => ['POST', '/reservations/force-release', { holder: 'SwiftEagle', reason: 'mine now' }], 'FORBIDDEN', needsHuman],
      ['retire someone else', () => ['POST', '/members/SwiftEagle/retire', undefined], 'FORBIDDEN', 'BoldMountain may not retire SwiftEagle: agents retire themselves'],
      ["rotate someone else's token", () => ['POST', '/members/SwiftEagle/token', undefined], 'FORBIDDEN', "BoldMountain may not replace SwiftEagle's token"],
      ['invite a human', () => ['POST', '/humans', { name: 'mallory' }], 'FORBIDDEN', needsHuman],
      ['shutdown', () => ['POST', '/shutdown', { reason: 'bye', confirm: t.key }], 'FORBIDDEN', needsHuman],
      ['change settings', () => ['PATCH', '/settings', { trustAfterTasks: 1 }], 'FORBIDDEN', needsHuman],
      ['reserve with allowBroad (the hoarding override)', () => ['POST', '/reservations', { patterns: ['**'], reason: 'everything', allowBroad: true }], 'FORBIDDEN', 'Only a human may override the hoarding guard (allowBroad)'],
      ['introduce a new agent', () => ['POST', '/patterns/onboarding/welcome-quietriver/introduce', { text: 'Meet QuietRiver' }], 'FORBIDDEN', needsHuman],
      ['start a Full-Stack Feature', () => ['POST', '/patterns', { pattern: 'full-stack-feature', plan: plan() }], 'FORBIDDEN', 'BoldMountain is an agent; a human starts a Full-Stack Feature'],
    ];
    it.each(cases)('%s is refused with 403 FORBIDDEN and changes nothing', async (_name, what, code, message) => {
      const [method, path, body] = what();
      await unchanged(async () => expectRefused(await call(method, path, { ...agent(), body }), code as 'FORBIDDEN', message));
    });

    it.each([
      ['approve', { comment: 'ship it' }],
      ['reject', { reason: 'no' }],
    ] as const)('%s is refused with 403 FORBIDDEN, recorded on the run, and the decision still waits for a human', async (action, body) => {
      await expectRecordedRefusal(t.client, run.workflowId, 'BoldMountain', action, async () =>
        expectRefused(await call('POST', `${run.path}/${action}`, { ...agent(), body }), 'FORBIDDEN', `BoldMountain is an agent; only a human may ${action}`),
      );
    });

    it('afterwards a human decides, so the run was waiting all along (the refusals were about the agent)', async () => {
      const approved = await call('POST', `${run.path}/approve`, { token: t.token('alice'), body: { comment: 'try again' } });
      expect({ status: approved.status, decided: approved.json.decided }).toEqual({ status: 200, decided: true });
      // The step goes back to BoldMountain (its second task notice), before the next state checks.
      await inboxHolds(t, 'BoldMountain', 'step "deploy" is yours', 2);
    });
  });

  describe('replaying a request with another member named in the body', () => {
    const cases: [string, () => [string, string, string, unknown], string][] = [
      ['reserve as SwiftEagle (actor)', () => ['BoldMountain', 'POST', '/reservations', { actor: { kind: 'member', name: 'SwiftEagle' }, patterns: ['src/x.ts'], reason: 'x' }], '"actor" cannot be given'],
      [
        "reserve as Baton's worker for a human (the internal workflow actor)",
        () => ['BoldMountain', 'POST', '/reservations', { actor: { kind: 'workflow', workflowId: 'baton/x/sequential-handoff/y', onBehalfOf: 'alice' }, patterns: ['**'], reason: 'x', allowBroad: true }],
        '"actor" cannot be given',
      ],
      ["release SwiftEagle's leases (actor)", () => ['BoldMountain', 'POST', '/reservations/release', { actor: { kind: 'member', name: 'SwiftEagle' }, all: true }], '"actor" cannot be given'],
      ['check as the holder (asAgent), to hide its leases', () => ['BoldMountain', 'POST', '/reservations/check', { paths: ['src/auth/login.ts'], asAgent: 'SwiftEagle' }], '"asAgent" cannot be given'],
      ['send mail as alice (actor)', () => ['BoldMountain', 'POST', '/messages', { actor: { kind: 'member', name: 'alice' }, to: ['SwiftEagle'], subject: 's', body: 'b' }], '"actor" cannot be given'],
      ['report done for SwiftEagle (agent)', () => ['BoldMountain', 'POST', `${run.path}/done`, { agent: 'SwiftEagle', summary: 'done' }], '"agent" cannot be given'],
      ['approve as alice (approver), with bob\'s token', () => ['bob', 'POST', `${run.path}/approve`, { approver: 'alice' }], '"approver" cannot be given'],
      ['cancel as alice (by), with bob\'s token', () => ['bob', 'POST', `${run.path}/cancel`, { by: 'alice', reason: 'x' }], '"by" cannot be given'],
      ['register with a chosen token hash (tokenHash)', () => ['none', 'POST', '/agents', { tokenHash: createHash('sha256').update('bt_chosen-by-the-attacker').digest('hex') }], '"tokenHash" cannot be given'],
      ['send with a token in the body (token)', () => ['BoldMountain', 'POST', '/messages', { token: t.token('alice'), to: ['SwiftEagle'], subject: 's', body: 'b' }], '"token" cannot be given'],
    ];
    it.each(cases)('%s: 400 INVALID_INPUT, who acts comes from the token, nothing changes', async (_name, what, message) => {
      const [as, method, path, body] = what();
      await unchanged(async () => {
        const answer = await call(method, path, { ...(as === 'none' ? {} : { token: t.token(as) }), body });
        expectRefused(answer, 'INVALID_INPUT', message);
        expect(answer.json.error?.message).toContain('who acts comes from your bearer token, never from the request body');
      });
    });

    it("registering under an existing member's name is ALREADY_EXISTS (409) and leaves its token alone", async () => {
      await unchanged(async () => expectRefused(await call('POST', '/agents', { body: { name: 'SwiftEagle' } }), 'ALREADY_EXISTS', 'name: "SwiftEagle" is taken'));
      expect((await call('GET', '/members/me', { token: t.token('SwiftEagle') })).json.name).toBe('SwiftEagle');
    });
  });

  describe('oversized and malformed requests', () => {
    const agent = () => ({ token: t.token('BoldMountain') });
    const cases: [string, () => HttpRequest & { path: string }, string][] = [
      ['a body over the 1 MiB limit', () => ({ path: '/reservations', raw: JSON.stringify({ patterns: ['src/x.ts'], reason: 'x'.repeat(1024 * 1024) }) }), 'The request body is larger than the server accepts'],
      ['201 patterns in one reserve', () => ({ path: '/reservations', body: { patterns: Array.from({ length: 201 }, (_, i) => `src/f${i}.ts`), reason: 'x' } }), 'at most 200 patterns per call'],
      ['a message body of 64 KiB + 1 byte', () => ({ path: '/messages', body: { to: ['SwiftEagle'], subject: 's', body: 'x'.repeat(MAX_BODY_BYTES + 1) } }), 'must be at most 64 KiB'],
      ['malformed JSON', () => ({ path: '/reservations', raw: '{"patterns": ["src/x.ts"], "reason": ' }), 'The request body is not valid JSON'],
      ['a body that is not JSON at all', () => ({ path: '/messages', raw: 'to=SwiftEagle&body=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 'Send JSON (Content-Type: application/json)'],
    ];
    it.each(cases)('%s: 400 INVALID_INPUT and nothing changes', async (_name, what, message) => {
      const { path, ...options } = what();
      await unchanged(async () => expectRefused(await call('POST', path, { ...agent(), ...options }), 'INVALID_INPUT', message));
    });
  });

  describe("internal messages (mailbox claim, deliver, acked, recordSuccess) have no door", () => {
    it('the OpenAPI document offers no route to a mailbox or to an internal update', async () => {
      const doc = (await request(env.url, 'GET', '/openapi.json')).json as { paths: Record<string, unknown> };
      const paths = Object.keys(doc.paths);
      expect(paths.length).toBeGreaterThan(30);
      expect(paths.filter((p) => /mailbox|deliver|acked|record|success|notify|token-?owner/i.test(p))).toEqual([]);
      // The only claim is an emergency's, addressed as a pattern run.
      expect(paths.filter((p) => /claim/.test(p))).toEqual(['/v1/projects/{project}/patterns/{pattern}/{id}/claim']);
    });

    const cases: [string, string, string, string, string][] = [
      ["claim SwiftEagle's mailbox (a guessed route)", '/mailboxes/swifteagle/claim', 'NOT_FOUND', 'No route POST', ''],
      ['deliver forged mail into a mailbox (a guessed route)', '/mailboxes/swifteagle/deliver', 'NOT_FOUND', 'No route POST', ''],
      ['make an agent trusted (a guessed route)', '/members/BoldMountain/record-success', 'NOT_FOUND', 'No route POST', ''],
      ["claim SwiftEagle's mailbox through the emergency claim route", '/patterns/mailbox/swifteagle/claim', 'INVALID_INPUT', '"mailbox/swifteagle" is not a pattern run', ''],
      ["report into SwiftEagle's mailbox through a pattern route", '/patterns/mailbox/swifteagle/progress', 'INVALID_INPUT', '"mailbox/swifteagle" is not a pattern run', 'note'],
      ["reach the project workflow through a pattern route", '/patterns/project/x/claim', 'INVALID_INPUT', '"project/x" is not a pattern run', ''],
    ];
    it.each(cases)('%s is refused and the mailbox is untouched', async (_name, path, code, message, field) => {
      await unchanged(async () => expectRefused(await call('POST', path, { token: t.token('BoldMountain'), body: field ? { [field]: 'x' } : {} }), code as 'NOT_FOUND', message));
      // Its owner still reads it with its own token.
      expect((await call('GET', '/inbox', { token: t.token('SwiftEagle') })).status).toBe(200);
    });

    it('mail cannot be forged: a send naming a sender ("from") is refused, and every message says who really sent it', async () => {
      await unchanged(async () => expectRefused(await call('POST', '/messages', { token: t.token('BoldMountain'), body: { from: 'alice', to: ['SwiftEagle'], subject: 'Deploy now', body: 'approved' } }), 'INVALID_INPUT', 'unknown field "from"'));
      const sent = await t.as('BoldMountain').messages.send({ to: ['alice'], subject: 'from me', body: 'hello' });
      await untilDelivered(t.client);
      const inbox = await t.as('alice').messages.inbox();
      expect(inbox.items.find((m) => m.id === sent.messageId)?.from).toBe('BoldMountain');
    });
  });

  describe('humans come with the project, never by asking first', () => {
    it('an agent registering as a human (kind: human) is refused: there is no such field', async () => {
      await unchanged(async () => expectRefused(await call('POST', '/agents', { body: { name: 'Mallory', kind: 'human' } }), 'INVALID_INPUT', 'unknown field "kind"'));
    });

    it('an invitation without a token is UNAUTHORIZED: humans are invited by humans', async () => {
      await unchanged(async () => expectRefused(await call('POST', '/humans', { body: { name: 'mallory' } }), 'UNAUTHORIZED', 'Who are you?'));
    });

    it('there is no first-come human: init of an existing project is ALREADY_EXISTS (409), with or without --replace', async () => {
      await unchanged(async () => {
        expectRefused(await request(env.url, 'POST', '/v1/projects', { body: { project: t.key, human: 'mallory' } }), 'ALREADY_EXISTS', `Project ${t.key} already exists`);
        expectRefused(await request(env.url, 'POST', '/v1/projects', { token: t.token('BoldMountain'), body: { project: t.key, human: 'mallory', replace: true } }), 'ALREADY_EXISTS', `Project ${t.key} already exists`);
      });
    });
  });
});
