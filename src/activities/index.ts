import { BatonClient } from '../client';
import { DEFAULT_BATCH_OPTIONS } from '../client/batcher';
import { createEmergencyActivities } from '../patterns/emergency-response/activities';
import { createOnboardingActivities } from '../patterns/onboarding/activities';
import { createAlertActivities } from './alerts';
import type { ActivityDeps } from './deps';
import { createMessageActivities } from './messages';
import { createNotificationActivities } from './notifications';
import { createPatternActivities } from './patterns';

export type { ActivityDeps } from './deps';

/**
 * All activities the Baton worker registers. Side effects (talking to other workflows through the
 * client, running configured commands, health checks) live here, never in workflow code.
 */
export function createActivities(base: Omit<ActivityDeps, 'baton'>) {
  const deps: ActivityDeps = { ...base, baton: new BatonClient(base.client, base.config, { batching: DEFAULT_BATCH_OPTIONS }) };
  return {
    ...createMessageActivities(deps),
    ...createPatternActivities(deps),
    ...createAlertActivities(deps),
    ...createEmergencyActivities(deps),
    ...createOnboardingActivities(deps),
    ...createNotificationActivities(),
  };
}

export type BatonActivities = ReturnType<typeof createActivities>;
