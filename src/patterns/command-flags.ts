import { setField, type PlanDraft, type StartFlag } from './definition';

/**
 * Flags of the plans that give Baton's worker shell commands: `--<what>-command <cmd>` fills
 * `<field>.command`, and `--timeout` sets the time limit of every command given by flag.
 */
export const TIMEOUT_FLAG: StartFlag = {
  flags: '--timeout <duration>',
  description: "time limit of each command given by flag (default 10m)",
  field: 'timeout',
  example: '--timeout 15m',
  // Read by the command flags below.
  apply: () => undefined,
};

export function commandFlag(flags: string, field: string, description: string, example: string, extra?: (options: Record<string, unknown>) => PlanDraft): StartFlag {
  return {
    flags,
    description,
    field: `${field}.command`,
    example,
    apply(plan, value, options) {
      setField(plan, field, { command: value, ...(options.timeout ? { timeout: options.timeout } : {}), ...(extra?.(options) ?? {}) });
    },
  };
}
