import type { Client } from '@temporalio/client';
import type { BatonConfig } from '../config';
import { createMessageActivities } from './messages';
import { createPatternActivities } from './patterns';
import { createPatterns2Activities } from './patterns2';

export interface ActivityDeps {
  client: Client;
  config: BatonConfig;
}

/**
 * All activities the Baton worker registers. Side effects (talking to other workflows through the
 * client, running configured commands, health checks) live here, never in workflow code.
 */
export function createActivities(deps: ActivityDeps) {
  return { ...createMessageActivities(deps), ...createPatternActivities(deps), ...createPatterns2Activities(deps) };
}

export type BatonActivities = ReturnType<typeof createActivities>;
