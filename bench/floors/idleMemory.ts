/**
 * The floor for an idle worker's memory: n bare workers (floors/readyChild.ts, forked with this
 * process's `execArgv`, or a Worker that registers tsx itself, as in spawnReady.ts) are started and
 * have said 'ready', then the memory is read: a child's VmRSS from /proc, or for threads what this
 * process's RSS grew by from before the first one.
 *
 *   idleMemory.ts <n> process | thread
 *
 * Prints one JSON line: {"mb": <mean MiB per worker>}.
 */

import { rssOf } from '../lib/rss.js';
import { startBare } from './spawnReady.js';

const n = Number(process.argv[2] ?? 4);
const placement = process.argv[3] ?? 'process';
const before = process.memoryUsage().rss;
const workers = [];
for (let i = 0; i < n; i++) workers.push(await startBare(placement));
let total = 0;
for (const { pid } of workers) if (pid !== undefined) total += rssOf(pid);
if (placement === 'thread') total = (process.memoryUsage().rss - before) / 2 ** 20;
for (const worker of workers) await worker.stop();
console.log(JSON.stringify({ mb: total / n }));
