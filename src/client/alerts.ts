import { parseInput } from '../domain/validation';
import { AlertsFilter, type AlertsView } from '../schemas/alerts';
import { alertsQuery } from '../workflows/project/alerts-api';
import type { ProjectChannel } from './project';

/** Anti-pattern alerts of a project (what the project workflow's alerts module currently sees). */
export class AlertsClient {
  constructor(private readonly channel: ProjectChannel) {}

  list(filter: AlertsFilter = {}): Promise<AlertsView> {
    return this.channel.checkedQuery(alertsQuery, parseInput(AlertsFilter, filter, 'alert filter'));
  }
}
