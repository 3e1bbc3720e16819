import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Checked } from '../failure';
import type {
  AuditInput,
  AuditTrail,
  CheckInput,
  CheckResult,
  ForceReleaseInput,
  ForceReleaseResult,
  ListReservationsInput,
  ReleaseInput,
  ReleaseResult,
  RenewInput,
  RenewResult,
  ReservationList,
  ReserveInput,
  ReserveResult,
} from '../../schemas/reservations';

/** The reservation book's message API on the project workflow. Updates have validators; queries never write. */
export const reserveUpdate = defineUpdate<ReserveResult, [ReserveInput]>('reserve');
export const releaseUpdate = defineUpdate<ReleaseResult, [ReleaseInput]>('release');
export const renewUpdate = defineUpdate<RenewResult, [RenewInput]>('renew');
export const forceReleaseUpdate = defineUpdate<ForceReleaseResult, [ForceReleaseInput]>('forceRelease');
export const reservationsQuery = defineQuery<Checked<ReservationList>, [ListReservationsInput?]>('reservations');
export const checkReservationsQuery = defineQuery<Checked<CheckResult>, [CheckInput]>('checkReservations');
export const reservationAuditQuery = defineQuery<Checked<AuditTrail>, [AuditInput?]>('reservationAudit');
