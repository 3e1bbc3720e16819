import * as wf from '@temporalio/workflow';
import { ProjectWorkflowInput, type ProjectDescription } from '../../schemas/project';
import { BatonKind, BatonProject } from '../../search-attributes';
import { parseOrFail } from '../failure';
import { describeQuery, pingUpdate, shutdownSignal } from './api';
import type { ProjectContext, ProjectModule } from './module';
import { noReservations } from './no-reservations';
import { AlertsModule, type AlertsState } from './alerts';
import { AgentDirectory, type DirectoryState } from './directory';
import { MessagesModule, type MessagesState } from './messages';
import { ReservationBook, type ReservationsState } from './reservations';

/**
 * One long-running workflow per project: the single authority for its reservations and its agent
 * directory. Every decision is made here, in order, durably; leases expire on durable timers even if
 * no worker was running at the moment of expiry. History stays bounded: when Temporal suggests it, the
 * workflow waits for in-flight handlers and continues-as-new with each module's state.
 */
export async function projectWorkflow(rawInput: ProjectWorkflowInput): Promise<void> {
  const input = parseOrFail(ProjectWorkflowInput, rawInput, 'project workflow input');
  const carried = input.carried ?? {};
  let wakeRequested = false;
  let shutdown: { by: string; reason: string } | undefined;

  const ctx = {
    project: input.project,
    settings: input.settings,
    wake: () => {
      wakeRequested = true;
    },
    reservations: noReservations,
  } as ProjectContext;

  const historyTooLong = () => wf.workflowInfo().continueAsNewSuggested || wf.workflowInfo().historyLength >= input.settings.maxHistoryEvents;

  const modules: ProjectModule[] = buildModules(ctx, carried);
  for (const module of modules) module.register();

  if (wf.workflowInfo().typedSearchAttributes.get(BatonProject) !== input.project) {
    wf.upsertSearchAttributes([
      { key: BatonProject, value: input.project },
      { key: BatonKind, value: 'project' },
    ]);
  }
  wf.setCurrentDetails(`Project ${input.project}: generation ${input.generation}`);

  wf.setHandler(pingUpdate, () => ({ pong: true as const, at: Date.now() }));
  wf.setHandler(shutdownSignal, (s) => {
    shutdown = s;
  });
  wf.setHandler(describeQuery, (): ProjectDescription => ({
    project: input.project,
    generation: input.generation,
    startedAt: wf.workflowInfo().runStartTime.toISOString(),
    historyLength: wf.workflowInfo().historyLength,
    settings: input.settings,
    modules: Object.fromEntries(modules.map((m) => [m.name, m.describe?.() ?? null])),
  }));

  for (;;) {
    const nextWake = earliest(modules.map((m) => m.nextWakeAt?.()));
    wakeRequested = false;
    const woken = () => wakeRequested || shutdown !== undefined || historyTooLong();
    if (nextWake === undefined) await wf.condition(woken);
    else await wf.condition(woken, Math.max(1, nextWake - Date.now()));
    const now = Date.now();
    for (const module of modules) {
      const at = module.nextWakeAt?.();
      if (at !== undefined && at <= now) module.onWake?.(now);
    }
    if (shutdown || historyTooLong()) break;
  }

  await wf.condition(wf.allHandlersFinished);
  if (shutdown) return;
  await wf.continueAsNew<typeof projectWorkflow>({
    project: input.project,
    settings: input.settings,
    generation: input.generation + 1,
    carried: Object.fromEntries(modules.map((m) => [m.name, m.snapshot()])),
  });
}

/**
 * Modules of the project workflow; each module file owns its state and handlers. The directory comes
 * first: other modules authenticate through it.
 */
function buildModules(ctx: ProjectContext, carried: Record<string, unknown>): ProjectModule[] {
  const directory = new AgentDirectory(ctx, ctx.settings, carried.directory as DirectoryState | undefined);
  ctx.directory = directory;
  const reservations = new ReservationBook(ctx, carried.reservations as ReservationsState | undefined);
  ctx.reservations = reservations;
  const messages = new MessagesModule(ctx, directory, carried.messages as MessagesState | undefined);
  const alerts = new AlertsModule(ctx, directory, carried.alerts as AlertsState | undefined);
  return [directory, reservations, messages, alerts];
}

function earliest(times: (number | undefined)[]): number | undefined {
  let min: number | undefined;
  for (const t of times) if (t !== undefined && (min === undefined || t < min)) min = t;
  return min;
}
