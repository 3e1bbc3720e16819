import { createTestContext, type TestContext } from '../support/temporal';
import { member } from '../../src/schemas/actor';
import { sessionWorkflowId } from '../../src/client/sessions';
import { recordHistory } from '../patterns/support';
import { ConsoleVisitor, startConsoleApi, type RunningApi } from './support';

/**
 * Console sign-in on the real Baton server (two of them, sharing only the session key and Temporal):
 * a human's token once, then an http-only, SameSite=Strict session cookie with an expiry; agents'
 * tokens refused; CSRF on every change; sign-out ends the session on every server.
 */
describe('console sessions', () => {
  let ctx: TestContext;
  let one: RunningApi;
  let two: RunningApi;

  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.startWorker();
    one = await startConsoleApi(ctx);
    two = await startConsoleApi(ctx);
  });
  afterAll(async () => {
    await one.close();
    await two.close();
    await ctx.close();
  });

  async function projectWithAgent() {
    const created = await ctx.createProject({ prefix: 'console', human: 'alice' });
    const agent = await created.client.agents.register({ name: 'SwiftEagle', program: 'scripted' });
    return { ...created, agent };
  }

  it('signs a human in with a session cookie that is http-only, SameSite=Strict and expires; the token is not in it', async () => {
    const p = await projectWithAgent();
    const visitor = new ConsoleVisitor(one.url);
    expect((await visitor.session()).body).toMatchObject({ signedIn: false, members: [] });
    const signedIn = await visitor.signIn(p.key, p.human.token);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({ signedIn: true, members: [{ project: p.key, name: 'alice' }] });
    const cookie = visitor.setCookies.find((c) => c.startsWith('baton_session='))!;
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Strict/i);
    expect(cookie).toMatch(/; Max-Age=\d+/i);
    expect(cookie).not.toContain(p.human.token);
    expect(Buffer.from(visitor.cookies.get('baton_session')!.split('.')[0]!, 'base64url').toString()).not.toContain(p.human.token);

    // The cookie stands for the human on the /v1 API: reads without a CSRF token, changes with one.
    expect((await visitor.request('GET', `/v1/projects/${encodeURIComponent(p.key)}/members/me`)).body).toMatchObject({ name: 'alice', kind: 'human' });
    const invited = await visitor.request<{ member: { name: string } }>('POST', `/v1/projects/${encodeURIComponent(p.key)}/humans`, { name: 'bob' });
    expect(invited.status).toBe(201);
    expect(invited.body.member.name).toBe('bob');
  });

  it("refuses an agent's token at sign-in, and a tampered cookie", async () => {
    const p = await projectWithAgent();
    const visitor = new ConsoleVisitor(one.url);
    const refused = await visitor.signIn(p.key, p.agent.token);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining("SwiftEagle's token, an agent's") });
    expect(visitor.cookies.has('baton_session')).toBe(false);

    await visitor.signIn(p.key, p.human.token);
    const [payload, signature] = visitor.cookies.get('baton_session')!.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { members: { name: string }[] };
    claims.members[0]!.name = 'SwiftEagle';
    visitor.cookies.set('baton_session', `${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`);
    const forged = await visitor.request<{ error: { code: string } }>('GET', `/v1/projects/${encodeURIComponent(p.key)}/members/me`);
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('UNAUTHORIZED');
  });

  it('refuses a change without the CSRF token, or with one of another session, or from another origin', async () => {
    const p = await projectWithAgent();
    const visitor = new ConsoleVisitor(one.url);
    await visitor.signIn(p.key, p.human.token);
    const path = `/v1/projects/${encodeURIComponent(p.key)}/humans`;

    const missing = await visitor.request<{ error: { code: string; message: string } }>('POST', path, { name: 'carol' }, { csrf: false });
    expect(missing.status).toBe(403);
    expect(missing.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('Missing CSRF token') });

    const other = new ConsoleVisitor(one.url);
    await other.signIn(p.key, p.human.token);
    const foreign = await visitor.request<{ error: { code: string; message: string } }>('POST', path, { name: 'carol' }, { headers: { 'x-csrf-token': other.csrf }, csrf: false });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toContain('Invalid CSRF token');

    const crossSite = await visitor.request<{ error: { code: string; message: string } }>('POST', path, { name: 'carol' }, { headers: { origin: 'https://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error.message).toContain('Cross-site request refused');

    // Sign-in needs its token too (bound to the pre-session cookie).
    const fresh = new ConsoleVisitor(one.url);
    const noToken = await fresh.request<{ error: { code: string } }>('POST', '/console/session', { project: p.key, token: p.human.token });
    expect(noToken.status).toBe(403);

    // Nothing of the refused requests happened.
    expect((await p.client.agents.list({ kind: 'human' })).map((m) => m.name)).toEqual(['alice']);
  });

  it('works on any server with the same key, and sign-out ends it on every server', async () => {
    const p = await projectWithAgent();
    const visitor = new ConsoleVisitor(one.url);
    await visitor.signIn(p.key, p.human.token);
    const me = `/v1/projects/${encodeURIComponent(p.key)}/members/me`;
    const elsewhere = visitor.on(two.url);
    expect((await elsewhere.request('GET', me)).status).toBe(200);
    expect((await elsewhere.request('POST', `/v1/projects/${encodeURIComponent(p.key)}/humans`, { name: 'dave' })).status).toBe(201);

    const out = await visitor.request<{ signedOut: boolean }>('DELETE', '/console/session');
    expect(out.body).toEqual({ signedOut: true });
    expect(visitor.cookies.has('baton_session')).toBe(false);
    // The other server never heard of the sign-out; it asks the session workflow (its cache of a
    // running session lasts 2 s, so a sign-out is refused there within that).
    let refused = await elsewhere.request<{ error: { code: string } }>('GET', me);
    for (let i = 0; i < 30 && refused.status === 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      refused = await elsewhere.request('GET', me);
    }
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('UNAUTHORIZED');
    const { sid } = JSON.parse(Buffer.from(elsewhere.cookies.get('baton_session')!.split('.')[0]!, 'base64url').toString()) as { sid: string };
    await recordHistory(ctx, sessionWorkflowId(sid), 'signed-out');
  });

  it('ends the session when the human token is rotated', async () => {
    const p = await projectWithAgent();
    const visitor = new ConsoleVisitor(one.url);
    await visitor.signIn(p.key, p.human.token);
    await p.client.agents.rotateToken(member('alice'), 'alice');
    // The server believes a signed-in member for up to 30 s; a change reaches the workflow, which
    // refuses the old epoch at once.
    const change = await visitor.request<{ error: { code: string; message: string } }>('POST', `/v1/projects/${encodeURIComponent(p.key)}/humans`, { name: 'erin' });
    expect(change.status).toBe(401);
    expect(change.body.error.code).toBe('UNAUTHORIZED');
  });

  it('serves the page at / with a strict content security policy', async () => {
    const page = await new ConsoleVisitor(one.url).request<string>('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.body).toContain('/console/assets/app.js');
    const script = await new ConsoleVisitor(one.url).request<string>('GET', '/console/assets/app.js');
    expect(script.status).toBe(200);
    // The console's own endpoints stay out of the API document; the notification routes are in it.
    const openapi = await new ConsoleVisitor(one.url).request<{ paths: Record<string, unknown> }>('GET', '/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/v1/projects/{project}/notifications', '/v1/projects/{project}/notifications/sinks', '/v1/projects/{project}/notifications/sinks/{id}']));
    expect(Object.keys(openapi.body.paths).filter((p) => p.startsWith('/console'))).toEqual([]);
  });
});
