/**
 * The `'thread'` placement: each worker is a Node worker thread. Frames travel as transferred
 * buffers over the worker's message port, through the same codec as every other placement.
 *
 * @module
 */

import { Worker } from 'node:worker_threads';
import { packChunks } from '../shared/packChunks.js';
import { nodeOptionsArgs, preloadsOf } from '../shared/preloads.js';
import type { RawExit, WorkerLaunch, WorkerLink } from '../shared/WorkerLink.js';
import { workerMainUrl } from '../worker/workerMainUrl.js';
import { prefixLines } from './prefixLines.js';
import { withThreadFlags } from './threadFlags.js';

/** Options only a thread takes. */
export interface ThreadLaunch extends WorkerLaunch {
  /** The thread's V8 old-generation limit, in MiB. */
  readonly maxHeapMb: number | undefined;
}

/**
 * Starts a worker in a new worker thread, with the flags of `launch.execArgv` that threads take
 * (see `withThreadFlags`: `--expose-gc` and the like are for processes only). The worker runs the
 * preloads of those flags and of NODE_OPTIONS itself (see `runPreloads`), tsx among them.
 */
export function startWorkerThread(launch: ThreadLaunch): WorkerLink {
  // Node reads a thread's NODE_OPTIONS too, before its execArgv.
  const fromEnv = nodeOptionsArgs(launch.env?.NODE_OPTIONS ?? process.env.NODE_OPTIONS) ?? [];
  const worker = withThreadFlags(
    launch.execArgv,
    (execArgv) =>
      new Worker(workerMainUrl, {
        workerData: {
          troupeMaxMessageBytes: launch.maxMessageBytes,
          troupePreloads: preloadsOf([...fromEnv, ...execArgv]),
        },
        execArgv,
        stdout: launch.prefixOutput === true,
        stderr: launch.prefixOutput === true,
        ...(launch.env === undefined ? {} : { env: { ...process.env, ...launch.env } }),
        ...(launch.maxHeapMb === undefined
          ? {}
          : { resourceLimits: { maxOldGenerationSizeMb: launch.maxHeapMb } }),
      }),
  );
  let label = `thread ${worker.threadId}`;
  if (launch.prefixOutput === true) {
    prefixLines(worker.stdout, process.stdout, () => label);
    prefixLines(worker.stderr, process.stderr, () => label);
  }
  let killedBy: string | null = null;
  let oom = false;
  let lastError: Error | undefined;
  const exited = new Promise<RawExit>((resolve) => {
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') oom = true;
      lastError = error;
    });
    worker.on('exit', (code) =>
      resolve({ code, signal: killedBy, oom, ...(lastError === undefined ? {} : { error: lastError }) }),
    );
  });
  return {
    pid: undefined,
    exited,
    transport: {
      write(chunks) {
        const bytes = packChunks(chunks);
        worker.postMessage(bytes, [bytes.buffer as ArrayBuffer]);
      },
      close() {
        void worker.terminate();
      },
    },
    attach(receive) {
      worker.on('message', (bytes: Uint8Array) => receive(bytes));
    },
    kill(signal) {
      killedBy ??= signal;
      void worker.terminate();
    },
    label(name) {
      label = name;
    },
  };
}
