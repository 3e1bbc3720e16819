import type { BatonClient, BatonProjectClient } from '../../src/client';
import { member, type MemberActor } from '../../src/schemas/actor';

/**
 * How a test agent joins a project and acts in later calls through the operator's typed client
 * (members act by name; the Baton server, when there is one, adds the epoch it verified). The token
 * is kept for the suites that go through the Baton servers.
 */
export interface ClusterAgent {
  name: string;
  actor: MemberActor;
  token: string;
}

/** A new project under `key`, created on purpose with its first human (nothing creates one implicitly). */
export async function createProject(baton: BatonClient, key: string): Promise<{ project: BatonProjectClient; human: { name: string; token: string } }> {
  const created = await baton.initProject(key, { human: 'alice' });
  return { project: baton.project(key), human: { name: created.member.name, token: created.token } };
}

/** Registers `count` agents at once (concurrent registrations are part of the load). */
export async function registerAgents(project: BatonProjectClient, count: number, task: string): Promise<ClusterAgent[]> {
  const registrations = await Promise.all(Array.from({ length: count }, (_, i) => project.agents.register({ program: 'cluster-test', task: `${task} ${i}` })));
  return registrations.map(({ member: m, token }) => ({ name: m.name, actor: member(m.name), token }));
}
