import { Client, Connection } from '@temporalio/client';
import { msToTs, type Duration } from '@temporalio/common/lib/time';
import { ensureSearchAttributes } from '../search-attributes';
import { BATON_SEARCH_ATTRIBUTES } from '../../search-attributes';
import { sleep } from './background-process';

/**
 * A fresh Temporal server has only its own system namespace: Baton's `default` namespace and its
 * search attributes are created here through the operator API (what `temporal operator namespace
 * create` and `... search-attribute create` call). Waits until the namespace serves, since each
 * service learns about a new namespace from its cache refresh (every ~10 s), not at once.
 */
export async function ensureNamespace(options: {
  address: string;
  namespace: string;
  log: (line: string) => void;
  /** How long workflow histories are kept after they close. */
  retention?: Duration;
  timeoutMs?: number;
}): Promise<void> {
  const { address, namespace, log } = options;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const connection = await connectWhenUp(address, deadline);
  try {
    if (!(await namespaceExists(connection, namespace))) {
      log(`  creating namespace ${namespace}`);
      try {
        await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(options.retention ?? '3 days') });
      } catch (err) {
        if (!/already exists|AlreadyExists/i.test((err as Error).message)) throw err;
      }
    }
    const client = new Client({ connection, namespace });
    for (;;) {
      const missing = await ensureSearchAttributes(client, namespace).catch((err: Error) => [err.message]);
      const listed = missing.length === 0 && (await hasAllSearchAttributes(connection, namespace));
      if (listed && (await servesEveryPart(client, namespace))) return;
      if (Date.now() > deadline) throw new Error(`Namespace ${namespace} on ${address} is not ready: ${missing.join('; ') || 'search attributes or visibility not answering yet'}`);
      await sleep(1_000);
    }
  } finally {
    await connection.close();
  }
}

async function connectWhenUp(address: string, deadline: number): Promise<Connection> {
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: '2s' });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`The Temporal frontend at ${address} does not answer: ${(err as Error).message.split('\n')[0]}`);
      await sleep(500);
    }
  }
}

async function namespaceExists(connection: Connection, namespace: string): Promise<boolean> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch (err) {
    if (/not found/i.test((err as Error).message)) return false;
    throw err;
  }
}

async function hasAllSearchAttributes(connection: Connection, namespace: string): Promise<boolean> {
  const answer = await connection.operatorService.listSearchAttributes({ namespace }).catch(() => undefined);
  const have = new Set(Object.keys(answer?.customAttributes ?? {}));
  return Object.keys(BATON_SEARCH_ATTRIBUTES).every((name) => have.has(name));
}

/**
 * One call per part of the cluster: a visibility count (PostgreSQL's visibility store, the last to see
 * a new namespace), a describe of a workflow that does not exist (answered "not found" only by a
 * history service that owns its shard) and a task queue describe (matching). Right after a restart the
 * frontend accepts calls seconds before history has taken its shards back.
 */
async function servesEveryPart(client: Client, namespace: string): Promise<boolean> {
  try {
    await client.workflow.count();
    await client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: 'baton-readiness-probe' } });
  } catch {
    return false;
  }
  try {
    await client.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId: 'baton-readiness-probe' } });
    return true;
  } catch (err) {
    return /not found/i.test((err as Error).message);
  }
}
