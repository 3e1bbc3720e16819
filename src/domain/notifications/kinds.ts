/** What a human may be notified of (one kind per event), and where notifications go. */
export const NOTIFICATION_KINDS = ['decision', 'escalation', 'urgent-message', 'alert', 'lease-expiring'] as const;
export type NotificationKindName = (typeof NOTIFICATION_KINDS)[number];

export const SINK_KINDS = ['webhook', 'slack', 'desktop'] as const;
export type SinkKindName = (typeof SINK_KINDS)[number];
