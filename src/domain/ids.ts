import { z } from 'zod';

/**
 * Project keys and workflow ids. A project key is a slug or a repo path; it becomes part of every
 * workflow id of the project, so it is restricted to characters that read well in the Web UI.
 */
export const ProjectKey = z
  .string()
  .trim()
  .min(1, 'must not be empty; pass --project or set BATON_PROJECT')
  .max(120, 'must be at most 120 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'may contain letters, digits, ".", "_", "-" and "/" and must start with a letter or digit');
export type ProjectKey = z.infer<typeof ProjectKey>;

export const projectWorkflowId = (project: string): string => `baton/${project}/project`;
export const mailboxWorkflowId = (project: string, agent: string): string => `baton/${project}/mailbox/${agent.toLowerCase()}`;
export const patternWorkflowId = (project: string, pattern: string, id: string): string => `baton/${project}/${pattern}/${id}`;
