/**
 * The floor for a round trip: two Node processes ping-ponging msgpackr-encoded, length-prefixed
 * frames over an OS socket pair (the child's extra stdio fd), with nothing else in the way.
 * Run as a script: prints one JSON line, {"rtt_us": ...}.
 */

import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Packr } from 'msgpackr';

const packr = new Packr({ structuredClone: true });

function frame(value: unknown): Buffer {
  const body = packr.pack(value);
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

function frames(onFrame: (body: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const length = pending.readUInt32BE(0);
      if (pending.length < 4 + length) break;
      onFrame(pending.subarray(4, 4 + length));
      pending = pending.subarray(4 + length);
    }
  };
}

if (process.argv[2] === 'echo') {
  const socket = new Socket({ fd: 3, readable: true, writable: true });
  socket.on(
    'data',
    frames((body) => socket.write(frame(packr.unpack(body)))),
  );
  socket.on('close', () => process.exit(0));
} else {
  const n = Number(process.argv[2] ?? 20_000);
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'echo'], {
    stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
  });
  const socket = child.stdio[3] as Socket;
  let resolve: () => void = () => {};
  socket.on(
    'data',
    frames((body) => {
      packr.unpack(body);
      resolve();
    }),
  );
  const roundTrip = (i: number) =>
    new Promise<void>((r) => {
      resolve = r;
      socket.write(frame({ t: 'ask', id: i, body: { n: i } }));
    });
  for (let i = 0; i < 200; i++) await roundTrip(i);
  const started = performance.now();
  for (let i = 0; i < n; i++) await roundTrip(i);
  const elapsed = performance.now() - started;
  socket.end();
  console.log(JSON.stringify({ rtt_us: (elapsed * 1000) / n }));
}
