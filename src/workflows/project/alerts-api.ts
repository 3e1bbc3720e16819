import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { AlertsFilter, AlertsView, ReportSignalInput } from '../../schemas/alerts';
import type { Checked } from '../failure';

/** The alerts module's message API on the project workflow (anti-pattern alerts). */
export const alertsQuery = defineQuery<Checked<AlertsView>, [AlertsFilter?]>('alerts');
/** Internal, `workflow` actor only: what a pattern workflow saw (progress, refused handoff, missed checkpoint). */
export const reportSignalUpdate = defineUpdate<{ alert: string | null }, [ReportSignalInput]>('reportPatternSignal');
