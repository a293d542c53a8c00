/** The gallery's table of contents, in the order `pnpm gallery` runs them. */

export interface Example {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<{ run(): Promise<void> }>;
}

export const examples: readonly Example[] = [
  {
    name: 'hello-process',
    summary: 'a child process says hello, the main process joins it',
    load: () => import('./hello-process.js'),
  },
  {
    name: 'four-processes',
    summary: 'four processes, each printing its number',
    load: () => import('./four-processes.js'),
  },
  {
    name: 'pool-squares',
    summary: 'pool.map(square, [1, 2, 3, 4, 5]) on 2 workers',
    load: () => import('./pool-squares.js'),
  },
  {
    name: 'label-encode',
    summary: 'label-encode three columns in parallel, one per worker',
    load: () => import('./label-encode.js'),
  },
  {
    name: 'pool-survives',
    summary: 'a worker is SIGKILLed mid-map; the map still completes',
    load: () => import('./pool-survives.js'),
  },
  {
    name: 'imap-progress',
    summary: 'imap over a lazy input with a live progress bar',
    load: () => import('./imap-progress.js'),
  },
  {
    name: 'counter-actor',
    summary: 'one actor definition on three placements',
    load: () => import('./counter-actor.js'),
  },
  {
    name: 'queue-workers',
    summary: 'producer and consumer processes sharing a queue',
    load: () => import('./queue-workers.js'),
  },
  {
    name: 'pipe-ping-pong',
    summary: 'two processes play ping-pong over a direct pipe',
    load: () => import('./pipe-ping-pong.js'),
  },
  {
    name: 'supervisor-restart',
    summary: 'a supervisor restarts a crashed child, then gives up past its intensity',
    load: () => import('./supervisor-restart.js'),
  },
  {
    name: 'machine-light',
    summary: 'xstate machines as actors: a traffic light, a counter restored after a crash',
    load: () => import('./machine-light.js'),
  },
  {
    name: 'service-tree',
    summary: 'a supervision tree exported for `troupe run` (live status table)',
    load: () => import('./service-tree.js'),
  },
  {
    name: 'crash-isolation',
    summary: 'one actor crashes, its sibling keeps serving',
    load: () => import('./crash-isolation.js'),
  },
  {
    name: 'queues-on-nats',
    summary: 'a queue on NATS JetStream outlives host A; host B drains it (needs nats-server)',
    load: () => import('./queues-on-nats.js'),
  },
  {
    name: 'actors-across-hosts',
    summary: 'two node agents and a root on NATS: a host SIGKILLed, its actor restarted on the other',
    load: () => import('./actors-across-hosts.js'),
  },
];
