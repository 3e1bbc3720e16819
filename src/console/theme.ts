import { useEffect, useState } from 'preact/hooks';

export type Theme = 'light' | 'dark' | 'system';

/** Light, dark, or the system's: kept in this browser only. */
export function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem('baton-theme') as Theme | null) ?? 'system');
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
    localStorage.setItem('baton-theme', theme);
  }, [theme]);
  return [theme, setTheme];
}
