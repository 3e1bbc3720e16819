import { clientCall } from '../../activities/client-call';
import type { ActivityDeps } from '../../activities/deps';
import { memberQuery } from '../../workflows/project/directory-api';
import type { OnboardingActivities } from './activities-api';

/** Onboarding's side effect: where the new agent's trust stands (the directory counts successful tasks). */
export function createOnboardingActivities({ baton }: ActivityDeps): OnboardingActivities {
  return {
    async memberTrust({ project, name }) {
      return clientCall(async () => {
        const p = baton.project(project);
        const member = await p.channel.query(memberQuery, { name });
        if (!member) return null;
        const settings = (await p.describe()).settings;
        return { name: member.name, trusted: member.trust === 'trusted', successfulTasks: member.successfulTasks, trustAfterTasks: settings.trustAfterTasks };
      });
    },
  };
}
