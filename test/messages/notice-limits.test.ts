import { NotifyInput, SendInput } from '../../src/schemas/messages';

const actor = { kind: 'workflow' as const, workflowId: 'baton/p/emergency-response/x', onBehalfOf: 'BoldMountain' };
const names = (n: number) => Array.from({ length: n }, (_, i) => `Agent${String.fromCharCode(97 + (i % 26))}${i}`);

describe('recipient limits', () => {
  it('lets a system notice reach a whole team (an emergency with 56 responders)', () => {
    expect(NotifyInput.safeParse({ actor, to: names(56), subject: 'alert', body: 'prod is down' }).success).toBe(true);
  });

  it('still caps what a member may address in one send', () => {
    const member = { kind: 'member' as const, name: 'BoldMountain', token: 'bt_0123456789abcdef' };
    const result = SendInput.safeParse({ actor: member, to: names(56), subject: 'hi', body: 'x' });
    expect(result.success).toBe(false);
  });
});
