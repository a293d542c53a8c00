import { createServer } from 'node:net';
import { type FailedItem, type QueueBackend, realClock } from '@troupe/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNats, type NatsServer, startNatsServer } from '../../../test/support/natsServer.js';
import {
  listDeadLetters,
  natsBackend,
  purgeDeadLetters,
  replayDeadLetters,
  showDeadLetter,
} from '../src/index.js';

const deps = (failed: FailedItem[] = []) => ({
  clock: realClock,
  maxTakeBytes: 1024 * 1024,
  onFailed: (f: FailedItem) => failed.push(f),
  onStarving: () => {},
});
const coded = (code: string) => expect.objectContaining({ code });

it('refuses bad options at the call, naming them', () => {
  const bad: unknown[] = [
    undefined,
    {},
    { servers: '' },
    { servers: [] },
    { servers: [3] },
    { servers: 'nats://x', prefix: 'has.dot' },
    { servers: 'nats://x', prefix: '' },
    { servers: 'nats://x', ackWaitMs: 10 },
    { servers: 'nats://x', connectTimeoutMs: 1.5 },
  ];
  for (const options of bad) {
    expect(() => natsBackend(options as never)).toThrow(coded('ERR_TROUPE_INVALID_ARGUMENT'));
  }
});

it('rejects with BackendError when nothing listens at the address', async () => {
  // A port that was free a moment ago: nothing answers there.
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
  const factory = natsBackend({
    servers: `nats://127.0.0.1:${port}`,
    connectTimeoutMs: 500,
    connection: { reconnect: false },
  });
  await expect(factory.open(deps())).rejects.toEqual(coded('ERR_TROUPE_BACKEND'));
});

let server: NatsServer | undefined;
let backend: QueueBackend | undefined;
const failed: FailedItem[] = [];

describeNats('dead letters on NATS', () => {
  beforeAll(async () => {
    server = await startNatsServer();
    backend = await natsBackend({ servers: server.url }).open(deps(failed));
  });
  afterAll(async () => {
    await backend?.shutdown?.();
    await server?.stop();
  });

  /** A queue with one dead letter per item (each crashed its consumer's mailbox actor). */
  async function withDeadLetters(name: string, items: unknown[]): Promise<void> {
    const b = backend as QueueBackend;
    const { id } = b.create({ name });
    for (const item of items) await b.put(id, item);
    for (let i = 0; i < items.length; i++) {
      await b.take(id, `consumer-${name}-${i}`, 1, { timeoutMs: 10_000 });
      await b.consumerGone(`consumer-${name}-${i}`, id);
    }
    await expect
      .poll(() => failed.filter((f) => f.queue === id).length, { timeout: 10_000 })
      .toBe(items.length);
  }

  it('lists, shows, replays and purges the dead letters of one queue only', async () => {
    await withDeadLetters('dlq-a', ['a1', 'a2', 'a3']);
    await withDeadLetters('dlq-b', ['b1']);
    const where = { servers: (server as NatsServer).url };
    const dead = await listDeadLetters(where, 'dlq-a');
    expect(dead.map((d) => d.value)).toEqual(['a1', 'a2', 'a3']);
    expect(dead[0]).toMatchObject({ queue: 'dlq-a', reason: 'it crashed its consumer', deliveries: 1 });
    expect(await showDeadLetter(where, 'dlq-a', (dead[1] as { seq: number }).seq)).toMatchObject({
      value: 'a2',
    });
    // A sequence of another queue's dead letter is not this queue's.
    const [other] = await listDeadLetters(where, 'dlq-b');
    expect(await showDeadLetter(where, 'dlq-a', (other as { seq: number }).seq)).toBeUndefined();

    expect(await replayDeadLetters(where, 'dlq-a', [(dead[1] as { seq: number }).seq])).toBe(1);
    expect((await listDeadLetters(where, 'dlq-a')).map((d) => d.value)).toEqual(['a1', 'a3']);
    const b = backend as QueueBackend;
    expect(await b.take('dlq-a', 'after', 5, { timeoutMs: 10_000 })).toEqual(['a2']);
    expect(await purgeDeadLetters(where, 'dlq-a')).toBe(2);
    expect(await listDeadLetters(where, 'dlq-a')).toEqual([]);
    expect((await listDeadLetters(where, 'dlq-b')).map((d) => d.value)).toEqual(['b1']);
  });

  it('refuses a queue name that cannot be one, and an unreachable server, with typed errors', async () => {
    const where = { servers: (server as NatsServer).url };
    await expect(listDeadLetters(where, 'no.dots')).rejects.toEqual(coded('ERR_TROUPE_INVALID_ARGUMENT'));
    await expect(
      listDeadLetters({ servers: 'nats://127.0.0.1:1', connection: { reconnect: false, timeout: 500 } }, 'q'),
    ).rejects.toEqual(coded('ERR_TROUPE_BACKEND'));
  });
});
