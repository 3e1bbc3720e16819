import { CheckInput, ForceReleaseInput, ListReservationsInput, ReleaseInput, RenewInput, ReserveInput, type Conflict } from '../../schemas/reservations';
import { BatonError } from '../../domain/errors';
import { defineTool, type Tool, type ToolCall } from '../toolbox';

const actor = ({ session }: ToolCall) => session.actor();

/** "src/api/users.ts: held by BoldMountain (exclusive src/api/**, until 2026-...Z, "auth refactor")" */
export function describeConflict(c: Conflict): string {
  const target = c.pattern === c.heldPattern ? c.pattern : `${c.pattern} overlaps ${c.heldPattern}`;
  const gone = c.holderState ? `; ${c.holder} is ${c.holderState} and will not answer: a human can force-release it` : '';
  return `${target}: held by ${c.holder} (${c.exclusive ? 'exclusive' : 'shared'}, until ${c.expiresAt}, reason "${c.reason}", reservation ${c.reservationId}${gone})`;
}

export function reservationTools(): Tool[] {
  return [
    defineTool({
      name: 'reserve',
      title: 'Reserve files',
      description:
        'Reserve files or globs (repo-relative, e.g. src/api/users.ts or src/api/*.ts) before editing them, with a reason. ' +
        'Exclusive by default; all or nothing: on a conflict nothing is reserved and the error names the holder, their pattern, expiry and reason. ' +
        'Reservations expire after ttlSeconds (default 1 h); renew them while you work and release them when done.',
      schema: ReserveInput,
      what: 'reserve request',
      fill: { actor },
      async run(input, { session }) {
        const result = await session.project().reservations.reserve(input);
        if (result.status === 'conflict') {
          // A conflict is an answer for the client, but for the agent it is the call not doing what it asked.
          throw new BatonError(
            'CONFLICT',
            `Nothing reserved: ${result.conflicts.map(describeConflict).join('; ')}. Work on something else, ask the holder with \`send\`, or reserve again later.`,
            { conflicts: result.conflicts },
          );
        }
        const clamped = result.clampedTtl ? ` (ttl clamped from ${result.clampedTtl.requestedSeconds}s to ${result.clampedTtl.appliedSeconds}s)` : '';
        return {
          summary: `Reserved ${result.reservations.map((r) => r.pattern).join(', ')} until ${result.reservations[0]?.expiresAt}${clamped}.`,
          data: result,
        };
      },
    }),
    defineTool({
      name: 'check',
      title: 'Check files against reservations',
      description:
        'Would editing these paths (or reserving these patterns) conflict, and with whom? Read-only; your own reservations never count. ' +
        'Give `paths` (files) and/or `patterns` (globs).',
      schema: CheckInput,
      what: 'check request',
      readOnly: true,
      // One's own reservations never conflict: the session's name, never an argument.
      fill: { asAgent: ({ session }) => session.actor().name },
      async run(input, { session }) {
        const result = await session.project().reservations.check(input);
        const conflicts = result.results.flatMap((r) => r.conflicts);
        return {
          summary: result.clear ? 'Clear: nobody else holds these.' : `Not clear: ${conflicts.map(describeConflict).join('; ')}.`,
          data: result,
        };
      },
    }),
    defineTool({
      name: 'release',
      title: 'Release reservations',
      description: 'Release your reservations: by `ids`, by `patterns` (exactly as reserved), or `all: true` (exactly one of them). Releasing twice is fine.',
      schema: ReleaseInput,
      what: 'release request',
      fill: { actor },
      async run(input, { session }) {
        const result = await session.project().reservations.release(input);
        return { summary: `Released ${result.released.length + (result.omitted ?? 0)} reservation${result.released.length + (result.omitted ?? 0) === 1 ? '' : 's'}.`, data: result };
      },
    }),
    defineTool({
      name: 'renew',
      title: 'Renew reservations',
      description: 'Extend your reservations by ttlSeconds (default 1 h) from the later of now and their current expiry; all of yours when `ids` is omitted.',
      schema: RenewInput,
      what: 'renew request',
      fill: { actor },
      async run(input, { session }) {
        const result = await session.project().reservations.renew(input);
        return { summary: `Renewed ${result.renewed.length} reservation${result.renewed.length === 1 ? '' : 's'}.`, data: result };
      },
    }),
    defineTool({
      name: 'reservations',
      title: 'List reservations',
      description: 'List the active reservations of the project (optionally one holder\'s): pattern, holder, exclusive, expiry, reason. Oldest first, a page at a time: pass `next` back as `after` for more.',
      schema: ListReservationsInput,
      what: 'reservation filter',
      readOnly: true,
      async run(input, { session }) {
        const result = await session.project().reservations.list(input);
        const more = result.next === undefined ? '' : ` Showing ${result.reservations.length}; for more, call again with after: "${result.next}".`;
        return { summary: `${result.total} active reservation${result.total === 1 ? '' : 's'}.${more}`, data: result };
      },
    }),
    defineTool({
      name: 'force_release',
      title: 'Force-release reservations (humans)',
      description: 'Humans only: release anyone\'s reservations by `ids`, `holder` or overlapping `patterns`, with a reason; the holders are notified.',
      schema: ForceReleaseInput,
      what: 'force-release request',
      fill: { actor },
      async run(input, { session }) {
        const result = await session.project().reservations.forceRelease(input);
        return { summary: `Force-released ${result.released.length + (result.omitted ?? 0)} reservation${result.released.length + (result.omitted ?? 0) === 1 ? '' : 's'}; notified ${result.notified.join(', ') || 'nobody'}.`, data: result };
      },
    }),
  ];
}
