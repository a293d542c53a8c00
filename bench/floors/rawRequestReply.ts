/**
 * Raw NATS request/reply, the floor of a remote ask: a responder in another process (its own
 * connection) answers `{ n }` with `n`, both sides packing with msgpackr, as a user of the client
 * would write it. Starts its own nats-server on loopback.
 *
 *   rawRequestReply.ts <n>
 *
 * Prints one JSON line: {"rtt_us": ...} (the mean of n requests, after 300 to warm up).
 */

import { fork } from 'node:child_process';
import { once } from 'node:events';
import { connect } from '@nats-io/transport-node';
import { pack, unpack } from 'msgpackr';
import { startNatsServer } from '../../test/support/natsProcess.js';

if (process.argv[2] === 'responder') {
  const nc = await connect({ servers: process.argv[3] as string });
  nc.subscribe('echo', {
    callback: (_error, msg) => {
      msg.respond(pack((unpack(msg.data) as { n: number }).n));
    },
  });
  await nc.flush();
  process.send?.('ready');
} else {
  const n = Number(process.argv[2] ?? 10_000);
  const server = await startNatsServer();
  const responder = fork(new URL(import.meta.url).pathname, ['responder', server.url], {
    execArgv: ['--import', 'tsx'],
  });
  try {
    await once(responder, 'message');
    const nc = await connect({ servers: server.url });
    const ask = async (i: number) =>
      unpack((await nc.request('echo', pack({ n: i }), { timeout: 5000 })).data);
    for (let i = 0; i < 300; i++) await ask(i);
    const started = performance.now();
    for (let i = 0; i < n; i++) await ask(i);
    const elapsed = performance.now() - started;
    console.log(JSON.stringify({ rtt_us: (elapsed * 1000) / n }));
    await nc.close();
  } finally {
    responder.kill('SIGKILL');
    await server.stop();
  }
}
