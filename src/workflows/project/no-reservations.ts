import type { ReservationsPort } from './module';

/** The reservations port before the reservation book is installed: nobody holds anything. */
export const noReservations: ReservationsPort = { holdOverlapping: () => false, activeLeases: () => [], leaseCount: () => 0, releaseForRetirement: () => [] };
