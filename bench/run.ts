/**
 * `pnpm bench`: every performance figure of the budget, measured against its peer or floor in the
 * same run. Each side runs as a fresh process, alternating (A B A B ...), and the table reports
 * medians and the ratio. `--quick` runs fewer, shorter rounds; names select figures.
 *
 *   pnpm bench                 # everything, writes docs/benchmarks.md
 *   pnpm bench --quick queue   # a smoke check of the queue figure
 */

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface Side {
  readonly label: string;
  /** The command line; `{n}` is replaced by the size. */
  readonly command: readonly string[];
}

interface Figure {
  readonly name: string;
  /** What is measured, in a user's words: what is sent, how it is awaited, what is timed. */
  readonly workload: string;
  /** Throughput (higher is better), or a time (µs, ms) or a resident size (MiB): lower is better. */
  readonly metric: 'items_per_s' | 'rtt_us' | 'ms' | 'mb';
  readonly ours: Side;
  /** The side the budget compares with. */
  readonly base: Side;
  /** Other peers shown for context. */
  readonly others?: readonly Side[];
  readonly size: { readonly full: number; readonly quick: number };
  /**
   * ours/base for throughput (at least), base-relative time for latency (at most); none for a
   * figure shown for information. With `allowanceMs` (an 'at most' on an `ms` metric) the budget
   * is additive instead: ours ≤ base + allowanceMs, and `ratio` is not used.
   */
  readonly target?: {
    readonly kind: 'at least' | 'at most';
    readonly ratio: number;
    readonly allowanceMs?: number;
  };
}

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const node = (script: string, ...args: string[]): Side['command'] => [
  process.execPath,
  '--import',
  'tsx',
  here(script),
  '{n}',
  ...args,
];
const python = (script: string, ...args: string[]): Side['command'] => [
  'python3',
  here(script),
  '{n}',
  ...args,
];

const figures: readonly Figure[] = [
  {
    name: 'queue throughput, producer process → consumer process',
    workload:
      'Numbers 0..n−1 into an unbounded queue, `await q.put(i)` each in a producer process; the consumer process takes them with `await q.get()`. Numbers travel unencoded in batches: the best case, kept as the floor for the object lines.',
    metric: 'items_per_s',
    ours: { label: 'Troupe queue', command: node('./troupe/queueThroughput.ts') },
    base: { label: 'Python mp.Queue', command: python('./python/mp_queue.py') },
    size: { full: 1_000_000, quick: 200_000 },
    target: { kind: 'at least', ratio: 10 },
  },
  {
    name: 'queue, small objects, bounded (capacity 10000), process → process',
    workload:
      'A producer process puts n objects `{ id, op, payload: [1, 2, 3], s }` into `system.queue({ capacity: 10000 })`, `await q.put(item)` each; a consumer process takes them with `await q.get()` each and checks them. Vs Python `mp.Queue(10000)` with the same dicts, `put` and `get` each.',
    metric: 'items_per_s',
    ours: { label: 'Troupe queue', command: node('./troupe/queueObjects.ts', 'bounded', 'process') },
    base: {
      label: 'Python mp.Queue(10000)',
      command: python('./python/mp_queue_objects.py', 'bounded', 'process'),
    },
    size: { full: 100_000, quick: 20_000 },
    target: { kind: 'at least', ratio: 3 },
  },
  {
    name: 'queue, small objects, bounded (capacity 10000), process → root',
    workload:
      'The same, the consumer being the root (the program itself) instead of a process; Python: the parent.',
    metric: 'items_per_s',
    ours: { label: 'Troupe queue', command: node('./troupe/queueObjects.ts', 'bounded', 'root') },
    base: {
      label: 'Python mp.Queue(10000)',
      command: python('./python/mp_queue_objects.py', 'bounded', 'parent'),
    },
    size: { full: 100_000, quick: 20_000 },
    target: { kind: 'at least', ratio: 3 },
  },
  {
    name: 'queue, small objects, unbounded, process → process',
    workload: 'The small objects of the bounded line through an unbounded queue, process to process.',
    metric: 'items_per_s',
    ours: { label: 'Troupe queue', command: node('./troupe/queueObjects.ts', 'unbounded', 'process') },
    base: {
      label: 'Python mp.Queue()',
      command: python('./python/mp_queue_objects.py', 'unbounded', 'process'),
    },
    size: { full: 100_000, quick: 20_000 },
    target: { kind: 'at least', ratio: 3 },
  },
  {
    name: 'queue, small objects, unbounded, process → root',
    workload: 'The same through an unbounded queue, the consumer being the root.',
    metric: 'items_per_s',
    ours: { label: 'Troupe queue', command: node('./troupe/queueObjects.ts', 'unbounded', 'root') },
    base: {
      label: 'Python mp.Queue()',
      command: python('./python/mp_queue_objects.py', 'unbounded', 'parent'),
    },
    size: { full: 100_000, quick: 20_000 },
    target: { kind: 'at least', ratio: 3 },
  },
  {
    name: 'queue on NATS JetStream, small objects, process → process',
    workload:
      'The same objects through a named queue of a system started with `natsBackend` (a nats-server on loopback, file storage): a producer process puts n (`await q.put` each), a consumer process takes them (`await q.get` each). Vs the raw `@nats-io/jetstream` client: a work-queue stream and a durable pull consumer, publishing with up to 256 acks awaited at once and consuming with an ack each.',
    metric: 'items_per_s',
    ours: { label: 'Troupe queue on NATS', command: node('./troupe/natsQueue.ts', 'throughput', 'nats') },
    base: { label: 'raw @nats-io/jetstream', command: node('./floors/rawJetStream.ts', 'throughput') },
    others: [
      { label: 'Troupe, embedded backend', command: node('./troupe/natsQueue.ts', 'throughput', 'embedded') },
    ],
    size: { full: 10_000, quick: 2000 },
    target: { kind: 'at least', ratio: 0.5 },
  },
  {
    name: 'queue on NATS JetStream, put → get latency',
    workload:
      'n times, in the root: a `get` waiting on the empty queue, then one `put`; the time from the put to the get (median). Vs the raw client: a pending `consumer.next()`, then one awaited publish.',
    metric: 'rtt_us',
    ours: { label: 'Troupe queue on NATS', command: node('./troupe/natsQueue.ts', 'latency', 'nats') },
    base: { label: 'raw @nats-io/jetstream', command: node('./floors/rawJetStream.ts', 'latency') },
    others: [
      { label: 'Troupe, embedded backend', command: node('./troupe/natsQueue.ts', 'latency', 'embedded') },
    ],
    size: { full: 500, quick: 100 },
    target: { kind: 'at most', ratio: 2 },
  },
  {
    name: 'remote ask round trip (NATS, queue mailbox)',
    workload:
      "`await actor.ask({ n })` from the root to an actor spawned with `{ host: 'a' }` on a node agent (`troupe node`, its own process, the actor a child process of it), through a nats-server on loopback, one at a time, default (queue) mailbox. Vs raw NATS request/reply: `await nc.request(...)` of the same msgpackr-packed `{ n }`, answered by a responder in another process.",
    metric: 'rtt_us',
    ours: { label: 'Troupe remote ask', command: node('./troupe/remoteAsk.ts', 'queue') },
    base: { label: 'raw NATS request/reply', command: node('./floors/rawRequestReply.ts') },
    others: [{ label: 'Troupe remote ask, pipe mailbox', command: node('./troupe/remoteAsk.ts', 'pipe') }],
    size: { full: 10_000, quick: 2000 },
    target: { kind: 'at most', ratio: 1.5 },
  },
  {
    name: 'pool map across two hosts vs one host',
    workload:
      "`pool.map(square, 0..n−1)` (default chunking, after one warm-up map) on `system.pool({ hosts: ['a', 'b'], sizePerHost: 1 })`, two node agents on a nats-server on loopback (every process on this one machine), vs `system.pool({ size: 2 })` on this host. The overhead per item is 1/ours − 1/base.",
    metric: 'items_per_s',
    ours: { label: 'Troupe pool across 2 hosts', command: node('./troupe/clusterMap.ts', 'hosts') },
    base: { label: 'Troupe pool on this host', command: node('./troupe/clusterMap.ts', 'local') },
    size: { full: 100_000, quick: 20_000 },
  },
  {
    name: 'pipe round trip, child process ↔ child process',
    workload:
      'A small number sent through a pipe from one child process and echoed back by another, one at a time; time per round trip.',
    metric: 'rtt_us',
    ours: { label: 'Troupe pipe', command: node('./troupe/pipeRoundTrip.ts') },
    base: { label: 'raw msgpackr socket ping-pong', command: node('./floors/rawSocketPingPong.ts') },
    others: [{ label: 'Python mp.Pipe', command: python('./python/mp_pipe.py') }],
    size: { full: 20_000, quick: 5_000 },
    target: { kind: 'at most', ratio: 1.25 },
  },
  {
    name: 'ask round trip to a process actor (queue mailbox)',
    workload:
      '`await actor.ask({ n })` from the root to an actor in a child process that replies `n`, one at a time, default (queue) mailbox.',
    metric: 'rtt_us',
    ours: { label: 'Troupe ask', command: node('./troupe/askRoundTrip.ts', 'process', 'queue') },
    base: { label: 'raw msgpackr socket ping-pong', command: node('./floors/rawSocketPingPong.ts') },
    size: { full: 20_000, quick: 5_000 },
    target: { kind: 'at most', ratio: 1.25 },
  },
  {
    name: 'ask round trip to a process actor (pipe mailbox)',
    workload: "The same ask, the actor spawned with `mailbox: 'pipe'`.",
    metric: 'rtt_us',
    ours: { label: 'Troupe ask', command: node('./troupe/askRoundTrip.ts', 'process', 'pipe') },
    base: { label: 'raw msgpackr socket ping-pong', command: node('./floors/rawSocketPingPong.ts') },
    size: { full: 20_000, quick: 5_000 },
    target: { kind: 'at most', ratio: 1.25 },
  },
  {
    name: 'ask round trip to a thread actor (pipe mailbox)',
    workload: 'The same ask to an actor in a worker thread, pipe mailbox.',
    metric: 'rtt_us',
    ours: { label: 'Troupe ask', command: node('./troupe/askRoundTrip.ts', 'thread', 'pipe') },
    base: { label: 'raw postMessage ping-pong', command: node('./floors/postMessagePingPong.ts') },
    size: { full: 20_000, quick: 5_000 },
    target: { kind: 'at most', ratio: 1.25 },
  },
  {
    name: 'ask round trip to a thread actor (queue mailbox)',
    workload: 'The same ask to an actor in a worker thread, queue mailbox.',
    metric: 'rtt_us',
    ours: { label: 'Troupe ask', command: node('./troupe/askRoundTrip.ts', 'thread', 'queue') },
    base: { label: 'raw postMessage ping-pong', command: node('./floors/postMessagePingPong.ts') },
    size: { full: 20_000, quick: 5_000 },
    target: { kind: 'at most', ratio: 1.25 },
  },
  {
    name: 'spawn to ready (process)',
    workload:
      '`await system.spawn(...)` of a trivial actor in a child process, until its `init` has run; vs forking a bare Node child that says it is ready.',
    metric: 'ms',
    ours: { label: 'Troupe spawn', command: node('./troupe/spawnReady.ts', 'process') },
    base: { label: 'bare fork → ready', command: node('./floors/spawnReady.ts', 'process') },
    size: { full: 10, quick: 2 },
    target: { kind: 'at most', ratio: 1.3 },
  },
  {
    name: 'spawn to ready (thread)',
    workload: 'The same in a worker thread, vs a bare `new Worker` that says it is ready.',
    metric: 'ms',
    ours: { label: 'Troupe spawn', command: node('./troupe/spawnReady.ts', 'thread') },
    base: { label: 'bare Worker → ready', command: node('./floors/spawnReady.ts', 'thread') },
    size: { full: 10, quick: 2 },
    target: { kind: 'at most', ratio: 1.3 },
  },
  {
    name: 'restart latency: SIGKILL to answering again',
    workload:
      "A supervised actor's process is SIGKILLed; time until an ask to it is answered again, vs a fresh spawn.",
    metric: 'ms',
    ours: { label: 'Troupe one_for_one restart', command: node('./troupe/restartLatency.ts') },
    base: { label: 'Troupe spawn (process)', command: node('./troupe/spawnReady.ts', 'process') },
    size: { full: 10, quick: 2 },
    target: { kind: 'at most', ratio: 1, allowanceMs: 20 },
  },
  {
    name: 'restart latency with a warm standby (standby: { process: 1 }, kills 500 ms apart)',
    workload: 'The same restart with one standby worker kept warm, kills 500 ms apart.',
    metric: 'ms',
    ours: {
      label: 'Troupe one_for_one restart, standby',
      command: node('./troupe/restartLatency.ts', 'standby', '500'),
    },
    base: { label: 'Troupe spawn (process)', command: node('./troupe/spawnReady.ts', 'process') },
    size: { full: 10, quick: 2 },
    // The stretch goal: a restart that is quicker than starting the actor at all.
    target: { kind: 'at most', ratio: 1 },
  },
  {
    name: 'spawn to ready (process) with a warm standby (standby: { process: 1 }, spawns 500 ms apart)',
    workload: 'A spawn that adopts a warm standby worker, spawns 500 ms apart.',
    metric: 'ms',
    ours: {
      label: 'Troupe spawn, standby',
      command: node('./troupe/spawnReady.ts', 'process', 'standby', '500'),
    },
    base: { label: 'bare fork → ready', command: node('./floors/spawnReady.ts', 'process') },
    size: { full: 10, quick: 2 },
  },
  {
    name: 'memory: idle process actor RSS',
    workload: 'Resident memory of a child process running one idle actor, vs a bare forked child.',
    metric: 'mb',
    ours: { label: 'Troupe process actor', command: node('./troupe/idleMemory.ts', 'process') },
    base: { label: 'bare forked child', command: node('./floors/idleMemory.ts', 'process') },
    size: { full: 4, quick: 1 },
  },
  {
    name: 'memory: idle thread actor (root RSS growth)',
    workload: "Growth of the root's resident memory for one idle thread actor, vs a bare Worker.",
    metric: 'mb',
    ours: { label: 'Troupe thread actor', command: node('./troupe/idleMemory.ts', 'thread') },
    base: { label: 'bare Worker', command: node('./floors/idleMemory.ts', 'thread') },
    size: { full: 4, quick: 1 },
  },
  {
    name: 'pool.map 100k tiny tasks, default chunking (steady: median of 5 maps after 5 warm-up maps)',
    workload:
      '`pool.map(square, [0..n−1])` on 2 process workers, default chunk size; the median of 5 maps after 5 warm-up maps, vs Python `Pool(2).map` the same way.',
    metric: 'items_per_s',
    ours: { label: 'Troupe pool.map', command: node('./troupe/poolMap.ts', 'square', '0', 'steady') },
    base: { label: 'Python Pool(2).map', command: python('./python/mp_pool.py', '0', 'steady') },
    size: { full: 100_000, quick: 20_000 },
    target: { kind: 'at least', ratio: 1.5 },
  },
  {
    name: 'pool.map 100k tiny tasks, the second map of a fresh pool (after one warm-up map)',
    workload: 'The same map, the second call on a fresh pool.',
    metric: 'items_per_s',
    ours: { label: 'Troupe pool.map', command: node('./troupe/poolMap.ts', 'square') },
    base: { label: 'Python Pool(2).map', command: python('./python/mp_pool.py') },
    size: { full: 100_000, quick: 20_000 },
  },
  {
    name: 'pool.map 100k tiny tasks, the first map of a fresh pool (cold JIT)',
    workload:
      "The same map, the first and only call on a fresh pool (nothing warmed: what a script sees), vs Python's first map.",
    metric: 'items_per_s',
    ours: { label: 'Troupe pool.map', command: node('./troupe/poolMap.ts', 'square', '0', 'cold') },
    base: { label: 'Python Pool(2).map', command: python('./python/mp_pool.py', '0', 'cold') },
    size: { full: 100_000, quick: 20_000 },
    target: { kind: 'at least', ratio: 1 },
  },
  {
    name: 'per-task dispatch, chunk size 1',
    workload:
      '`pool.map(square, [0..n−1], { chunkSize: 1 })`: one dispatch per item, the second map; vs piscina `run()` per item on 2 threads.',
    metric: 'items_per_s',
    ours: { label: 'Troupe pool.map', command: node('./troupe/poolMap.ts', 'square', '1') },
    base: { label: 'piscina run()', command: node('./peers/piscinaMap.ts', 'square') },
    others: [
      { label: 'workerpool exec() (processes)', command: node('./peers/workerpoolMap.ts') },
      { label: 'Python Pool(2).map chunksize=1', command: python('./python/mp_pool.py', '1') },
    ],
    size: { full: 20_000, quick: 5_000 },
    target: { kind: 'at least', ratio: 4 },
  },
  {
    name: 'per-task dispatch, chunk size 1, vs workerpool',
    workload: 'The same, vs workerpool `exec()` per item on 2 processes.',
    metric: 'items_per_s',
    ours: { label: 'Troupe pool.map', command: node('./troupe/poolMap.ts', 'square', '1') },
    base: { label: 'workerpool exec() (processes)', command: node('./peers/workerpoolMap.ts') },
    size: { full: 20_000, quick: 5_000 },
    target: { kind: 'at least', ratio: 4 },
  },
  {
    name: 'per-task dispatch, chunk size 1, vs Python',
    workload: 'The same, vs Python `Pool(2).map(square, range(n), chunksize=1)`.',
    metric: 'items_per_s',
    ours: { label: 'Troupe pool.map', command: node('./troupe/poolMap.ts', 'square', '1') },
    base: { label: 'Python Pool(2).map chunksize=1', command: python('./python/mp_pool.py', '1') },
    size: { full: 20_000, quick: 5_000 },
    target: { kind: 'at least', ratio: 4 },
  },
  {
    name: 'CPU-bound map (fib(22) × n)',
    workload:
      '`pool.map` of a task that computes fib(22) and ignores its item, 2 process workers, vs the same calls in a loop in one process.',
    metric: 'items_per_s',
    ours: { label: 'Troupe pool.map', command: node('./troupe/poolMap.ts', 'fib22') },
    base: { label: 'sequential, one process', command: node('./floors/sequentialFib.ts') },
    others: [{ label: 'piscina run()', command: node('./peers/piscinaMap.ts', 'fib22') }],
    size: { full: 2_000, quick: 400 },
    target: { kind: 'at least', ratio: 1.8 },
  },
  {
    name: 'CPU-bound map, the task uses its integer argument (fib(k) of each item k = 22)',
    workload:
      '`pool.map(fibOf, Array(n).fill(22))` on 2 process workers, default chunking, where `fibOf = (k) => fib(k)`: the task computes with the integer it is given, as users write it. Vs the same calls in a loop in one process.',
    metric: 'items_per_s',
    ours: { label: 'Troupe pool.map', command: node('./troupe/poolMap.ts', 'fib') },
    base: { label: 'sequential, one process', command: node('./floors/sequentialFib.ts', 'arg') },
    others: [{ label: 'piscina run()', command: node('./peers/piscinaMap.ts', 'fib') }],
    size: { full: 2_000, quick: 400 },
    target: { kind: 'at least', ratio: 1.8 },
  },
  {
    name: 'CPU-bound map, the task uses its integer argument, vs piscina',
    workload: 'The same map, vs piscina `run(22)` per item on 2 threads computing the same `fib(k)`.',
    metric: 'items_per_s',
    ours: { label: 'Troupe pool.map', command: node('./troupe/poolMap.ts', 'fib') },
    base: { label: 'piscina run()', command: node('./peers/piscinaMap.ts', 'fib') },
    size: { full: 2_000, quick: 400 },
    target: { kind: 'at least', ratio: 1 },
  },
  {
    name: 'per-item overhead of a CPU-bound task: a pool of one worker vs the same calls in a loop',
    workload:
      'The integer-argument map on a pool of one worker (`size: 1`), vs the same `fib(k)` calls in a loop: what running in a pool worker costs per item.',
    metric: 'items_per_s',
    ours: {
      label: 'Troupe pool.map, 1 worker',
      command: node('./troupe/poolMap.ts', 'fib', '0', 'warm', '1'),
    },
    base: { label: 'sequential, one process', command: node('./floors/sequentialFib.ts', 'arg') },
    size: { full: 2_000, quick: 400 },
    target: { kind: 'at least', ratio: 0.95 },
  },
  {
    name: 'mixed workload: 1–5 ms items taking and returning small objects',
    workload:
      'n items `{ id, ms, tags }`, each busy for `ms = 1 + id % 5` milliseconds and returning `{ id, ok, spins }`; `pool.map` with default chunking on 2 process workers. Vs piscina `run()` per item on 2 threads and Python `Pool(2).map`, the same items and the same busy loop.',
    metric: 'items_per_s',
    ours: { label: 'Troupe pool.map', command: node('./troupe/mixedMap.ts') },
    base: { label: 'piscina run()', command: node('./peers/piscinaMixed.ts') },
    others: [{ label: 'Python Pool(2).map', command: python('./python/mp_mixed.py') }],
    size: { full: 10_000, quick: 1_000 },
    target: { kind: 'at least', ratio: 1.2 },
  },
  {
    name: 'mixed workload, vs Python',
    workload: 'The same mixed workload, vs Python `Pool(2).map`.',
    metric: 'items_per_s',
    ours: { label: 'Troupe pool.map', command: node('./troupe/mixedMap.ts') },
    base: { label: 'Python Pool(2).map', command: python('./python/mp_mixed.py') },
    size: { full: 10_000, quick: 1_000 },
    target: { kind: 'at least', ratio: 1.5 },
  },
];

function measure(side: Side, n: number, metric: Figure['metric']): number {
  const [command, ...args] = side.command.map((part) => part.replace('{n}', String(n)));
  const out = execFileSync(command as string, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = out.trim().split('\n').at(-1) ?? '{}';
  const value = (JSON.parse(line) as Record<string, number>)[metric];
  if (typeof value !== 'number') throw new Error(`${side.label} printed no ${metric}: ${line}`);
  return value;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function format(value: number, metric: Figure['metric']): string {
  if (metric === 'rtt_us') return `${value.toFixed(1)} µs`;
  if (metric === 'ms') return `${value.toFixed(1)} ms`;
  if (metric === 'mb') return `${value.toFixed(1)} MiB`;
  return value >= 1e5 ? `${(value / 1e6).toFixed(2)} M items/s` : `${(value / 1e3).toFixed(2)} k items/s`;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { quick: { type: 'boolean' }, rounds: { type: 'string' }, 'no-write': { type: 'boolean' } },
});
const quick = values.quick === true;
const rounds = Number(values.rounds ?? (quick ? 3 : 5));
const chosen = figures.filter((f) => positionals.length === 0 || positionals.some((p) => f.name.includes(p)));
if (chosen.length === 0) {
  console.error(
    `No figure matches ${positionals.join(', ')}. Figures:\n${figures.map((f) => `  ${f.name}`).join('\n')}`,
  );
  process.exit(2);
}

const rows: string[] = [];
let misses = 0;
for (const figure of chosen) {
  const n = quick ? figure.size.quick : figure.size.full;
  const sides = [figure.ours, figure.base, ...(figure.others ?? [])];
  const samples = sides.map(() => [] as number[]);
  const figureStarted = performance.now();
  process.stdout.write(`${figure.name} (n=${n}, ${rounds} rounds) `);
  for (let round = 0; round < rounds; round++) {
    for (const [i, side] of sides.entries()) samples[i]?.push(measure(side, n, figure.metric));
    process.stdout.write('.');
  }
  const medians = samples.map(median);
  const [ours, base] = medians as [number, number];
  const ratio = ours / base;
  const { target } = figure;
  const allowance = target?.allowanceMs;
  const pass =
    target === undefined ||
    (allowance !== undefined
      ? ours <= base + allowance
      : target.kind === 'at least'
        ? ratio >= target.ratio
        : ratio <= target.ratio);
  if (!pass) misses++;
  const shown =
    allowance !== undefined
      ? `${ours >= base ? '+' : '−'}${Math.abs(ours - base).toFixed(1)} ms vs the base's time`
      : figure.metric === 'items_per_s'
        ? `${ratio.toFixed(2)}× the base's throughput`
        : `${ratio.toFixed(2)}× the base's ${figure.metric === 'mb' ? 'memory' : 'time'}`;
  const budget =
    target === undefined
      ? '—'
      : allowance !== undefined
        ? `≤ base + ${allowance} ms`
        : `${target.kind} ${target.ratio}×`;
  const verdict = target === undefined ? 'information' : pass ? 'pass' : '**miss**';
  const seconds = ((performance.now() - figureStarted) / 1000).toFixed(1);
  console.log(` ${target === undefined ? 'shown' : pass ? 'pass' : 'MISS'} (${seconds} s)`);
  const others = (figure.others ?? []).map(
    (side, i) => `${side.label} ${format(medians[i + 2] as number, figure.metric)}`,
  );
  rows.push(
    `| ${figure.name} | ${format(ours, figure.metric)} | ${figure.base.label} ${format(base, figure.metric)} | ${shown} | ${budget} | ${verdict} | ${others.join('; ')} |`,
  );
}

const pythonVersion = execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim();
const table = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${pythonVersion}; ${rounds} alternating rounds${quick ? ' (quick)' : ''}, medians.`,
  '',
  '| figure | Troupe | base | ratio | target | result | others |',
  '|---|---|---|---|---|---|---|',
  ...rows,
].join('\n');
console.log(`\n${table}`);
const workloads = chosen.map((figure) => `- **${figure.name}**: ${figure.workload}`).join('\n');
if (!quick && positionals.length === 0 && values['no-write'] !== true) {
  writeFileSync(
    here('../docs/benchmarks.md'),
    `---\ntitle: Benchmarks\n---\n\n# Benchmarks\n\nWritten by \`pnpm bench\`: each figure against its peer or floor in the same run.\n\n${table}\n\n## What each figure measures\n\n${workloads}\n`,
  );
}
process.exitCode = misses > 0 ? 1 : 0;
