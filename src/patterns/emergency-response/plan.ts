import { z } from 'zod';
import { BatonError } from '../../domain/errors';
import type { MemberLookup } from '../../domain/patterns/plan';
import { MemberName } from '../../schemas/actor';
import { CommandSpec, Deadlines, Duration, Files, PlanBase, Text, workdirForCommands } from '../../schemas/patterns';

/**
 * Emergency Response (production broke; minutes count). The plan names the affected files and, when
 * the team has them, commands for the staging test, the deploy, the rollback and the health check;
 * without a command, the claimant does that step and reports it.
 */
export const HealthCheckSpec = CommandSpec.extend({
  /** Run the check this often during the monitoring window. */
  every: Duration.prefault('30s'),
});
export type HealthCheckSpec = z.infer<typeof HealthCheckSpec>;

/**
 * The plan as runs started before the kit read it (src/patterns/compat/): without the rule that a
 * plan with commands names its workdir, which came with the kit.
 */
export const EmergencyPlanFields = z.object({
  ...PlanBase,
  // An emergency waits minutes, not hours: tighter defaults than other patterns.
  deadlines: Deadlines.prefault({ reminderAfter: '5m', escalateAfter: '15m' }),
  description: Text('describe the symptoms (what is broken, since when, the error)', 4000),
  files: Files.min(1, 'must name the affected files (the claimant reserves them with priority)'),
  /** Who may claim; default: every agent of the project. */
  responders: z.array(MemberName).min(1).max(100).optional(),
  /** An unclaimed alert goes to the humans after this long. */
  claimWithin: Duration.prefault('5m'),
  staging: CommandSpec.optional(),
  deploy: CommandSpec.optional(),
  rollback: CommandSpec.optional(),
  healthCheck: HealthCheckSpec.optional(),
  /** How long the deploy is watched (the health check's window, or how long the claimant watches). */
  monitorWindow: Duration.prefault('10m'),
  /** A failed monitoring window reopens the incident, at most this many times before a human decides. */
  maxReopens: z.number().int().min(0).max(10).default(3),
});
export const EmergencyPlan = EmergencyPlanFields.superRefine(workdirForCommands((p) => [p.staging, p.deploy, p.rollback, p.healthCheck].flatMap((c) => (c ? [c.command] : []))));
export type EmergencyPlan = z.infer<typeof EmergencyPlan>;
export type EmergencyPlanInput = z.input<typeof EmergencyPlan>;

/** Responders claim emergencies, so they are agents; humans approve the deploy. */
export function checkEmergencyMembers(plan: EmergencyPlan, who: MemberLookup): void {
  const humans = (plan.responders ?? []).filter((r) => who(r)?.kind === 'human');
  if (humans.length) throw new BatonError('INVALID_INPUT', `responders: ${humans.join(', ')} ${humans.length === 1 ? 'is a human' : 'are humans'}; agents claim emergencies, humans approve the deploy.`);
}
