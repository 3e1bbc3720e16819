import { Client, Connection } from '@temporalio/client';
import { loadConfig, type BatonConfig } from '../config';
import { BatonError } from '../domain/errors';

/** Connect a Temporal client with Baton's configuration (env vars and profile, Temporal's conventions). */
export async function connectClient(config: BatonConfig = loadConfig()): Promise<Client> {
  try {
    const connection = await Connection.connect({ ...config.connectionOptions, connectTimeout: '5s' } as Parameters<typeof Connection.connect>[0]);
    return new Client({ connection, namespace: config.namespace });
  } catch (err) {
    throw new BatonError(
      'UNAVAILABLE',
      `Cannot reach Temporal at ${config.address} (${err instanceof Error ? err.message.split('\n')[0] : String(err)}). ` +
        'Start Baton with `npm start`, or set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TEMPORAL_API_KEY) to a running server.',
    );
  }
}
