import { NotifyInput, SendInput } from '../../src/schemas/messages';

const actor = { kind: 'workflow' as const, workflowId: 'baton/p/emergency-response/x', onBehalfOf: 'BoldMountain' };
const names = (n: number) => Array.from({ length: n }, (_, i) => `Agent${String.fromCharCode(97 + (i % 26))}${i}`);

describe('recipient limits', () => {
  it('lets a system notice reach a whole team (an emergency with 56 responders)', () => {
    expect(NotifyInput.safeParse({ actor, to: names(56), subject: 'alert', body: 'prod is down' }).success).toBe(true);
  });

  it('still caps what a member may address in one send', () => {
    const member = { kind: 'member' as const, name: 'BoldMountain', epoch: 0 };
    const result = SendInput.safeParse({ actor: member, to: names(56), subject: 'hi', body: 'x' });
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.issues.map((i) => i.path.join('.'))).toEqual(['to']);
    // The cap, not the actor, is what refuses it: the same send to fewer recipients is fine.
    expect(SendInput.safeParse({ actor: member, to: names(20), subject: 'hi', body: 'x' }).success).toBe(true);
  });
});
