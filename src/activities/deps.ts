import type { Client } from '@temporalio/client';
import type { BatonClient } from '../client';
import type { BatonConfig } from '../config';

/** What every activity of the Baton worker is built with. */
export interface ActivityDeps {
  client: Client;
  config: BatonConfig;
  /** One client for every activity of this worker, batching its calls to each project (group commit). */
  baton: BatonClient;
}
