import * as wf from '@temporalio/workflow';
import { ProjectSettings, ProjectWorkflowInput, SettingsPatch, ShutdownInput, UpdateSettingsInput, type ProjectDescription, type ProjectEnded } from '../../schemas/project';
import { BatonKind, BatonProject } from '../../search-attributes';
import { parseOrFail } from '../failure';
import { describeQuery, pingUpdate, shutdownUpdate, updateSettingsUpdate } from './api';
import type { ProjectContext, ProjectModule } from './module';
import { noNotifications, noReservations } from './no-reservations';
import { AlertsModule, type AlertsState } from './alerts';
import { AgentDirectory, type DirectoryState } from './directory';
import { MessagesModule, type MessagesState } from './messages';
import { ReservationBook, type ReservationsState } from './reservations';
import { NotificationsModule, type NotificationsState } from './notifications';
import { ProjectOperations } from './operations';
import { CARRIED_BUDGET_TOTAL, PAYLOAD_LIMIT_BYTES, carriedReport, formatBytes, type CarriedSizes } from './carried/budget';
import { jsonBytes } from './carried/json-size';
import { defineTransfer } from './transfer';

/**
 * One long-running workflow per project: the single authority for its reservations, its directory,
 * its messages and its alerts. Every decision is made here, in order, durably; leases expire on
 * durable timers even if no worker was running at the moment of expiry. History stays bounded: when
 * Temporal suggests it, the workflow waits for in-flight handlers and continues-as-new with each
 * module's state. It ends only when a human shuts it down (or an operator terminates it); it is never
 * started again silently (the Baton server creates projects only on `baton init`).
 */
export async function projectWorkflow(rawInput: ProjectWorkflowInput): Promise<ProjectEnded | void> {
  const input = parseOrFail(ProjectWorkflowInput, rawInput, 'project workflow input');
  const carried = input.carried ?? {};
  let settings = input.settings;
  let wakeRequested = false;
  let ended: ProjectEnded | undefined;

  const operations = new ProjectOperations();
  const ctx = {
    project: input.project,
    operations,
    get settings() {
      return settings;
    },
    wake: () => {
      wakeRequested = true;
    },
    reservations: noReservations,
    notifications: noNotifications,
  } as ProjectContext;

  const historyTooLong = () => wf.workflowInfo().continueAsNewSuggested || wf.workflowInfo().historyLength >= settings.maxHistoryEvents;

  const modules: ProjectModule[] = buildModules(ctx, carried, input);
  for (const module of modules) module.register();
  defineTransfer(ctx);
  operations.register();
  const directory = modules[0] as AgentDirectory;

  if (wf.workflowInfo().typedSearchAttributes.get(BatonProject) !== input.project) {
    wf.upsertSearchAttributes([
      { key: BatonProject, value: input.project },
      { key: BatonKind, value: 'project' },
    ]);
  }
  wf.setCurrentDetails(`Project ${input.project}: generation ${input.generation}`);

  operations.define(pingUpdate, { validate: () => undefined, handle: () => ({ pong: true as const, at: Date.now() }) });
  operations.define(updateSettingsUpdate, {
    validate: (raw) => {
      const { actor, patch } = parseOrFail(UpdateSettingsInput, raw, 'settings');
      directory.requireHuman(actor, 'change the project settings');
      applyPatch(settings, patch);
    },
    handle: (raw) => {
      const { actor, patch } = parseOrFail(UpdateSettingsInput, raw, 'settings');
      directory.touch(directory.requireHuman(actor, 'change the project settings'));
      settings = applyPatch(settings, patch);
      wakeRequested = true;
      return settings;
    },
  });
  operations.define(shutdownUpdate, {
    validate: (raw) => void directory.requireHuman(parseOrFail(ShutdownInput, raw, 'shutdown').actor, 'end the project'),
    handle: (raw) => {
      const { actor, reason } = parseOrFail(ShutdownInput, raw, 'shutdown');
      const by = directory.requireHuman(actor, 'end the project');
      ended ??= { project: input.project, endedBy: by, reason, endedAt: new Date(Date.now()).toISOString() };
      return ended;
    },
  });
  wf.setHandler(describeQuery, (): ProjectDescription => ({
    project: input.project,
    generation: input.generation,
    startedAt: wf.workflowInfo().runStartTime.toISOString(),
    historyLength: wf.workflowInfo().historyLength,
    settings,
    modules: Object.fromEntries(modules.map((m) => [m.name, m.describe?.() ?? null])),
    carried: carriedReport(carriedSizes(modules)),
  }));

  for (;;) {
    const nextWake = earliest(modules.map((m) => m.nextWakeAt?.()));
    wakeRequested = false;
    const woken = () => wakeRequested || ended !== undefined || historyTooLong();
    if (nextWake === undefined) await wf.condition(woken);
    else await wf.condition(woken, Math.max(1, nextWake - Date.now()));
    const now = Date.now();
    for (const module of modules) {
      const at = module.nextWakeAt?.();
      if (at !== undefined && at <= now) module.onWake?.(now);
    }
    if (ended || historyTooLong()) break;
  }

  // New updates are refused (retryable) from here: under steady traffic the drain still finishes, and
  // the callers' retries land on the next run.
  operations.drain();
  await wf.condition(wf.allHandlersFinished);
  if (!ended && wf.patched('baton-settle-before-can-v1')) {
    for (const module of modules) await module.beforeContinueAsNew?.();
  }
  if (ended) {
    wf.setCurrentDetails(`Project ${input.project} ended by ${ended.endedBy} at ${ended.endedAt}: ${ended.reason}`);
    return ended;
  }
  const next = {
    project: input.project,
    settings,
    generation: input.generation + 1,
    carried: Object.fromEntries(modules.map((m) => [m.name, m.snapshot()])),
  };
  checkCarried(modules, jsonBytes(next));
  await wf.continueAsNew<typeof projectWorkflow>(next);
}

function carriedSizes(modules: ProjectModule[]): CarriedSizes {
  return Object.assign({}, ...modules.map((m) => m.carriedBytes?.() ?? {})) as CarriedSizes;
}

/**
 * Admission keeps each section within its budget (carried/budget.ts); what may still exceed it (renewals
 * regrouping leases, state carried from before the budget) is said in the worker's log with the sizes,
 * well before the input would reach Temporal's payload limit (it then fails the continue-as-new).
 */
function checkCarried(modules: ProjectModule[], inputBytes: number): void {
  const report = carriedReport(carriedSizes(modules));
  if (report.bytes <= CARRIED_BUDGET_TOTAL && inputBytes <= PAYLOAD_LIMIT_BYTES) return;
  const sections = Object.fromEntries(Object.entries(report.sections).map(([name, s]) => [name, `${formatBytes(s.bytes)} of ${formatBytes(s.budget)}`]));
  wf.log.warn(`The project's carried state is over its budget: ${report.summary}; the continue-as-new input takes ${formatBytes(inputBytes)}`, { sections, inputBytes, limit: PAYLOAD_LIMIT_BYTES });
}

/** Settings after a human's patch; validated whole, so a patch cannot produce an invalid combination. */
function applyPatch(current: ProjectSettings, patch: SettingsPatch): ProjectSettings {
  const merged = { ...current, ...patch, alerts: { ...current.alerts, ...(patch.alerts ?? {}) } };
  return parseOrFail(ProjectSettings, merged, 'settings');
}

/**
 * Modules of the project workflow; each module file owns its state and handlers. The directory comes
 * first: other modules authenticate through it.
 */
function buildModules(ctx: ProjectContext, carried: Record<string, unknown>, input: { founder?: { name: string; tokenHash: string } }): ProjectModule[] {
  const directory = new AgentDirectory(ctx, carried.directory as DirectoryState | undefined, input.founder);
  ctx.directory = directory;
  const reservations = new ReservationBook(ctx, carried.reservations as ReservationsState | undefined);
  ctx.reservations = reservations;
  const messages = new MessagesModule(ctx, directory, carried.messages as MessagesState | undefined);
  const alerts = new AlertsModule(ctx, directory, carried.alerts as AlertsState | undefined);
  const notifications = new NotificationsModule(ctx, directory, carried.notifications as NotificationsState | undefined);
  ctx.notifications = notifications;
  return [directory, reservations, messages, alerts, notifications];
}

function earliest(times: (number | undefined)[]): number | undefined {
  let min: number | undefined;
  for (const t of times) if (t !== undefined && (min === undefined || t < min)) min = t;
  return min;
}
