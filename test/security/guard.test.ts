import { attackScene, baton, expectUnchanged, guardedCommit, guardedRepo, securityEnv, shell, stageChange, unknownToken, type SecurityEnv, type Shell, type Team } from './support';

/**
 * Attacks through the git guard (the pre-commit hook, which asks the Baton server whether another
 * member holds a staged file). The guard's one question is read-only, so the attack is to get a false
 * "clear": to be checked as the holder, or with a token that is not one's own. The server refuses each
 * with its specific error, the guard prints it and never prints a holder's leases to a caller it could
 * not verify. By its documented policy the guard then lets the commit go ahead, saying it was not
 * checked (src/guard/hook-main.ts: a guard that stops all work whenever Baton cannot answer would be
 * turned off; `--no-verify` skips it anyway): it is a courtesy check, not the boundary.
 */
describe('security: the git guard', () => {
  let env: SecurityEnv;
  let t: Team;
  let other: Team;
  let rotatedAway: string;
  let repo: string;
  const reserved = 'src/auth/login.ts';

  const unchanged = (attack: () => Promise<void>) => expectUnchanged(t.client, attack);
  // The project comes from `git config baton.project` (guard install records it), not from the shell.
  const gitShell = (identity: Record<string, string>): Shell => shell(env, undefined, identity);

  beforeAll(async () => {
    env = await securityEnv();
    ({ t, other, rotatedAway } = await attackScene(env));
    repo = guardedRepo(env, t.key, [reserved, 'src/free.ts']);
  });
  afterAll(() => env.close());

  it('controls: the holder commits its file, another agent with its own token is blocked, naming the holder', async () => {
    expect(await guardedCommit(repo, gitShell({ BATON_AGENT: 'SwiftEagle', BATON_TOKEN: t.token('SwiftEagle') }), reserved)).toEqual({ status: 0, stderr: '' });
    const blocked = await guardedCommit(repo, gitShell({ BATON_AGENT: 'BoldMountain', BATON_TOKEN: t.token('BoldMountain') }), reserved);
    expect(blocked.status).toBe(1);
    expect(blocked.stderr).toContain(`baton guard: commit blocked: this file is under another member's exclusive reservation in project ${t.key}`);
    expect(blocked.stderr).toContain('held by SwiftEagle: pattern src/auth/**');
  });

  /** What the guard says after "baton guard: " when the server refused the check. */
  const refused = (why: string) => `could not check reservations in project ${t.key} ${why}`;
  const cases: [string, () => Record<string, string>, () => string][] = [
    ['a wrong token (well-formed, never issued)', () => ({ BATON_TOKEN: unknownToken() }), () => refused(`[UNAUTHORIZED] This token belongs to no member of project ${t.key}`)],
    ["a retired member's token", () => ({ BATON_AGENT: 'RetiredOwl', BATON_TOKEN: t.token('RetiredOwl') }), () => refused(`[UNAUTHORIZED] RetiredOwl is retired in project ${t.key}`)],
    ['a rotated (old) token', () => ({ BATON_AGENT: 'QuietRiver', BATON_TOKEN: rotatedAway }), () => refused('[UNAUTHORIZED] This token belongs to no member')],
    ["another project's token", () => ({ BATON_AGENT: 'AmberFalcon', BATON_TOKEN: other.token('AmberFalcon') }), () => refused(`[UNAUTHORIZED] This token belongs to no member of project ${t.key}`)],
    ['a token value that is not a Baton token', () => ({ BATON_TOKEN: 'hunter2' }), () => refused('[UNAUTHORIZED] The bearer token is not a Baton token')],
    ["the holder's name with one's own token (to be checked as the holder)", () => ({ BATON_AGENT: 'SwiftEagle', BATON_TOKEN: t.token('BoldMountain') }), () => refused("[UNAUTHORIZED] This token is BoldMountain's, not SwiftEagle's")],
    // No token at all is said before any call: there is nothing to check with.
    ["the holder's name and no token", () => ({ BATON_AGENT: 'SwiftEagle' }), () => `not checked: no identity for project ${t.key}`],
  ];

  it.each(cases)("%s: the server's refusal is shown, no lease is shown, the commit is said to be unchecked", async (_name, identity, message) => {
    await unchanged(async () => {
      const hook = await guardedCommit(repo, gitShell(identity()), reserved);
      expect(hook.stderr).toContain(`baton guard: ${message()}`);
      expect(hook.stderr).toContain('The commit goes ahead unchecked.');
      expect(hook.stderr).not.toMatch(/held by|blocked|SwiftEagle: pattern/);
      expect(hook.status).toBe(0);
    });
  });

  it.each(cases)('%s: `baton guard check` says it could not check, never "Clear." (and fails open like the hook it stands in for)', async (_name, identity, message) => {
    await unchanged(async () => {
      stageChange(repo, reserved);
      const out = await baton({ ...gitShell(identity()), cwd: repo }, 'guard', 'check');
      expect(out.stderr).toContain(`baton guard: ${message()}`);
      expect(out.stderr).toContain('The commit goes ahead unchecked.');
      expect({ code: out.code, stdout: out.stdout }).toEqual({ code: 0, stdout: '' });
    });
  });
});
