/**
 * Actors, supervisors and pools across hosts: each host a real node agent process (`troupe node`)
 * on a nats-server the suite starts on loopback. Remote spawn and ask, references that cross
 * hosts, an agent SIGKILLed (its actors exit `hostDown` and are restarted on the other host), a
 * pool map that survives losing a host, a host that comes back after being declared down, an
 * agent stopped in order, and messages that are malformed or not signed.
 */

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kvm, KvWatchInclude } from '@nats-io/kv';
import { connect, headers, type Msg } from '@nats-io/transport-node';
import { natsBackend, natsCluster } from '@troupe/nats';
import {
  ActorStoppedError,
  defineActor,
  type ExitedEvent,
  type HostDownEvent,
  InvalidArgumentError,
  SpawnError,
  type SystemEvent,
} from '@troupe/node-runtime';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { Counter, type CounterMsg, Crasher, type CrashMsg, Forwarder } from './fixtures/actors.js';
import { delayed } from './fixtures/pool.js';
import { describeNats, type NatsServer, startNatsServer } from './support/natsServer.js';
import { type Agent, startAgent } from './support/nodeAgents.js';
import { isAlive, waitUntil } from './support/processes.js';
import { startSystem } from './support/system.js';

const run = promisify(execFile);
const troupeBin = fileURLToPath(new URL('../packages/node-runtime/bin/troupe.js', import.meta.url));
let server: NatsServer;
let agents: Agent[] = [];
let prefixes = 0;
const SECRET = 'a-secret-of-at-least-16-characters';

/** A module no host has: its spawn is refused by the agent, naming it. */
const Elsewhere = defineActor('file:///nowhere/at/all/elsewhere.ts', 'Elsewhere', {
  init: () => null,
  receive: (s) => s,
});

describeNats('actors across hosts', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterEach(async () => {
    await Promise.all(agents.map((agent) => agent.kill()));
    agents = [];
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Two agents and a system, on a prefix of this test's own (names and records never meet). */
  async function cluster(
    options: {
      heartbeatMs?: number;
      hostDownMs?: number;
      secret?: string;
      hosts?: string[];
      queues?: boolean;
    } = {},
  ) {
    const prefix = `C${++prefixes}`;
    const names = options.hosts ?? ['a', 'b'];
    const started = await Promise.all(
      names.map((name) =>
        startAgent({
          url: server.url,
          name,
          prefix,
          heartbeatMs: options.heartbeatMs ?? 250,
          ...(options.secret === undefined ? {} : { secret: options.secret }),
        }),
      ),
    );
    agents.push(...started);
    const system = await startSystem({
      cluster: natsCluster({
        servers: server.url,
        prefix,
        hostDownMs: options.hostDownMs ?? 5000,
        ...(options.secret === undefined ? {} : { secret: options.secret }),
      }),
      ...(options.queues === true ? { backend: natsBackend({ servers: server.url, prefix }) } : {}),
    });
    const events: SystemEvent[] = [];
    system.events.subscribe((event) => events.push(event));
    return { system, agents: started, prefix, events };
  }

  it('spawns an actor on a named host and asks it; its worker is a child of that host’s agent', async () => {
    const {
      system,
      agents: [a],
    } = await cluster();
    expect(system.hosts().map((h) => [h.name, h.up])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    const counter = await system.spawn(Counter, { start: 41 }, { host: 'a' });
    expect(counter.host).toBe('a');
    expect(a?.workers()).toContain(counter.pid);
    counter.send({ type: 'inc' });
    expect(await counter.ask({ type: 'get' }, { timeoutMs: 5000 })).toBe(42);
    const stopped = await counter.stop();
    expect(stopped.reason).toBe('shutdown');
    expect(await waitUntil(() => !isAlive(counter.pid as number), 5000)).toBe(true);
  });

  it('places by policy: a list goes to the least loaded live host, and so does "*"', async () => {
    const { system } = await cluster();
    const first = await system.spawn(Counter, { start: 0 }, { host: ['a', 'b'], mailbox: 'pipe' });
    const second = await system.spawn(Counter, { start: 0 }, { host: ['a', 'b'], mailbox: 'pipe' });
    const third = await system.spawn(Counter, { start: 0 }, { host: '*', mailbox: 'pipe' });
    expect([first.host, second.host, third.host]).toEqual(['a', 'b', 'a']);
    expect(system.hosts().map((h) => h.workers)).toEqual([2, 1]);
  });

  it('refuses what cannot run: no cluster, a bad host, a host that is not up, a module the host lacks', async () => {
    const plain = await startSystem();
    await expect(plain.spawn(Counter, { start: 0 }, { host: 'a' })).rejects.toThrow(/host needs a cluster/);
    await expect(plain.pool({ hosts: ['a'] })).rejects.toThrow(
      /hosts must be given only to a system started with a cluster/,
    );
    await expect(plain.pool({ size: 2, sizePerHost: 1 })).rejects.toThrow(InvalidArgumentError);
    await expect(startSystem({ cluster: {} as never })).rejects.toThrow(/cluster must be a cluster factory/);
    const { system } = await cluster();
    await expect(system.spawn(Counter, { start: 0 }, { host: 'no such host!' })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(system.spawn(Counter, { start: 0 }, { host: [] })).rejects.toThrow(InvalidArgumentError);
    await expect(system.spawn(Counter, { start: 0 }, { host: 'a', placement: 'local' })).rejects.toThrow(
      /host cannot apply to placement 'local'/,
    );
    await expect(system.spawn(Counter, { start: 0 }, { host: 'zed' })).rejects.toThrow(
      /No host of zed is up/,
    );
    const refused = system.spawn(Elsewhere, null, { host: 'b' });
    await expect(refused).rejects.toThrow(SpawnError);
    await expect(refused).rejects.toThrow(/cannot import module file:\/\/\/nowhere\/at\/all\/elsewhere\.ts/);
    await expect(system.pool({ hosts: ['a'], sizePerHost: 1, size: 2 })).rejects.toThrow(
      InvalidArgumentError,
    );
    // The system is still whole.
    const counter = await system.spawn(Counter, { start: 1 }, { host: 'b' });
    expect(await counter.ask({ type: 'get' }, { timeoutMs: 5000 })).toBe(1);
  });

  it('passes a reference across hosts: an actor on a asks an actor on b through it', async () => {
    const { system } = await cluster();
    const counter = await system.spawn(Counter, { start: 0 }, { host: 'b' });
    const forwarder = await system.spawn(Forwarder, { to: counter }, { host: 'a' });
    for (let i = 0; i < 5; i++) forwarder.send({ type: 'bump' });
    expect(await forwarder.ask({ type: 'read' }, { timeoutMs: 5000 })).toBe(5);
    expect(await counter.ask({ type: 'get' }, { timeoutMs: 5000 })).toBe(5);
  });

  it('an agent SIGKILLed: its actors exit hostDown, a supervisor restarts them on the live host', async () => {
    const {
      system,
      agents: [a, b],
      events,
    } = await cluster();
    const sup = await system.supervise({
      strategy: 'one_for_one',
      maxRestarts: 3,
      withinMs: 30_000,
      children: [{ id: 'counter', actor: Counter, args: { start: 7 }, host: ['a', 'b'] }],
    });
    const counter = sup.child<CounterMsg, number>('counter');
    expect(counter?.host).toBe('a');
    const oldPid = counter?.pid as number;
    const unsupervised = await system.spawn(Counter, { start: 0 }, { host: 'a', mailbox: 'pipe' });
    const restarted = system.events.next(
      (e) => e.type === 'spawned' && e.host === 'b' && e.name === 'counter',
    );
    const killedAt = Date.now();
    await a?.kill();
    // Found out at once ("no responders" on the next message), or by missed heartbeats at the latest.
    await expect(unsupervised.ask({ type: 'get' }, { timeoutMs: 30_000 })).rejects.toThrow(ActorStoppedError);
    await restarted;
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect(counter?.host).toBe('b');
    expect(b?.workers()).toContain(counter?.pid);
    expect(await counter?.ask({ type: 'get' }, { timeoutMs: 5000 })).toBe(7);
    const exits = events.filter((e): e is ExitedEvent => e.type === 'exited' && e.host === 'a');
    expect(exits.map((e) => e.exit.reason)).toEqual(['hostDown', 'hostDown']);
    expect(exits[0]?.exit.error?.message).toMatch(/Host a is down/);
    expect(events.some((e) => e.type === 'hostDown' && e.host === 'a')).toBe(true);
    expect(system.hosts().find((h) => h.name === 'a')?.up).toBe(false);
    // The agent's reaper took its workers with it.
    expect(await waitUntil(() => !isAlive(oldPid), 5000)).toBe(true);
  });

  it('a child that crashes is restarted on its host, and the new incarnation stays up', async () => {
    const { system, prefix, events } = await cluster({ hosts: ['a'] });
    const sup = await system.supervise({
      strategy: 'one_for_one',
      maxRestarts: 5,
      withinMs: 30_000,
      children: [{ id: 'crashy', actor: Crasher, host: 'a' }],
    });
    const crashy = sup.child<CrashMsg, unknown>('crashy');
    const first = crashy?.pid;
    const restarted = system.events.next((e) => e.type === 'restarted');
    crashy?.send({ type: 'throw' });
    await restarted;
    expect(crashy?.host).toBe('a');
    expect(crashy?.pid).not.toBe(first);
    // The old incarnation's record is removed and the new one's written: once both have been
    // through the bucket (which the agent watches), the agent must still run the new worker.
    const nc = await connect({ servers: server.url });
    try {
      const owners = await new Kvm(nc).open(`${prefix}_owners`);
      for await (const entry of await owners.watch({ key: crashy?.id as string }))
        if (entry.operation === 'PUT' && entry.string().includes(`"host":"a"`)) break;
    } finally {
      await nc.close();
    }
    for (let i = 0; i < 3; i++) expect(await crashy?.ask({ type: 'ping' }, { timeoutMs: 5000 })).toBe('pong');
    expect(events.filter((e) => e.type === 'restarted')).toHaveLength(1);
    expect(events.filter((e): e is ExitedEvent => e.type === 'exited').map((e) => e.exit.reason)).toEqual([
      'error',
    ]);
  });

  it('a pool map of 10k items across two hosts finishes, every result once and in order, when one host is SIGKILLed', async () => {
    const {
      system,
      agents: [, b],
    } = await cluster();
    // maxRetries 0: a host lost charges no item, so none fails for it.
    const pool = await system.pool({ hosts: ['a', 'b'], sizePerHost: 2 });
    const items = Array.from({ length: 10_000 }, (_, value) => ({ value, ms: value % 50 === 0 ? 2 : 0 }));
    let killed: Promise<void> | undefined;
    const results = await pool.map(delayed, items, {
      chunkSize: 50,
      onProgress: ({ done }) => {
        if (done >= 2000 && killed === undefined) killed = b?.kill();
      },
    });
    await killed;
    expect(killed).toBeDefined();
    expect(results).toEqual(items.map((item) => item.value));
    // The pool kept its size on the host that is left.
    expect(system.hosts().find((h) => h.name === 'a')?.workers).toBe(4);
  });

  it('a host that comes back after being declared down does not keep a duplicate running', async () => {
    const {
      system,
      agents: [a],
      events,
    } = await cluster({ heartbeatMs: 200, hostDownMs: 1500 });
    const sup = await system.supervise({
      strategy: 'one_for_one',
      children: [{ id: 'only', actor: Counter, args: { start: 1 }, host: ['a', 'b'] }],
    });
    const only = sup.child<CounterMsg, number>('only');
    expect(only?.host).toBe('a');
    const first = only?.pid as number;
    const down = system.events.next((e): e is HostDownEvent => e.type === 'hostDown' && e.host === 'a');
    const restarted = system.events.next((e) => e.type === 'spawned' && e.host === 'b');
    a?.signal('SIGSTOP'); // a network cut, as far as the cluster can tell: no heartbeats, no answers
    expect((await down).reason).toMatch(/missed heartbeats/);
    await restarted;
    const back = system.events.next((e) => e.type === 'hostUp' && e.host === 'a');
    a?.signal('SIGCONT');
    // Its agent sees the record has moved on, and stops the worker it still had.
    expect(await waitUntil(() => !isAlive(first), 10_000)).toBe(true);
    expect(await only?.ask({ type: 'get' }, { timeoutMs: 5000 })).toBe(1);
    expect(only?.host).toBe('b');
    await back;
    expect(events.filter((e) => e.type === 'spawned' && e.name === 'only')).toHaveLength(2);
  });

  it('an agent stopped with SIGTERM stops its actors, newest first, and leaves no worker', async () => {
    const {
      system,
      agents: [a],
      events,
    } = await cluster();
    const first = await system.spawn(Counter, { start: 0 }, { host: 'a', name: 'first' });
    const second = await system.spawn(Counter, { start: 0 }, { host: 'a', name: 'second' });
    const pids = a?.workers() ?? [];
    expect(pids).toContain(first.pid);
    expect(await a?.stop()).toBe(0);
    const [one, two] = await Promise.all([first.exited, second.exited]);
    expect([one, two].map((exit) => `${exit.reason} ${exit.signal}`)).toEqual([
      'shutdown null',
      'shutdown null',
    ]);
    const order = events.filter((e): e is ExitedEvent => e.type === 'exited').map((e) => e.name);
    expect(order).toEqual(['second', 'first']);
    // Its workers, and then its reaper, are gone with it.
    expect(await waitUntil(() => !pids.some(isAlive), 5000)).toBe(true);
    expect(system.hosts().find((h) => h.name === 'a')?.up).toBe(false);
    await expect(system.spawn(Counter, { start: 0 }, { host: 'a' })).rejects.toThrow(SpawnError);
  });

  it('drops and counts what is malformed or not signed, and keeps working', async () => {
    const { system, prefix } = await cluster({ secret: SECRET });
    const counter = await system.spawn(Counter, { start: 3 }, { host: 'a', mailbox: 'pipe' });
    const nc = await connect({ servers: server.url });
    try {
      // Garbage and forgeries at the agent's spawn subject, and down and up a live link.
      const garbage = new TextEncoder().encode('{"v":1,"link":"x"');
      const forged = new TextEncoder().encode(
        JSON.stringify({ v: 1, link: 'forged', root: 'r', placement: 'process' }),
      );
      for (const data of [garbage, forged, new Uint8Array([0xc1, 0xff, 0, 0, 0, 9])]) {
        nc.publish(`${prefix}.agent.a.spawn`, data);
        nc.publish(`${prefix}.agent.a.ping`, data);
        nc.publish(`${prefix}.link.anything.down`, data);
      }
      const sub = nc.subscribe(`${prefix}.link.*.up`, { max: 1 });
      // Wait for any frame on a link to learn its id, then forge frames both ways on it.
      const asked = counter.ask({ type: 'get' }, { timeoutMs: 5000 });
      let link = '';
      for await (const msg of sub) link = msg.subject.split('.')[2] as string;
      expect(await asked).toBe(3);
      for (let i = 0; i < 3; i++) {
        nc.publish(`${prefix}.link.${link}.down`, new Uint8Array([0, 0, 0, 5, 1, 2, 3, 4, 5]));
        nc.publish(`${prefix}.link.${link}.up`, new Uint8Array([0, 0, 0, 5, 1, 2, 3, 4, 5]));
      }
      await nc.flush();
      expect(await waitUntil(() => system.stats().droppedClusterMessages >= 3, 5000)).toBe(true);
      // The agent counts what it dropped in its heartbeat.
      const kv = await new Kvm(nc).open(`${prefix}_hosts`);
      // Its heartbeats carry the count: wait for one that has all nine.
      let count = 0;
      for await (const entry of await kv.watch({ key: 'a' })) {
        count = Number(/"dropped":(\d+)/.exec(entry.string())?.[1] ?? 0);
        if (count >= 9) break;
      }
      expect(count).toBeGreaterThanOrEqual(9);
      // A forged "no responders", both ways, is only a hint where messages are signed: the signed
      // pings decide. Unsigned deletions of the host's record and of the actor's ownership record
      // prove nothing either.
      const noResponders = { headers: headers(503, 'No Responders') };
      nc.publish(`${prefix}.link.${link}.down`, new Uint8Array(0), noResponders);
      nc.publish(`${prefix}.link.${link}.up`, new Uint8Array(0), noResponders);
      await kv.delete('a');
      await (await new Kvm(nc).open(`${prefix}_owners`)).delete(counter.id);
      // Two heartbeats later (a link under suspicion is killed at its agent's next ping), all holds.
      let beats = 0;
      for await (const entry of await kv.watch({ key: 'a', include: KvWatchInclude.UpdatesOnly }))
        if (entry.operation === 'PUT' && ++beats >= 2) break;
      counter.send({ type: 'inc' });
      expect(await counter.ask({ type: 'get' }, { timeoutMs: 5000 })).toBe(4);
      expect(counter.isAlive).toBe(true);
      expect(system.hosts().find((h) => h.name === 'a')?.up).toBe(true);
      // A signed spawn request sent again (a replay) is refused: its link runs already.
      const seen = nc.subscribe(`${prefix}.agent.b.spawn`, { max: 1 });
      await nc.flush();
      const other = await system.spawn(Counter, { start: 0 }, { host: 'b', mailbox: 'pipe' });
      let captured: Msg | undefined;
      for await (const msg of seen) captured = msg;
      const replay = await nc.request(`${prefix}.agent.b.spawn`, captured?.data, {
        timeout: 5000,
        ...(captured?.headers === undefined ? {} : { headers: captured.headers }),
      });
      expect(replay.json()).toMatchObject({
        ok: false,
        error: { message: expect.stringMatching(/runs already/) },
      });
      expect(await other.ask({ type: 'get' }, { timeoutMs: 5000 })).toBe(0);
    } finally {
      await nc.close();
    }
  });

  it('troupe status shows the hosts, the actors on them and the queues, from NATS alone', async () => {
    const { system, prefix } = await cluster({ queues: true });
    const sup = await system.supervise({
      strategy: 'one_for_one',
      children: [{ id: 'shown', actor: Counter, args: { start: 0 }, host: 'b' }],
    });
    const shown = sup.child<CounterMsg, number>('shown');
    const jobs = system.queue<number>({ name: 'jobs' });
    await jobs.put(1);
    await jobs.put(2);
    // The system writes its view every second: wait for one that has the actor in it.
    const nc = await connect({ servers: server.url });
    try {
      const systems = await new Kvm(nc).open(`${prefix}_systems`);
      for await (const entry of await systems.watch()) if (entry.string().includes(`"${shown?.id}"`)) break;
    } finally {
      await nc.close();
    }
    const { stdout } = await run(
      process.execPath,
      [troupeBin, 'status', '--nats', server.url, '--prefix', prefix, '--json'],
      { timeout: 30_000 },
    );
    const status = JSON.parse(stdout);
    expect(status.hosts.map((h: { name: string; state: string }) => [h.name, h.state])).toEqual([
      ['a', 'up'],
      ['b', 'up'],
    ]);
    expect(status.hosts[1].workers.map((w: { actor: { name: string } }) => w.actor.name)).toEqual(['shown']);
    const actor = status.systems[0].actors.find((a: { name: string }) => a.name === 'shown');
    expect(actor).toMatchObject({
      host: 'b',
      pid: shown?.pid,
      state: 'running',
      restarts: 0,
      mailboxDepth: 0,
    });
    expect(status.queues).toContainEqual({
      name: 'jobs',
      depth: 2,
      pendingAcks: 0,
      redelivered: 0,
      deadLetters: 0,
    });
    const table = await run(process.execPath, [
      troupeBin,
      'status',
      '--nats',
      server.url,
      '--prefix',
      prefix,
    ]);
    expect(table.stdout).toMatch(/^HOST\s+STATE\s+LAST HEARTBEAT/);
    expect(table.stdout).toMatch(/\nshown\s+\S+\s+b\s+\d+\s+running\s+0\s+0\s/);
  });
});
