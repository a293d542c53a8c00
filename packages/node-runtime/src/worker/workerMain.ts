/**
 * The entry point of every Troupe worker, in a child process or a worker thread. It opens the
 * channel to the root (fd 3 in a child process, the parent port in a thread), hands frames to an
 * ActorRunner, and turns uncaught exceptions and unhandled rejections into crash reports.
 */

import { writeSync } from 'node:fs';
import { Socket } from 'node:net';
// The process object itself, not the global: actor code may replace globalThis.process, and the
// worker must still be able to exit, stop on SIGTERM and report its crashes.
import process from 'node:process';
import { parentPort, workerData } from 'node:worker_threads';
import { DEFAULT_MAX_MESSAGE_BYTES } from '@troupe/core';
import { isRefusedWhileLoading, type Transport } from '@troupe/core/spi';
import { packChunks } from '../shared/packChunks.js';
import type { Preload } from '../shared/preloads.js';
import { socketTransport } from '../shared/socketTransport.js';
import { MAX_BYTES_ENV } from '../shared/workerEnv.js';
import { workerLabel } from '../shared/workerLabel.js';
import { createRunnerChannel } from './runnerChannel.js';
import { runPreloads, takeTsxHandOver } from './runPreloads.js';
import { markTroupeWorker } from './workerRole.js';

interface Link {
  readonly transport: Transport;
  attach(receive: (chunk: Uint8Array) => void): void;
  /** Ends the worker with `code` once everything written has left. */
  exit(code: number): void;
  /** Writes synchronously, when nothing is pending on the link (a process that is exiting). */
  writeSync?(chunks: Uint8Array[]): void;
}

interface ThreadData {
  readonly troupeMaxMessageBytes: number;
  /** The `--require` and `--import` preloads of the thread's flags and NODE_OPTIONS. */
  readonly troupePreloads: readonly Preload[];
}

/** Sets the process title (`ps`, `top`); a title the OS will not take is left as it was. */
function setTitle(title: string): void {
  try {
    process.title = title;
  } catch {
    // not supported here
  }
}

function threadLink(): Link {
  const port = parentPort;
  if (port === null) throw new Error('threadLink outside a worker thread');
  return {
    transport: {
      write(chunks) {
        const bytes = packChunks(chunks);
        port.postMessage(bytes, [bytes.buffer as ArrayBuffer]);
      },
      close() {
        port.close();
      },
    },
    attach(receive) {
      port.on('message', (bytes: Uint8Array) => receive(bytes));
    },
    // Messages posted before exit are delivered; exit ends only this thread.
    exit: (code) => process.exit(code),
  };
}

function processLink(): Link {
  const socket = new Socket({ fd: 3, readable: true, writable: true });
  let exitCode = 0;
  // The root closed the channel or died: nothing is left to serve.
  socket.on('close', () => process.exit(exitCode));
  socket.on('error', () => process.exit(exitCode));
  // Ctrl-C reaches the whole process group; the root decides how its workers stop.
  process.on('SIGINT', () => {});
  return {
    transport: socketTransport(socket),
    attach(receive) {
      socket.on('data', receive);
    },
    exit(code) {
      exitCode = code;
      socket.end(() => process.exit(code));
    },
    writeSync(chunks) {
      // Only when the socket holds nothing unsent, so the bytes cannot overtake earlier ones.
      if (socket.destroyed || socket.writableLength > 0) return;
      try {
        for (const chunk of chunks) writeSync(3, chunk);
      } catch {
        // the root is gone, or the pipe is full: the exit is reported without these words
      }
    },
  };
}

markTroupeWorker();
const inThread = parentPort !== null;
if (!inThread) setTitle('troupe: idle worker');
if (inThread) await runPreloads((workerData as ThreadData).troupePreloads, true);
else await takeTsxHandOver();
const maxMessageBytes = inThread
  ? (workerData as ThreadData).troupeMaxMessageBytes
  : Number(process.env[MAX_BYTES_ENV] ?? DEFAULT_MAX_MESSAGE_BYTES);
const link = inThread ? threadLink() : processLink();
// SIGTERM (an operator's `kill <pid>`) stops a running actor politely, after its current message.
// The handler is installed only once an actor's loop runs: a task, or an actor still in `init`,
// dies of SIGTERM as without a handler, even in a loop that never yields to JavaScript.
const stopOnSigterm = () => {
  if (runner.stopPolitely()) return;
  process.removeAllListeners('SIGTERM');
  process.kill(process.pid, 'SIGTERM');
};
const { runner, channel } = createRunnerChannel({
  transport: link.transport,
  maxMessageBytes,
  exit: (code) => link.exit(code),
  writeSync: link.writeSync,
  onActorRunning: inThread ? undefined : () => process.on('SIGTERM', stopOnSigterm),
  // In `ps` and `top`, a worker process is named after what it runs (a thread shares its root's).
  onInit: inThread ? undefined : (init) => setTitle(`troupe: ${workerLabel(init.name, init.self)}`),
});
// Actor code calling process.exit: tell the root, synchronously, before the process is gone.
if (!inThread) process.on('exit', (code) => runner.exiting(code));
link.attach((chunk) => channel.receive(chunk));

process.on('uncaughtException', (error) => runner.crash(error));
process.on('unhandledRejection', (reason) => {
  // A definition module's unawaited main() that tried to start a system: its load fails with it.
  if (!isRefusedWhileLoading(reason)) runner.crash(reason);
});
