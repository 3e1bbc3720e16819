import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The search attributes Baton sets, so people find its workflows in the Web UI and `baton approvals`
 * lists what waits for a human with one visibility query instead of a scan. Registered by the dev
 * server launcher and by `npm start` on an existing cluster.
 */
export const BatonProject = defineSearchAttributeKey('BatonProject', SearchAttributeType.KEYWORD);
/** project | mailbox | pattern name (sequential-handoff, code-review, ...) */
export const BatonKind = defineSearchAttributeKey('BatonKind', SearchAttributeType.KEYWORD);
export const BatonAgent = defineSearchAttributeKey('BatonAgent', SearchAttributeType.KEYWORD);
export const BatonStep = defineSearchAttributeKey('BatonStep', SearchAttributeType.KEYWORD);
export const BatonWaitingFor = defineSearchAttributeKey('BatonWaitingFor', SearchAttributeType.KEYWORD_LIST);
export const BatonNeedsHuman = defineSearchAttributeKey('BatonNeedsHuman', SearchAttributeType.BOOL);

export const BATON_SEARCH_ATTRIBUTES = {
  BatonProject: 'Keyword',
  BatonKind: 'Keyword',
  BatonAgent: 'Keyword',
  BatonStep: 'Keyword',
  BatonWaitingFor: 'KeywordList',
  BatonNeedsHuman: 'Bool',
} as const;

/**
 * The search attributes a pattern run starts with, whoever starts it (the typed client, or a parent
 * pattern starting a child): `baton approvals`, `baton patterns` and the Web UI filter on them. The run
 * keeps BatonStep, BatonWaitingFor and BatonNeedsHuman current as it goes.
 */
export function patternSearchAttributes(project: string, pattern: string) {
  return [
    { key: BatonProject, value: project },
    { key: BatonKind, value: pattern },
    { key: BatonStep, value: 'starting' },
    { key: BatonWaitingFor, value: [] as string[] },
    { key: BatonNeedsHuman, value: false },
  ];
}
