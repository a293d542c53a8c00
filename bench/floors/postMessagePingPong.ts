/**
 * The floor for a round trip to a thread: one `worker_threads` Worker echoing `{ n }` back with
 * `postMessage` (structured clone, no codec, nothing else in the way). Warmed with 200 round
 * trips, then n are timed. Prints one JSON line: {"rtt_us": ...}.
 */

import { Worker } from 'node:worker_threads';

// Plain JavaScript (eval), so the thread needs no TypeScript loader; startup is not timed anyway.
const echo = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (msg) => parentPort.postMessage(msg));
`;

const n = Number(process.argv[2] ?? 20_000);
const worker = new Worker(echo, { eval: true });
let resolve: () => void = () => {};
worker.on('message', () => resolve());
const roundTrip = (i: number) =>
  new Promise<void>((r) => {
    resolve = r;
    worker.postMessage({ n: i });
  });
for (let i = 0; i < 200; i++) await roundTrip(i);
const started = performance.now();
for (let i = 0; i < n; i++) await roundTrip(i);
const elapsed = performance.now() - started;
await worker.terminate();
console.log(JSON.stringify({ rtt_us: (elapsed * 1000) / n }));
