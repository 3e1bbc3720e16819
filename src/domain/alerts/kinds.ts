/** The seed's anti-patterns Baton watches for (one alert kind each). */
export const ALERT_KINDS = ['silent-work', 'reservation-hoarding', 'no-sync-points', 'unclear-handoffs'] as const;
export type AlertKindName = (typeof ALERT_KINDS)[number];
