import { useEffect, useRef, useState } from 'preact/hooks';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'ended';

export interface Live {
  /** The latest value of each section the server sent (`project:<key>`, `runs:<key>`, ...). */
  sections: Record<string, unknown>;
  state: LiveState;
  /** Server clock minus this page's clock, ms (countdowns use the server's time). */
  offset: number;
}

/**
 * One server-sent event stream for the page: the server sends every section it shows on connect and
 * each section again whenever it changes; nothing here polls. A dropped connection is opened again
 * by the browser (EventSource; the server asks for a retry after 1 s) and the page is whole again
 * at once. When the server refuses the stream (session ended), `onEnded` runs.
 */
export function useLive(query: string, onEnded: () => void): Live {
  const [sections, setSections] = useState<Record<string, unknown>>({});
  const [state, setState] = useState<LiveState>('connecting');
  const [offset, setOffset] = useState(0);
  const ended = useRef(onEnded);
  ended.current = onEnded;

  useEffect(() => {
    setSections({});
    setState('connecting');
    const source = new EventSource(`/console/events${query ? `?${query}` : ''}`);
    source.addEventListener('hello', (e) => {
      setOffset(Date.parse((JSON.parse((e as MessageEvent<string>).data) as { at: string }).at) - Date.now());
      setState('live');
    });
    source.addEventListener('section', (e) => {
      const { key, value } = JSON.parse((e as MessageEvent<string>).data) as { key: string; value: unknown };
      setSections((s) => ({ ...s, [key]: value }));
    });
    source.addEventListener('signed-out', () => {
      source.close();
      setState('ended');
      ended.current();
    });
    source.onerror = () => {
      // CLOSED: the server answered with an error (not signed in); otherwise the browser retries.
      if (source.readyState === EventSource.CLOSED) {
        setState('ended');
        ended.current();
      } else setState('reconnecting');
    };
    return () => source.close();
  }, [query]);

  return { sections, state, offset };
}
