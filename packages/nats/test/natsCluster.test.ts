/**
 * The cluster's edges, in-process: options refused at the call, naming them; servers that cannot
 * be reached; a host name already taken; signed records; and the death watch's choice of host.
 * (Agents as processes, with real workers, are in test/natsCluster.test.ts.)
 */

import { createServer } from 'node:net';
import { realClock } from '@troupe/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeNats, type NatsServer, startNatsServer } from '../../../test/support/natsServer.js';
import { Signer } from '../src/cluster/signing.js';
import { parseSpawnRequest } from '../src/cluster/wire.js';
import { clusterStatus, natsCluster, startNodeAgent } from '../src/index.js';

const coded = (code: string) => expect.objectContaining({ code });
const deps = () => ({ clock: realClock, onHost: () => {}, describe: () => [] });

/** A port that was free a moment ago: nothing answers there. */
async function deadPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

it('refuses bad cluster and agent options at the call, naming them', async () => {
  const bad: [unknown, RegExp][] = [
    [undefined, /options must be an object/],
    [{ servers: '' }, /servers must be/],
    [{ servers: 'nats://x', prefix: 'a.b' }, /prefix must be/],
    [{ servers: 'nats://x', hostDownMs: 5 }, /hostDownMs must be/],
    [{ servers: 'nats://x', spawnTimeoutMs: 1.5 }, /spawnTimeoutMs must be/],
    [{ servers: 'nats://x', secret: 'short' }, /secret must be a string of at least 16/],
  ];
  for (const [options, message] of bad) {
    expect(() => natsCluster(options as never)).toThrow(message);
    expect(() => natsCluster(options as never)).toThrow(coded('ERR_TROUPE_INVALID_ARGUMENT'));
  }
  for (const [options, message] of [
    [{ servers: 'nats://x', name: 'has space' }, /name must be a host name/],
    [{ servers: 'nats://x', name: '' }, /name must be a host name/],
    [{ servers: 'nats://x', name: 'a', heartbeatMs: 10 }, /heartbeatMs must be/],
    [{ servers: 'nats://x', name: 'a', shutdownMs: -1 }, /shutdownMs must be/],
  ] as const)
    await expect(startNodeAgent(options as never)).rejects.toThrow(message);
});

it('rejects with BackendError when nothing listens, for the cluster, an agent and status', async () => {
  const where = {
    servers: `nats://127.0.0.1:${await deadPort()}`,
    connectTimeoutMs: 500,
    connection: { reconnect: false },
  };
  await expect(natsCluster(where).open(deps())).rejects.toEqual(coded('ERR_TROUPE_BACKEND'));
  await expect(startNodeAgent({ ...where, name: 'a' })).rejects.toEqual(coded('ERR_TROUPE_BACKEND'));
  await expect(clusterStatus(where)).rejects.toEqual(coded('ERR_TROUPE_BACKEND'));
});

it('checks spawn requests field by field, and signed records by their key', () => {
  const good = {
    v: 1,
    link: 'L1',
    root: 'R1',
    revision: 3,
    placement: 'process',
    kind: 'actor',
    module: 'file:///x.js',
    actor: { id: 'A1', name: 'a' },
    execArgv: [],
    maxMessageBytes: 1024,
  };
  expect(parseSpawnRequest(good)).toEqual(good);
  expect(parseSpawnRequest({ ...good, v: 2 })).toMatch(/version/);
  expect(parseSpawnRequest({ ...good, link: 'a.b' })).toBe('bad link');
  expect(parseSpawnRequest({ ...good, revision: 0 })).toBe('bad revision');
  expect(parseSpawnRequest({ ...good, execArgv: [1] })).toBe('bad execArgv');
  expect(parseSpawnRequest({ ...good, env: { A: 1 } })).toBe('bad env');
  expect(parseSpawnRequest({ ...good, maxHeapMb: 0 })).toBe('bad maxHeapMb');
  expect(parseSpawnRequest([])).toBe('not an object');

  const signer = new Signer('a-secret-of-at-least-16-characters');
  const sealed = new TextEncoder().encode(signer.seal('b', { host: 'b' }));
  expect(signer.open('b', sealed)).toEqual({ host: 'b' });
  expect(signer.open('c', sealed)).toBeUndefined(); // another key: a record moved is not trusted
  expect(new Signer('another-secret-of-16-chars').open('b', sealed)).toBeUndefined();
  expect(signer.open('b', new TextEncoder().encode('{"host":"b"}'))).toBeUndefined(); // unsigned
  const data = new Uint8Array([1, 2, 3]);
  const h = signer.headers('s', data);
  expect(signer.verify('s', data, h)).toBe(true);
  expect(signer.verify('s', new Uint8Array([1, 2, 4]), h)).toBe(false);
  expect(signer.verify('t', data, h)).toBe(false);
  expect(new Signer(undefined).verify('s', data, undefined)).toBe(true);
});

let server: NatsServer | undefined;

describeNats('a cluster on a real server', () => {
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('refuses a second agent under a name a live one heartbeats with', async () => {
    const where = { servers: (server as NatsServer).url, prefix: 'DUP', heartbeatMs: 200 };
    const first = await startNodeAgent({ ...where, name: 'same' });
    try {
      await expect(startNodeAgent({ ...where, name: 'same' })).rejects.toThrow(
        /Host name same is taken: an agent \(pid \d+\) heartbeats under it/,
      );
      const other = await startNodeAgent({ ...where, name: 'other' });
      expect(other.workers).toBe(0);
      await other.stop();
    } finally {
      await first.stop();
    }
    // Once it has left, the name is free again.
    const again = await startNodeAgent({ ...where, name: 'same' });
    await again.stop();
  });

  it('sees a host come and leave, and places nothing on a host that has left', async () => {
    const where = { servers: (server as NatsServer).url, prefix: 'SEE' };
    const waiting: { up: boolean; resolve: () => void }[] = [];
    const seen = (up: boolean) => new Promise<void>((resolve) => waiting.push({ up, resolve }));
    const onHost = (e: { host: string; up: boolean }) => {
      for (const w of waiting.filter((w) => e.host === 'solo' && w.up === e.up)) w.resolve();
    };
    const cluster = await natsCluster(where).open({ ...deps(), onHost });
    try {
      const up = seen(true);
      const agent = await startNodeAgent({ ...where, name: 'solo', heartbeatMs: 100 });
      await up;
      expect(cluster.hosts()).toMatchObject([
        { name: 'solo', up: true, workers: 0, cpus: expect.any(Number) },
      ]);
      const left = seen(false);
      await agent.stop();
      await left;
      expect(cluster.hosts()).toMatchObject([{ name: 'solo', up: false }]);
      const link = cluster.startWorker({
        host: 'solo',
        placement: 'process',
        kind: 'actor',
        module: import.meta.url,
        actor: { id: 'A1', name: 'a' },
        execArgv: [],
        maxHeapMb: undefined,
        env: undefined,
        cwd: undefined,
        maxMessageBytes: 1024,
      });
      expect((await link.exited).error?.message).toBe('No host of solo is up in the cluster');
    } finally {
      await cluster.close();
    }
  });
});
