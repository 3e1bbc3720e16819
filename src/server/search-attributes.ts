import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { BATON_SEARCH_ATTRIBUTES } from '../search-attributes';

const TYPES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  Bool: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
};

/**
 * Registers Baton's search attributes on a server that was not started by Baton (a cluster, or a dev
 * server someone else runs). Returns the names it could not register, with the reason, so `npm start`
 * can say what to do instead of failing (Temporal Cloud registers them through its own UI or tcld).
 */
export async function ensureSearchAttributes(client: Client, namespace: string): Promise<string[]> {
  const existing = await client.connection.operatorService.listSearchAttributes({ namespace });
  const have = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = Object.entries(BATON_SEARCH_ATTRIBUTES).filter(([name]) => !have.has(name));
  if (missing.length === 0) return [];
  try {
    await client.connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, TYPES[type]!])),
    });
    return [];
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return missing.map(([name, type]) => `${name} (${type}): ${reason}`);
  }
}
