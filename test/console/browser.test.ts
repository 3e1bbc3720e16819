import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestContext, type TestContext } from '../support/temporal';
import { member } from '../../src/schemas/actor';
import { team, until, waitingFor, type Team } from '../patterns/support';
import { Receiver } from '../notifications/receiver';
import type { WebhookBody } from '../../src/domain/notifications/payloads';
import { findChromium, launchChromium, NO_BROWSER } from './browser';
import { startConsoleApi, TEST_SESSION_KEYS, type RunningApi } from './support';

/**
 * The console in a real browser (headless Chromium from the system's package, driven by
 * playwright-core) against the real Baton server, worker and Temporal dev server: sign-in (an agent's
 * token refused), a decision appearing live and approved from the page (the run moves on), a
 * reservation appearing on the map and expiring from it, a request without the CSRF token refused,
 * human actions with their confirmations, the stream resuming after the server went away, sign-out.
 * It takes the README's screenshots (light and dark) on the way: `BATON_SCREENSHOTS=1 npx jest
 * test/console/browser.test.ts` writes them to docs/images/.
 *
 * Without a browser it says so: in CI (CI=true) the suite fails; elsewhere one test named for it
 * reports that nothing was checked.
 */
const executable = findChromium();
/**
 * The screenshots go to docs/images (the README's pictures) with BATON_SCREENSHOTS=1; otherwise to
 * .baton/screenshots, so an ordinary run leaves the checkout as it was.
 */
const IMAGES = process.env.BATON_SCREENSHOTS === '1' ? path.join(__dirname, '..', '..', 'docs', 'images') : path.join(__dirname, '..', '..', '.baton', 'screenshots');

if (!executable && process.env.CI !== 'true') {
  describe('the console in a browser', () => {
    it(`DID NOT RUN: ${NO_BROWSER}`, () => {
      console.warn(`\n*** The browser suite did not run. ${NO_BROWSER} ***\n`);
    });
  });
} else {
  describe('the console in a browser', () => {
    let ctx: TestContext;
    let api: RunningApi;
    let browser: Browser;
    let light: BrowserContext;
    let page: Page;
    let t: Team;
    let receiver: Receiver;
    let handoff: string;

    const url = (p: string) => `${api.url}${p}`;
    const projectPage = () => `/p/${encodeURIComponent(t.key)}`;
    const runPage = (workflowId: string) => `/p/${encodeURIComponent(t.key)}/run/${workflowId.split('/').slice(-2).join('/')}`;
    const mapTotal = () => page.locator('[data-testid=reservations-total]').getAttribute('data-total');

    beforeAll(async () => {
      if (!executable) throw new Error(`CI=true and ${NO_BROWSER}`);
      ctx = await createTestContext();
      await ctx.startWorker();
      api = await startConsoleApi(ctx, { temporalUi: { url: 'http://127.0.0.1:8233', namespace: 'default' } });
      receiver = await new Receiver().start();
      browser = await launchChromium(executable);
      light = await browser.newContext({ viewport: { width: 1360, height: 900 }, colorScheme: 'light' });
      page = await light.newPage();
      // The decision card asks the browser to confirm; the test says yes.
      page.on('dialog', (d) => void d.accept());
      t = await team(ctx, ['GreenCastle', 'SwiftEagle'], ['alice'], {}, 'browser');
      await t.project.notifications.add(member('alice'), { kind: 'webhook', url: `${receiver.url}/alice` }, api.url);
      fs.mkdirSync(IMAGES, { recursive: true });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await receiver?.close();
      await api?.close();
      await ctx?.close();
    });

    /** The same moment in the dark theme (the session's cookies copied), for the README. */
    async function screenshot(name: string, pagePath: string, ready: string) {
      await page.screenshot({ path: path.join(IMAGES, `console-${name}-light.png`), fullPage: true });
      const dark = await browser.newContext({ viewport: { width: 1360, height: 900 }, colorScheme: 'dark', storageState: await light.storageState() });
      const p = await dark.newPage();
      await p.goto(url(pagePath));
      await p.locator(ready).first().waitFor();
      await p.locator('[data-testid=live][data-state=live]').waitFor();
      await p.screenshot({ path: path.join(IMAGES, `console-${name}-dark.png`), fullPage: true });
      await dark.close();
    }

    it("refuses an agent's token at sign-in, then signs the human in", async () => {
      await page.goto(url('/'));
      await page.waitForURL(/\/login/);
      await page.fill('input[name=project]', t.key);
      await page.fill('input[name=token]', t.tokens.SwiftEagle!);
      await page.click('[data-testid=signin-form] button[type=submit]');
      await expect(page.locator('[data-testid=signin-error]').textContent()).resolves.toContain("SwiftEagle's token, an agent's");
      expect((await light.cookies()).some((c) => c.name === 'baton_session')).toBe(false);

      await page.fill('input[name=token]', t.tokens.alice!);
      await page.click('[data-testid=signin-form] button[type=submit]');
      await page.locator('[data-testid=nothing-pending]').waitFor();
      await page.locator('[data-testid=live][data-state=live]').waitFor();
      await expect(page.locator('[data-testid=who]').textContent()).resolves.toBe('alice');
      const session = (await light.cookies()).find((c) => c.name === 'baton_session')!;
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      expect(session.expires).toBeGreaterThan(Date.now() / 1000);
      // http-only: the page's own script cannot read it.
      expect(await page.evaluate('document.cookie')).not.toContain('baton_session');
    });

    it('shows a reservation on the map as soon as it is granted, highlighted as expiring', async () => {
      await page.goto(url(projectPage()));
      await page.locator('[data-testid=live][data-state=live]').waitFor();
      const granted = await t.project.reservations.reserve({ actor: member('SwiftEagle'), patterns: ['src/live/short.ts'], reason: 'a quick fix', ttlSeconds: 60, exclusive: false });
      const grantedAt = Date.now();
      if (granted.status !== 'granted') throw new Error('expected a grant');
      const lease = page.locator('[data-testid=lease][data-pattern="src/live/short.ts"]');
      await lease.waitFor();
      console.log(`reservation on the map ${Date.now() - grantedAt} ms after the grant (server-sent events)`);
      await expect(lease.getAttribute('class')).resolves.toContain('expiring');
      await expect(lease.locator('.holder').textContent()).resolves.toBe('SwiftEagle');
      await expect(lease.textContent()).resolves.toContain('a quick fix');
      // A shared lease of another holder over the same file is a conflict on the map.
      await t.project.reservations.reserve({ actor: member('GreenCastle'), patterns: ['src/live/*.ts'], reason: 'refactoring', ttlSeconds: 3600, exclusive: false });
      await page.locator('[data-testid=lease][data-pattern="src/live/*.ts"].conflict').waitFor();
      await expect(lease.locator('.lease-conflict').textContent()).resolves.toContain("GreenCastle's lease (both cover src/live/short.ts)");
    });

    it('shows a pending decision the moment it opens, with its question, step, asker and deadline; the webhook hears of it too', async () => {
      await page.goto(url('/'));
      await page.locator('[data-testid=nothing-pending]').waitFor();
      await page.locator('[data-testid=live][data-state=live]').waitFor();
      handoff = (
        await t.project.patterns.start(
          'sequential-handoff',
          {
            title: 'Login form',
            deadlines: { reminderAfter: '1h', escalateAfter: '2h' },
            steps: [
              { name: 'frontend', agent: 'GreenCastle', task: 'Build the login form', files: ['web/login/**'], onFail: 'human' },
              { name: 'api', agent: 'SwiftEagle', task: 'Implement POST /login', files: ['src/api/login.ts'] },
            ],
          },
          { startedBy: 'alice' },
        )
      ).workflowId;
      await until(t.project, handoff, waitingFor('GreenCastle'));
      await t.project.patterns.fail(handoff, t.me('GreenCastle'), 'the design is missing');
      const card = page.locator('[data-testid=decision]');
      await card.waitFor();
      const shownAt = Date.now();
      const { decision } = await t.project.patterns.status(handoff);
      console.log(`decision on the page ${shownAt - Date.parse(decision!.since)} ms after it opened (server-sent events)`);
      const hook = await receiver.next((r) => (r.body as WebhookBody).kind === 'decision');
      console.log(`decision at the webhook ${hook.at - Date.parse(decision!.since)} ms after it opened`);
      expect((hook.body as WebhookBody).link).toBe(url(runPage(handoff)));

      const text = await card.textContent();
      expect(text).toContain('Login form');
      expect(text).toContain('the design is missing');
      expect(text).toContain('frontend');
      expect(text).toContain('GreenCastle');
      expect(text).toMatch(/escalates in 1h 59m|escalates in 2h 00m/);
      await expect(card.getAttribute('data-decision')).resolves.toBe(decision!.id);

      await screenshot('needs-you', '/', '[data-testid=decision]');
      await page.goto(url(projectPage()));
      await page.locator('[data-testid=run]').first().waitFor();
      await page.locator('[data-testid=lease]').first().waitFor();
      await screenshot('project', projectPage(), '[data-testid=run]');
      // The notification's link opens the run's page (a page to look at; nothing changes on GET).
      await page.goto((hook.body as WebhookBody).link);
      await page.locator('[data-testid=pipeline]').waitFor();
      await expect(page.locator('[data-testid=stage][aria-current=step]').textContent()).resolves.toContain('frontend');
      await expect(page.locator('[data-testid=temporal-link]').getAttribute('href')).resolves.toBe(`http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(handoff)}`);
      await screenshot('run', runPage(handoff), '[data-testid=pipeline]');
    });

    it('approves the decision from the page and shows the run moving on', async () => {
      await page.goto(url('/'));
      const card = page.locator('[data-testid=decision]');
      await card.waitFor();
      await card.locator('textarea').fill('the design is in Figma now');
      await card.locator('[data-testid=approve]').click();
      await expect(card.locator('[data-testid=decision-result]').textContent()).resolves.toContain('Approved');
      // The outcome stays until dismissed; the decision itself has left the live stream by then.
      await card.getByRole('button', { name: 'Dismiss' }).click();
      await page.locator('[data-testid=nothing-pending]').waitFor();
      const after = await t.project.patterns.status(handoff);
      expect(after.timeline.filter((e) => e.kind === 'approved').map((e) => [e.actor, e.text])).toEqual([['alice', 'the design is in Figma now']]);

      await page.goto(url(runPage(handoff)));
      await page.locator('[data-testid=timeline] li', { hasText: 'the design is in Figma now' }).waitFor();
      await until(t.project, handoff, waitingFor('GreenCastle'));
      await t.project.patterns.done(handoff, t.me('GreenCastle'), { summary: 'Login form built', handoff: { whatWasDone: 'Built the login form with field validation and error messages', where: ['web/login/form.tsx'], howToTest: 'npm test -- login' } });
      // The next step is current on the pipeline, live; then the run completes.
      await page.locator('[data-testid=stage][aria-current=step]', { hasText: 'api' }).waitFor();
      await expect(page.locator('[data-testid=stage]').first().getAttribute('data-outcome')).resolves.toBe('done');
      await until(t.project, handoff, waitingFor('SwiftEagle'));
      await t.project.patterns.done(handoff, t.me('SwiftEagle'), { summary: 'POST /login works', handoff: { whatWasDone: 'Implemented POST /login with session cookies and rate limits', where: ['src/api/login.ts'], howToTest: 'npm test -- api/login' } });
      await page.locator('[data-testid=run-state]', { hasText: 'completed' }).waitFor();
      expect(await page.locator('[data-testid=stage]').evaluateAll((els) => els.map((e) => e.getAttribute('data-outcome')))).toEqual(['done', 'done']);
    });

    it('refuses a change without the CSRF token, even with the session cookie the browser sends', async () => {
      await page.goto(url(projectPage()));
      await page.locator('[data-testid=live][data-state=live]').waitFor();
      const answer = await page.evaluate(async (key) => {
        const res = await fetch(`/v1/projects/${encodeURIComponent(key)}/humans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'mallory' }) });
        return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
      }, t.key);
      expect(answer.status).toBe(403);
      expect(answer.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('Missing CSRF token') });
      expect((await t.project.agents.list({ kind: 'human' })).map((m) => m.name)).toEqual(['alice']);

      // The page's own action (with its token) works, after a confirmation, and shows the result.
      await page.getByRole('button', { name: 'Invite a human' }).click();
      const dialog = page.locator('dialog[open]');
      await dialog.locator('input[name=name]').fill('bob');
      await dialog.getByRole('button', { name: 'Invite', exact: true }).click();
      await expect(dialog.locator('.result.ok').textContent()).resolves.toContain('Invited bob');
      await expect(dialog.locator('code.secret').textContent()).resolves.toMatch(/^bh_/);
      await dialog.getByRole('button', { name: 'Close' }).click();
      expect((await t.project.agents.list({ kind: 'human' })).map((m) => m.name).sort()).toEqual(['alice', 'bob']);
    });

    it('force-releases a lease from the map after asking for a reason', async () => {
      const lease = page.locator('[data-testid=lease][data-pattern="src/live/*.ts"]');
      await lease.getByRole('button', { name: 'Force-release' }).click();
      const dialog = page.locator('dialog[open]');
      await dialog.locator('input[name=reason]').fill('GreenCastle moved on');
      await dialog.getByRole('button', { name: 'Force-release' }).click();
      await expect(dialog.locator('.result.ok').textContent()).resolves.toContain('Released 1 reservation(s); told GreenCastle');
      await dialog.getByRole('button', { name: 'Close' }).click();
      await lease.waitFor({ state: 'detached' });
    });

    it('resumes the live stream after the server went away (another server, same session key)', async () => {
      const port = api.port;
      await api.close();
      await page.locator('[data-testid=live]:not([data-state=live])').waitFor();
      api = await startConsoleApi(ctx, { temporalUi: { url: 'http://127.0.0.1:8233', namespace: 'default' } }, port);
      expect(TEST_SESSION_KEYS).toHaveLength(1);
      await page.locator('[data-testid=live][data-state=live]').waitFor({ timeout: 30_000 });
      await t.project.reservations.reserve({ actor: member('GreenCastle'), patterns: ['docs/after-restart.md'], reason: 'after the restart', ttlSeconds: 600 });
      await page.locator('[data-testid=lease][data-pattern="docs/after-restart.md"]').waitFor();
    });

    it('takes an expired lease off the map when the project workflow expires it', async () => {
      const lease = page.locator('[data-testid=lease][data-pattern="src/live/short.ts"]');
      await lease.waitFor({ state: 'detached', timeout: 90_000 });
      // The server's own count (not the page's countdown) drops when the workflow's timer fires.
      for (let i = 0; i < 150 && (await mapTotal()) !== '1'; i++) await page.waitForTimeout(200);
      await expect(mapTotal()).resolves.toBe('1');
      expect((await t.project.reservations.list()).reservations.map((r) => r.pattern)).toEqual(['docs/after-restart.md']);
    }, 120_000);

    it('starts a pattern from a plan and retires a member, each after a confirmation that shows the result', async () => {
      await page.goto(url(projectPage()));
      await page.locator('[data-testid=live][data-state=live]').waitFor();
      await page.getByRole('button', { name: 'Start a pattern' }).click();
      let dialog = page.locator('dialog[open]');
      await dialog.locator('select[name=pattern]').selectOption('sequential-handoff');
      await dialog.locator('textarea[name=plan]').fill(JSON.stringify({ title: 'Docs pass', steps: [{ name: 'docs', agent: 'SwiftEagle', task: 'Write the guide', files: ['docs/guide.md'] }] }));
      await dialog.getByRole('button', { name: 'Start', exact: true }).click();
      await expect(dialog.locator('.result.ok').textContent()).resolves.toContain('Started Docs pass');
      await dialog.getByRole('button', { name: 'Close' }).click();
      await page.locator('[data-testid=run]', { hasText: 'Docs pass' }).waitFor();
      await page.locator('[data-testid=lease][data-pattern="docs/guide.md"]').waitFor();

      const row = page.locator('[data-testid=member]', { hasText: 'GreenCastle' });
      await row.getByRole('button', { name: 'Retire' }).click();
      dialog = page.locator('dialog[open]');
      await dialog.getByRole('button', { name: 'Retire GreenCastle' }).click();
      await expect(dialog.locator('.result.ok').textContent()).resolves.toBe('GreenCastle is retired.');
      await dialog.getByRole('button', { name: 'Close' }).click();
      await row.waitFor({ state: 'detached' });
      expect((await t.project.agents.list({ kind: 'agent' })).map((m) => m.name)).toEqual(['SwiftEagle']);
    });

    it('signs out: the session ends on the server, and its cookie no longer works', async () => {
      const cookie = (await light.cookies()).find((c) => c.name === 'baton_session')!;
      await page.locator('[data-testid=sign-out]').click();
      await page.waitForURL(/\/login/);
      const replay = await fetch(url(`/v1/projects/${encodeURIComponent(t.key)}/members/me`), { headers: { cookie: `baton_session=${cookie.value}`, accept: 'application/json' } });
      expect(replay.status).toBe(401);
    });
  });
}
