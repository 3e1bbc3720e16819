import { randomBytes } from 'node:crypto';
import { hashToken } from '../domain/agents/token-hash';
import type { MemberKind } from '../schemas/agents';

/**
 * A new bearer token: 192 random bits, `bt_` for agents and `bh_` for humans so people can tell them
 * apart at a glance. Only its SHA-256 hash goes to the workflow; the token is shown once.
 */
export function newToken(kind: MemberKind): { token: string; tokenHash: string } {
  const token = `${kind === 'human' ? 'bh' : 'bt'}_${randomBytes(24).toString('base64url')}`;
  return { token, tokenHash: hashToken(token) };
}
