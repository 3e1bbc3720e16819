import type { Client } from '@temporalio/client';
import type { BatonConfig } from '../config';

export interface ActivityDeps {
  client: Client;
  config: BatonConfig;
}

/**
 * All activities the Baton worker registers. Side effects (talking to other workflows through the
 * client, running configured commands, health checks) live here, never in workflow code.
 */
export function createActivities(_deps: ActivityDeps) {
  return {};
}

export type BatonActivities = ReturnType<typeof createActivities>;
