import type { BatonProjectClient } from '../../src/client';
import type { Actor } from '../../src/schemas/actor';

/**
 * How a test agent joins a project and proves who it is in later calls: the one place the cluster
 * suites know about identity, so a change of the actor model (members acting by verified name, with
 * no token, once the Baton server authenticates) is a change here only.
 */
export interface ClusterAgent {
  name: string;
  actor: Actor;
}

/** Registers `count` agents at once (concurrent registrations are part of the load). */
export async function registerAgents(project: BatonProjectClient, count: number, task: string): Promise<ClusterAgent[]> {
  const registrations = await Promise.all(Array.from({ length: count }, (_, i) => project.agents.register({ program: 'cluster-test', task: `${task} ${i}` })));
  return registrations.map(({ member, token }) => ({ name: member.name, actor: { kind: 'member', name: member.name, token } }));
}
