import type { NotificationsPort, ReservationsPort } from './module';

/** The reservations port before the reservation book is installed: nobody holds anything. */
export const noReservations: ReservationsPort = { holdOverlapping: () => false, activeLeases: () => [], leaseCount: () => 0, releaseForRetirement: () => [], ownCoverage: () => ({ covered: [], by: [], overlapping: [] }) };

/** The notifications port before the notifications module is installed: nobody is told anything. */
export const noNotifications: NotificationsPort = { onMessage: () => undefined, raise: () => undefined };
