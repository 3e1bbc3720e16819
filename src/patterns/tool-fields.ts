import { z } from 'zod';
import type { ToolAnswer } from '../mcp/toolbox';
import type { ReportAck } from '../schemas/patterns';

/**
 * What the MCP tools of every pattern share: the run a call is about (the client accepts the full
 * workflow id or <pattern>/<id>), and how a report is answered.
 */
export const workflowField = {
  workflow: z
    .string()
    .trim()
    .min(1, 'must name the pattern run: the workflow id from your assignment message (baton/<project>/<pattern>/<id>) or <pattern>/<id>')
    .max(500, 'is too long to be a workflow id')
    .describe('the pattern run you report to: the workflow id from your assignment message, or <pattern>/<id>'),
};

export const acked = (ack: ReportAck): ToolAnswer => ({ summary: ack.message, data: ack });

