import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import type { SessionView } from '../schemas/console';
import { call, setCsrfToken } from './api';

interface SessionContext {
  session: SessionView | undefined;
  /** Reads the session again (after a sign-in elsewhere, or when the live stream was refused). */
  refresh(): Promise<SessionView>;
  signIn(project: string, token: string): Promise<SessionView>;
  signOut(): Promise<void>;
  /** The signed-in human's name in `project`. */
  nameIn(project: string): string | undefined;
}

const Context = createContext<SessionContext | undefined>(undefined);

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [session, setSession] = useState<SessionView>();
  const apply = useCallback((view: SessionView) => {
    setCsrfToken(view.csrfToken);
    setSession(view);
    return view;
  }, []);
  const refresh = useCallback(() => call<SessionView>('GET', '/console/session').then(apply), [apply]);
  useEffect(() => void refresh().catch(() => undefined), [refresh]);
  const value: SessionContext = {
    session,
    refresh,
    signIn: (project, token) => call<SessionView>('POST', '/console/session', { project, token }).then(apply),
    signOut: async () => {
      await call('DELETE', '/console/session');
      await refresh();
    },
    nameIn: (project) => session?.members.find((m) => m.project === project)?.name,
  };
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useSession(): SessionContext {
  const ctx = useContext(Context);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}
