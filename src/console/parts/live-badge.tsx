import type { LiveState } from '../live';

const LABEL: Record<LiveState, string> = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', ended: 'offline' };

/** Whether the page's live stream is up (the browser reconnects by itself when it drops). */
export function LiveBadge({ state }: { state: LiveState }) {
  return (
    <span class={`live ${state}`} data-testid="live" data-state={state} title="Updates arrive as they happen (server-sent events)">
      <span class="dot" aria-hidden="true" />
      {LABEL[state]}
    </span>
  );
}
