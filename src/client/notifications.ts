import { parseInput } from '../domain/validation';
import { MemberActor } from '../schemas/actor';
import { AddSinkInput, SinkRef, TestSinkInput, type NotificationsView, type SinkRequest, type SinkView } from '../schemas/notifications';
import { addSinkUpdate, notificationsQuery, removeSinkUpdate, testSinkUpdate } from '../workflows/project/notifications-api';
import type { ProjectChannel } from './project';

/**
 * A human's notification sinks in one project (webhook, Slack, desktop), and what became of the
 * project's notifications (recent deliveries, dead letters).
 */
export class NotificationsClient {
  constructor(private readonly channel: ProjectChannel) {}

  /** `linkBase`: the console's address as people reach it (notifications link to its pages). */
  async add(actor: MemberActor, sink: SinkRequest, linkBase: string): Promise<SinkView> {
    return this.channel.update(addSinkUpdate, parseInput(AddSinkInput, { actor, sink, linkBase }, 'notification sink'));
  }

  async remove(actor: MemberActor, id: string): Promise<SinkView> {
    return this.channel.update(removeSinkUpdate, parseInput(SinkRef, { actor, id }, 'sink'));
  }

  /** A test notification to one sink, or to every sink of the caller. */
  async test(actor: MemberActor, id?: string): Promise<{ queued: number }> {
    return this.channel.update(testSinkUpdate, parseInput(TestSinkInput, { actor, ...(id ? { id } : {}) }, 'test request'));
  }

  async view(actor: MemberActor): Promise<NotificationsView> {
    return this.channel.checkedQuery(notificationsQuery, { actor: parseInput(MemberActor, actor, 'actor') });
  }
}
