/**
 * actors-across-hosts — one system, three "hosts" on this machine: the root and two node agents
 * (`troupe node --nats <url> --name a|b`, as an operator starts them on each machine), on NATS.
 * A supervised actor runs on host a and a pool maps across a and b; then host a is SIGKILLed: its
 * actor exits with reason `hostDown`, and its supervisor restarts it on b.
 *
 * Needs a nats-server with JetStream: it uses `NATS_URL` if set, else starts one on loopback
 * (`nats-server` on PATH; Debian: `apt-get install nats-server`), else says so and skips.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { natsCluster } from '@troupe/nats';
import { type ActorContext, ActorSystem, defineActor, defineTask, isMainModule } from '@troupe/node-runtime';
import { startServer } from '../natsServer.js';

type TallyMsg = { type: 'add'; n: number } | { type: 'total' };

/** Adds up what it is sent; a restart starts it from zero again. */
export const Tally = defineActor(import.meta.url, 'Tally', {
  init: () => 0,
  receive: (total, msg: TallyMsg, ctx: ActorContext<TallyMsg, number>) => {
    if (msg.type === 'total') ctx.reply(total);
    return msg.type === 'add' ? total + msg.n : total;
  },
});

export const square = defineTask(import.meta.url, 'square', (x: number) => x * x);

/** The `troupe` command of @troupe/node-runtime. */
const troupe = join(
  dirname(createRequire(import.meta.url).resolve('@troupe/node-runtime/package.json')),
  'bin/troupe.js',
);

/** Starts `troupe node` for host `name` (its workers load TypeScript through this process's flags). */
async function startAgent(url: string, prefix: string, name: string): Promise<ChildProcess> {
  const args = [...process.execArgv, troupe, 'node', '--nats', url, '--prefix', prefix, '--name', name];
  const agent = spawn(process.execPath, [...args, '--heartbeat-ms', '250'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    agent.stdout?.on('data', (chunk: Buffer) => {
      out += chunk;
      if (out.includes(': up (')) resolve(); // troupe node a: up (agent ..., pid ...)
    });
    agent.once('exit', () => reject(new Error(`troupe node ${name} did not start:\n${out}`)));
  });
  return agent;
}

export async function run(): Promise<void> {
  const own = process.env.NATS_URL === undefined ? await startServer() : undefined;
  const url = process.env.NATS_URL ?? own?.url;
  if (url === undefined) {
    console.log('actors-across-hosts: skipped (needs nats-server on PATH, or NATS_URL)');
    return;
  }
  const prefix = `GALLERY_${process.pid}`; // this run's own subjects and records
  const agents: ChildProcess[] = [];
  try {
    agents.push(await startAgent(url, prefix, 'a'), await startAgent(url, prefix, 'b'));
    await using system = await ActorSystem.start({
      cluster: natsCluster({ servers: url, prefix, hostDownMs: 1500 }),
    });
    console.log(
      `Hosts up: ${system
        .hosts()
        .map((h) => h.name)
        .join(', ')}`,
    );

    const sup = await system.supervise({
      strategy: 'one_for_one',
      children: [{ id: 'tally', actor: Tally, host: ['a', 'b'] }],
    });
    const tally = sup.child<TallyMsg, number>('tally');
    tally?.send({ type: 'add', n: 5 });
    console.log(`tally runs on host ${tally?.host}; total ${await tally?.ask({ type: 'total' })}`);

    const pool = await system.pool({ hosts: ['a', 'b'], sizePerHost: 1 });
    const squares = await pool.map(square, [1, 2, 3, 4, 5, 6, 7, 8]);
    console.log(`pool.map across a and b: ${squares.join(' ')}`);

    const restarted = system.events.next((e) => e.type === 'spawned' && e.name === 'tally');
    const exited = system.events.next((e) => e.type === 'exited' && e.name === 'tally');
    const killed = once(agents[0] as ChildProcess, 'exit');
    agents[0]?.kill('SIGKILL');
    await killed;
    console.log('Host a was SIGKILLed.');
    const exit = await exited;
    console.log(`tally exited: ${exit.type === 'exited' ? exit.exit.reason : ''}`);
    await restarted;
    console.log(`tally restarted on host ${tally?.host}; total ${await tally?.ask({ type: 'total' })}`);
    console.log(`pool.map on what is left: ${(await pool.map(square, [9, 10])).join(' ')}`);
  } finally {
    const running = agents.filter((agent) => agent.exitCode === null && agent.signalCode === null);
    const exits = running.map((agent) => once(agent, 'exit'));
    for (const agent of running) agent.kill('SIGTERM'); // it stops its workers, then exits
    await Promise.all(exits);
    own?.stop();
  }
}

// Run on its own (node --import tsx this file), not when the gallery or a worker imports it.
if (isMainModule(import.meta.url)) await run();
