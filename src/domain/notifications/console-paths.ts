/**
 * Addresses of the console's pages (the dashboard the Baton server serves at `/`). Notifications link
 * to them and the page's router reads them, so both sides build them here. A page is only a view:
 * opening one never changes anything (approval happens on the page, after login, with a CSRF token).
 */
export const consolePaths = {
  needsYou: () => '/',
  project: (project: string) => `/p/${encodeURIComponent(project)}`,
  /** A pattern run by its workflow id (`baton/<project>/<pattern>/<id>`). */
  run: (project: string, pattern: string, id: string) => `/p/${encodeURIComponent(project)}/run/${encodeURIComponent(pattern)}/${encodeURIComponent(id)}`,
};

/** The pattern and run id of a pattern workflow id, or undefined when it is not one. */
export function runOf(workflowId: string): { project: string; pattern: string; id: string } | undefined {
  const parts = workflowId.split('/');
  if (parts[0] !== 'baton' || parts.length < 4) return undefined;
  const id = parts[parts.length - 1]!;
  const pattern = parts[parts.length - 2]!;
  const project = parts.slice(1, -2).join('/');
  return project ? { project, pattern, id } : undefined;
}

/** The console page of a pattern workflow (the project page when the id is not a pattern run's). */
export function runPath(project: string, workflowId: string): string {
  const run = runOf(workflowId);
  return run ? consolePaths.run(run.project, run.pattern, run.id) : consolePaths.project(project);
}
