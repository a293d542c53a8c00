/**
 * The `'local'` placement: the actor runs in the root's own process and thread, but every
 * message still goes through the codec and framing, so a definition behaves as it would in a
 * worker (copies, not shared objects). For tests and debugging: a local actor that blocks,
 * calls `process.exit` or leaks an uncaught exception affects the root itself.
 *
 * @module
 */

import { deferred } from '@troupe/core/spi';
import type { RawExit, WorkerLaunch, WorkerLink } from '../shared/WorkerLink.js';
import { createRunnerChannel } from '../worker/runnerChannel.js';

/** Starts a worker inside this process. */
export function startLocal(launch: WorkerLaunch): WorkerLink {
  const ended = deferred<RawExit>();
  let toRoot: ((chunk: Uint8Array) => void) | undefined;
  let finished = false;
  const finish = (exit: RawExit) => {
    if (finished) return;
    finished = true;
    worker.channel.close();
    ended.resolve(exit);
  };
  const worker = createRunnerChannel({
    transport: {
      write(chunks) {
        if (finished) return;
        for (const chunk of chunks) toRoot?.(chunk);
      },
      close() {},
    },
    maxMessageBytes: launch.maxMessageBytes,
    exit: (code) => finish({ code, signal: null, oom: false }),
  });
  return {
    pid: undefined,
    exited: ended.promise,
    transport: {
      write(chunks) {
        if (finished) return;
        for (const chunk of chunks) worker.channel.receive(chunk);
      },
      close() {
        finish({ code: 0, signal: null, oom: false });
      },
    },
    attach(receive) {
      toRoot = receive;
    },
    kill(signal) {
      finish({ code: null, signal, oom: false });
    },
  };
}
