import type { Client } from '@temporalio/client';
import type { BatonConfig } from '../config';
import { BatonClient } from '../client';
import { DEFAULT_BATCH_OPTIONS } from '../client/batcher';
import { createMessageActivities } from './messages';
import { createNotificationActivities } from './notifications';
import { createPatternActivities } from './patterns';
import { createPatterns2Activities } from './patterns2';

export interface ActivityDeps {
  client: Client;
  config: BatonConfig;
  /** One client for every activity of this worker, batching its calls to each project (group commit). */
  baton: BatonClient;
}

/**
 * All activities the Baton worker registers. Side effects (talking to other workflows through the
 * client, running configured commands, health checks) live here, never in workflow code.
 */
export function createActivities(base: Omit<ActivityDeps, 'baton'>) {
  const deps: ActivityDeps = { ...base, baton: new BatonClient(base.client, base.config, { batching: DEFAULT_BATCH_OPTIONS }) };
  return { ...createMessageActivities(deps), ...createPatternActivities(deps), ...createPatterns2Activities(deps), ...createNotificationActivities() };
}

export type BatonActivities = ReturnType<typeof createActivities>;
