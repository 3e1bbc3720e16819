import type { z } from 'zod';
import { BatonError } from '../domain/errors';
import type { MemberLookup } from '../domain/patterns/plan';
import type { PatternName } from './names';

/**
 * What Baton knows about a coordination pattern, in one place: its names, its workflow, its plan and
 * the checks on it, how `baton start` fills the plan from flags, and how it is shown. The registry
 * (src/patterns/registry.ts) lists one per pattern; the CLI, the typed client, the Baton server and
 * the MCP tools read it, so a pattern is added (or changed) here once. Pure: no Temporal, so the CLI
 * bundle may load it.
 */
export interface PatternDefinition<Plan = unknown> {
  name: PatternName;
  /** How people name it: "Sequential Handoff". */
  label: string;
  /** Short names `baton start` also takes: "handoff". */
  aliases: readonly string[];
  /** The workflow function's name (src/workflows/index.ts exports it). */
  workflowType: string;
  /** One line for `baton start --help` and `baton recommend`. */
  summary: string;
  /** The plan's schema (src/patterns/<name>/plan.ts). */
  plan: z.ZodType<Plan>;
  /** Who may start it: any member, or only a human (whose plan is broadcast as theirs). */
  starter: 'member' | 'human';
  /** Plan defaults that depend on other fields (e.g. Onboarding's title), applied before parsing. */
  prepare?(draft: PlanDraft): PlanDraft;
  /** Members the plan names; each must be registered. */
  members(plan: Plan): string[];
  /** Files and globs its steps reserve; each must pass the reservation policy. */
  files(plan: Plan): string[];
  /** Shell commands the plan gives Baton's worker to run. */
  commands(plan: Plan): string[];
  /** Checks zod cannot express (disjoint files, author != reviewer); throws BatonError. */
  checkPlan?(plan: Plan): void;
  /** Checks that need the directory (a reviewer is trusted, a responder is an agent); throws BatonError. */
  checkMembers?(plan: Plan, who: MemberLookup): void;
  /** The Web UI's summary (one line) and details (the plan in words). */
  describe(plan: Plan): { summary: string; details: string };
  /** `baton start <name>` flags beyond the common ones (COMMON_FLAGS). */
  flags: StartFlag[];
  /** `baton start <name> --help` examples (the first is also `baton recommend`'s). */
  examples: string[];
  /** What to do after starting it, e.g. "agents: baton claim <id>". */
  next(workflowId: string): string;
  /** The seed's "Workflow Selection" row, for `baton recommend`. */
  selection: { taskType: string; duration: string; keywords: string[]; why: string; uses?: string };
}

/** A plan as flags and a plan file build it, before parsing. */
export type PlanDraft = Record<string, unknown>;

/**
 * A `baton start` flag and where its value goes in the plan. The same description names the flag in
 * plan errors, so `reviewer: is required` reads "reviewer (--reviewer alice): is required".
 */
export interface StartFlag {
  /** Commander's syntax: "--reviewer <name>", "--allow-new-agents". */
  flags: string;
  description: string;
  /** Every use adds one value (e.g. --step, --worker). */
  repeat?: boolean;
  /** The plan field it fills ("reviewer", "starterTask.files"). */
  field: string;
  /** The flag as someone would type it: "--reviewer alice". */
  example: string;
  /** How the value lands in the plan; default: `field` set to the value as typed. */
  apply?(plan: PlanDraft, value: string | string[] | true, options: Record<string, unknown>): void;
}

/** Flags every pattern takes. */
export const COMMON_FLAGS: StartFlag[] = [
  { flags: '--title <text>', description: 'what this work is', field: 'title', example: '--title "User sign-up"' },
  { flags: '--id <id>', description: 'last part of the workflow id (default: the title as a slug + a random suffix)', field: 'id', example: '--id user-sign-up' },
  {
    flags: '--reminder-after <duration>',
    description: 'remind whoever a wait is for after this long (default 30m)',
    field: 'deadlines.reminderAfter',
    example: '--reminder-after 30m',
  },
  { flags: '--escalate-after <duration>', description: 'tell the humans after this long (default 2h)', field: 'deadlines.escalateAfter', example: '--escalate-after 2h' },
  { flags: '--lease-ttl <duration>', description: 'how long step reservations last (kept alive while a step is open; default 8h)', field: 'leaseTtl', example: '--lease-ttl 8h' },
  { flags: '--approver <name>', description: 'a human who may approve (repeat; default: every human)', repeat: true, field: 'approvers', example: '--approver alice' },
  {
    flags: '--workdir <dir>',
    description: "the project's checkout on the worker's machine, where the plan's commands run (required with a command)",
    field: 'workdir',
    example: '--workdir /srv/checkouts/web',
  },
  {
    flags: '--env <name=value>',
    description: "a variable the plan's commands get (repeat; never TEMPORAL_* or BATON_*: the worker's own are not passed)",
    repeat: true,
    field: 'env',
    example: '--env NODE_ENV=test',
    apply(plan, value) {
      const env: Record<string, string> = { ...(plan.env as Record<string, string> | undefined) };
      for (const pair of value as string[]) {
        const at = pair.indexOf('=');
        if (at < 1) throw new BatonError('INVALID_INPUT', `env: "${pair}" should look like NAME=value, e.g. --env NODE_ENV=test`);
        env[pair.slice(0, at)] = pair.slice(at + 1);
      }
      plan.env = env;
    },
  },
];

/** Splits "a,b , c" into ["a", "b", "c"]. */
export const list = (value: string): string[] =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

/** Sets `plan.a.b = value` for field "a.b", creating the objects on the way. */
export function setField(plan: PlanDraft, field: string, value: unknown): void {
  const path = field.split('.');
  let at: Record<string, unknown> = plan;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    at = (at[key] = next !== null && typeof next === 'object' ? { ...(next as object) } : {}) as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = value;
}

/**
 * "name:Agent:file1,file2:task" and the like: the last part may itself contain ":" (a task saying
 * "fix: the login"). `shape` and `example` are quoted in the error.
 */
export function splitSpec(field: string, spec: string, parts: number, shape: string, example: string): string[] {
  const pieces = spec.split(':');
  if (pieces.length < parts || pieces.slice(0, parts - 1).some((p) => !p.trim())) {
    throw new BatonError('INVALID_INPUT', `${field}: "${spec}" should look like ${shape}, e.g. ${example}`);
  }
  return [...pieces.slice(0, parts - 1).map((p) => p.trim()), pieces.slice(parts - 1).join(':').trim()];
}

/** "Agent:file1,file2:task", a share of work (a parallel worker, a full-stack layer). */
export function agentShare(field: string, spec: string, example: string): { agent: string; files: string[]; task: string } {
  const [agent, files, task] = splitSpec(field, spec, 3, 'Agent:file1,file2:task', example);
  return { agent: agent!, files: list(files!), task: task! };
}

/**
 * Applies the flags given (common ones first, then the pattern's) to a plan from a file. Flags override
 * the file's fields.
 */
export function planFromFlags(def: PatternDefinition, fromFile: PlanDraft, options: Record<string, unknown>): PlanDraft {
  const plan: PlanDraft = { ...fromFile };
  for (const flag of [...COMMON_FLAGS, ...def.flags]) {
    const value = options[optionKey(flag)];
    if (value === undefined || value === false || (Array.isArray(value) && value.length === 0)) continue;
    if (flag.apply) flag.apply(plan, value as string | string[] | true, options);
    else setField(plan, flag.field, value);
  }
  return plan;
}

/** Commander's key for a flag: "--integration-command <cmd>" -> "integrationCommand". */
export function optionKey(flag: StartFlag): string {
  const long = flag.flags.split(/[ ,]+/).find((f) => f.startsWith('--'))!;
  return long.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Parses a plan; every problem names the field, the flag that fills it and an example, e.g.
 * `reviewer: is required; give --reviewer <name> (plan field "reviewer"), e.g. --reviewer alice`.
 */
export function parsePlan<Plan>(def: PatternDefinition<Plan>, draft: PlanDraft): Plan {
  const prepared = def.prepare ? def.prepare(draft) : draft;
  const result = def.plan.safeParse(prepared);
  if (result.success) return result.data;
  const flags = [...COMMON_FLAGS, ...def.flags];
  const lines = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    const missing = valueAt(prepared, issue.path) === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union');
    const problem = missing ? 'is required' : issue.code === 'invalid_union' ? 'is not in a form this plan takes' : issue.message;
    return `${field || 'plan'}: ${problem}${howToGive(flags, field)}`;
  });
  throw new BatonError('INVALID_INPUT', `Invalid ${def.label} plan: ${lines.join('; ')}`, { issues: result.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) });
}

/** "; give --reviewer <name> (plan field "reviewer"), e.g. --reviewer alice", or the alternatives that fill parts of it. */
function howToGive(flags: StartFlag[], field: string): string {
  const covering = flags.filter((f) => field === f.field || field.startsWith(`${f.field}.`)).sort((a, b) => b.field.length - a.field.length)[0];
  if (covering) return `; give ${covering.flags} (plan field "${covering.field}"), e.g. ${covering.example}`;
  const parts = field ? flags.filter((f) => f.field.startsWith(`${field}.`)) : [];
  if (parts.length) return `; give ${parts.map((f) => `${f.flags} (e.g. ${f.example})`).join(', or ')} (plan field "${field}")`;
  return '';
}

function valueAt(draft: unknown, path: PropertyKey[]): unknown {
  let at = draft;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}
