/**
 * pipe-ping-pong — two processes play ping-pong over a pipe. Once both ends are in their
 * processes, the pipe runs over a direct OS connection: the main process relays nothing.
 */

import { ActorSystem, type Connection, defineTask, isMainModule } from '@troupe/node-runtime';

export const player = defineTask(
  import.meta.url,
  'player',
  async (conn: Connection<number, number>, serve: boolean) => {
    if (serve) await conn.send(0);
    for await (const n of conn) {
      if (n >= 1000) break;
      await conn.send(n + 1);
    }
    conn.close();
    return process.pid;
  },
);

export async function run(): Promise<void> {
  await using system = await ActorSystem.start();
  const [left, right] = system.pipe<number>();
  const linked = system.events.next((e) => e.type === 'pipeLinked');
  const a = await system.process(player, left, true);
  const b = await system.process(player, right, false);
  await linked;
  const [pidA, pidB] = await Promise.all([a.result(), b.result()]);
  // Only what was sent before the direct link came up went through the main process.
  console.log(`1000 volleys between processes ${pidA} and ${pidB}`);
  console.log(`frames relayed by the main process: ${system.stats().relayedPipeFrames} (before the link)`);
}

// Run on its own (node --import tsx this file), not when the gallery or a worker imports it.
if (isMainModule(import.meta.url)) await run();
