import { mailboxWorkflowId, patternWorkflowId, ProjectKey, projectWorkflowId } from '../../src/domain/ids';

describe('project keys', () => {
  it('accepts slugs and repo paths', () => {
    for (const key of ['acme', 'acme/web', 'github.com/acme/web-app', 'a_b.c-d/e']) expect(ProjectKey.parse(key)).toBe(key);
  });

  it('refuses a key with a part that workflow ids use, naming the words (no two projects may share a workflow id)', () => {
    // acme/mailbox's project workflow would be acme's mailbox of a member named "project", and
    // acme/code-review's would be acme's code review run with the id "project".
    expect(projectWorkflowId('acme/mailbox')).toBe(mailboxWorkflowId('acme', 'project'));
    expect(projectWorkflowId('acme/code-review')).toBe(patternWorkflowId('acme', 'code-review', 'project'));
    for (const key of ['acme/mailbox', 'acme/code-review', 'project', 'Acme/Project/web', 'x/onboarding/y']) {
      const parsed = ProjectKey.safeParse(key);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/must not have a part named project, mailbox, parallel-development, .* choose another key/);
    }
  });
});
