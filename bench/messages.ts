import type { BatonProjectClient } from '../src/client';
import { member, type MemberActor } from '../src/schemas/actor';
import type { BenchEnv } from './run';
import { ms, percentile, printTable, ratio, timed } from './stats';

export const name = 'messages';
export const description = 'send, broadcast to 20 and 200, inbox, read, delivery delay and push (inbox --wait) latency vs a no-op update in the same run';

const SAMPLES = Number(process.env.BATON_BENCH_SAMPLES || 150);
const PUSH_SAMPLES = Math.max(10, Math.floor(SAMPLES / 5));
const MEMBERS = 20;
/** The figures MCP Agent Mail's Rust server reports, for orientation (another machine, another design). */
const ANCHOR: Record<string, string> = { 'send (1 recipient)': '~27 ms', 'inbox (50 newest)': '~11.5 ms' };

async function registerMembers(project: BatonProjectClient, count: number): Promise<MemberActor[]> {
  const members: MemberActor[] = [];
  // Sequential: registration is not what is measured, and it stays clear of the in-flight update cap.
  for (let i = 0; i < count; i++) {
    members.push(member((await project.agents.register({ program: 'bench', contactPolicy: 'open' })).member.name));
  }
  return members;
}

export async function run(env: BenchEnv): Promise<void> {
  const project = await env.createProject('msg');
  const [sender, receiver, ...others] = await registerMembers(project, MEMBERS);
  const a = sender!;
  const b = receiver!;
  const body = 'Touching `src/auth/**` for the next hour; ping me before editing there.\n'.repeat(4);
  for (let i = 0; i < 10; i++) {
    await project.ping();
    await project.messages.send(a, { to: [b.name], subject: `warm-up ${i}`, body });
    await project.messages.inbox(b);
  }

  const samples: Record<string, number[]> = { ping: [], 'send (1 recipient)': [], 'send (to 1, cc 3)': [], 'inbox (50 newest)': [], 'inbox --unread (filter)': [], 'read (mark read)': [] };
  let last = '';
  for (let i = 0; i < SAMPLES; i++) {
    samples.ping!.push(await timed(() => project.ping()));
    samples['send (1 recipient)']!.push(
      await timed(async () => {
        last = (await project.messages.send(a, { to: [b.name], subject: `sample ${i}`, body })).messageId;
      }),
    );
    samples['send (to 1, cc 3)']!.push(await timed(() => project.messages.send(a, { to: [b.name], cc: others.slice(0, 3).map((o) => o.name), subject: `cc ${i}`, body })));
    samples['inbox (50 newest)']!.push(await timed(() => project.messages.inbox(b, { limit: 50 })));
    samples['inbox --unread (filter)']!.push(await timed(() => project.messages.inbox(b, { unread: true, limit: 50 })));
    // Delivery follows the send's answer: wait (untimed) until the message is there, then time the read.
    while (!(await project.messages.inbox(b, { limit: 5 })).items.some((m) => m.id === last));
    samples['read (mark read)']!.push(await timed(() => project.messages.read(b, last)));
  }

  const broadcast: number[] = [];
  for (let i = 0; i < Math.max(10, Math.floor(SAMPLES / 10)); i++) broadcast.push(await timed(() => project.messages.broadcast(a, { subject: `broadcast ${i}`, body })));
  samples[`broadcast (${MEMBERS - 1} recipients)`] = broadcast;

  // Delivery delay: a send answers once recorded; time from its answer until the recipient's inbox has it.
  const delivery: number[] = [];
  for (let i = 0; i < Math.max(10, Math.floor(SAMPLES / 5)); i++) {
    const { messageId } = await project.messages.send(a, { to: [b.name], subject: `delivery ${i}`, body });
    const answered = process.hrtime.bigint();
    for (;;) {
      const page = await project.messages.inbox(b, { limit: 5 });
      if (page.items.some((m) => m.id === messageId)) break;
    }
    delivery.push(Number(process.hrtime.bigint() - answered) / 1e6);
  }
  samples['delivery: send answered → inbox has it'] = delivery;

  // A broadcast to 200: the answer, then until the last of the 200 inboxes has it.
  const crowd = await env.createProject('msg200');
  const crowdMembers: MemberActor[] = [];
  for (let i = 0; i < 200; i += 50) {
    const regs = await Promise.all(Array.from({ length: 50 }, () => crowd.agents.register({ program: 'bench', contactPolicy: 'open' })));
    crowdMembers.push(...regs.map((r) => member(r.member.name)));
  }
  const [caller, ...listeners] = crowdMembers;
  const broadcast200: number[] = [];
  const everyone: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint();
    const { messageId } = await crowd.messages.broadcast(caller!, { subject: `to everyone ${i}`, body });
    broadcast200.push(Number(process.hrtime.bigint() - start) / 1e6);
    const waiting = new Set(listeners.map((l) => l.name));
    while (waiting.size) {
      await Promise.all([...waiting].map(async (name) => {
        const page = await crowd.messages.inbox(member(name), { limit: 3 });
        if (page.items.some((m) => m.id === messageId)) waiting.delete(name);
      }));
    }
    everyone.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples['broadcast (199 recipients): answered'] = broadcast200;
  samples['broadcast (199 recipients): in every inbox'] = everyone;

  // Push: a member blocked in `inbox --wait`; time from the start of a send until the wait returns.
  const push: number[] = [];
  for (let i = 0; i < PUSH_SAMPLES; i++) {
    const { lastSeq } = await project.messages.inbox(b, { limit: 1 });
    const waiting = project.messages.wait(b, { afterSeq: lastSeq, timeoutSeconds: 30 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const start = process.hrtime.bigint();
    await project.messages.send(a, { to: [b.name], subject: `push ${i}`, body });
    const got = await waiting;
    push.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (got.items.length === 0) throw new Error('push wait returned without the message');
  }
  samples['push: send → waiting inbox returns'] = push;

  const p50 = percentile(samples.ping!, 50);
  const p99 = percentile(samples.ping!, 99);
  const rows = Object.entries(samples).map(([op, xs]) => [
    op,
    String(xs.length),
    ms(percentile(xs, 50)),
    ms(percentile(xs, 99)),
    op === 'ping' ? '1.00x' : ratio(percentile(xs, 50), p50),
    op === 'ping' ? '1.00x' : ratio(percentile(xs, 99), p99),
    ANCHOR[op] ?? '',
  ]);
  env.log(`\nLatency, sequential calls from one client (ping = no-op update on the project workflow; ${MEMBERS} members, ${body.length}-byte bodies):`);
  printTable(['operation', 'n', 'p50', 'p99', 'p50 vs ping', 'p99 vs ping', 'MCP Agent Mail'], rows);
  env.log('A send is one update on the project workflow that answers once the message is recorded; one delivery activity per message then signals every mailbox. Inbox is a query on the member\'s mailbox workflow. Targets (issue 13): send p50 <= 1.3x ping; push (send -> waiting inbox) <= 2x ping p50.');
}
