import { ApplicationFailure } from '@temporalio/activity';
import { toBatonError } from '../client/errors';

/**
 * Runs a client call inside an activity: its BatonError becomes an ApplicationFailure of the same
 * code; only an unreachable or failing server is worth retrying, a refusal is final.
 */
export async function clientCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = toBatonError(err);
    throw ApplicationFailure.create({ type: e.code, message: e.message, nonRetryable: e.code !== 'UNAVAILABLE' && e.code !== 'INTERNAL' });
  }
}
