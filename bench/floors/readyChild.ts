/**
 * The smallest worker that says it is ready: in a forked child it sends 'ready' over IPC, in a
 * worker thread it posts 'ready' to its parent. Its message listener keeps it idling, as a
 * worker waiting for messages does, until it is stopped. Used by the spawn-to-ready and
 * idle-memory floors.
 */

import { parentPort } from 'node:worker_threads';

if (parentPort !== null) {
  parentPort.on('message', () => {});
  parentPort.postMessage('ready');
} else {
  process.on('message', () => {});
  process.send?.('ready');
}
