import { z } from 'zod';
import { PATTERN_NAMES } from '../patterns/names';

/**
 * Words that follow a project key in its workflow ids (`baton/<key>/project`, `baton/<key>/mailbox/<name>`,
 * `baton/<key>/<pattern>/<id>`): a key with such a part would share ids with another project's workflows.
 */
const RESERVED_SEGMENTS: ReadonlySet<string> = new Set(['project', 'mailbox', ...PATTERN_NAMES]);

/**
 * Project keys and workflow ids. A project key is a slug or a repo path; it becomes part of every
 * workflow id of the project, so it is restricted to characters that read well in the Web UI.
 */
export const ProjectKey = z
  .string()
  .trim()
  .min(1, 'must not be empty; pass --project or set BATON_PROJECT')
  .max(120, 'must be at most 120 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'may contain letters, digits, ".", "_", "-" and "/" and must start with a letter or digit')
  .refine((key) => !key.split('/').some((segment) => RESERVED_SEGMENTS.has(segment.toLowerCase())), {
    message: `must not have a part named ${['project', 'mailbox', ...PATTERN_NAMES].join(', ')} (workflow ids use those words: acme/mailbox's project workflow would be acme's mailbox of a member named "project"); choose another key`,
  });
export type ProjectKey = z.infer<typeof ProjectKey>;

export const projectWorkflowId = (project: string): string => `baton/${project}/project`;
export const mailboxWorkflowId = (project: string, agent: string): string => `baton/${project}/mailbox/${agent.toLowerCase()}`;
export const patternWorkflowId = (project: string, pattern: string, id: string): string => `baton/${project}/${pattern}/${id}`;
