/**
 * The `'process'` placement: each worker is a Node child process. Frames travel over an extra
 * OS pipe (fd 3), not over Node's JSON IPC; stdout is shared with the root; stderr is forwarded
 * and its tail kept, to tell an out-of-memory death from other aborts.
 *
 * @module
 */

import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Reaper } from '../reaper/Reaper.js';
import { socketTransport } from '../shared/socketTransport.js';
import type { RawExit, WorkerLaunch, WorkerLink } from '../shared/WorkerLink.js';
import { MAX_BYTES_ENV, TSX_ENV, withoutTsx } from '../shared/workerEnv.js';
import { workerMainUrl } from '../worker/workerMainUrl.js';
import { prefixLines } from './prefixLines.js';

const STDERR_TAIL_BYTES = 8 * 1024;
const OOM_PATTERN = /JavaScript heap out of memory|Reached heap limit|Allocation failed/;

/**
 * Starts a worker in a new child process. A tsx loader in its flags or NODE_OPTIONS is handed
 * over for the worker to register once the runtime has loaded (see `withoutTsx`).
 */
export function startChildProcess(launch: WorkerLaunch): WorkerLink {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...launch.env,
    [MAX_BYTES_ENV]: String(launch.maxMessageBytes),
  };
  const { execArgv, nodeOptions, handOver } = withoutTsx(launch.execArgv, env.NODE_OPTIONS);
  delete env[TSX_ENV]; // only ever this root's to give
  if (handOver !== undefined) {
    env[TSX_ENV] = JSON.stringify(handOver);
    if (nodeOptions === undefined) delete env.NODE_OPTIONS;
    else env.NODE_OPTIONS = nodeOptions;
  }
  const prefix = launch.prefixOutput === true;
  const child = spawn(process.execPath, [...execArgv, fileURLToPath(workerMainUrl)], {
    stdio: ['ignore', prefix ? 'pipe' : 'inherit', 'pipe', 'pipe'],
    env,
    ...(launch.cwd === undefined ? {} : { cwd: launch.cwd }),
    windowsHide: true,
  });
  const pid = child.pid;
  if (pid !== undefined) Reaper.shared().watch(pid);

  let label = `pid ${pid}`;
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer | string) => {
    if (!prefix) process.stderr.write(chunk);
    stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL_BYTES);
  });
  if (prefix && child.stdout !== null && child.stderr !== null) {
    prefixLines(child.stdout, process.stdout, () => label);
    prefixLines(child.stderr, process.stderr, () => label);
  }

  const socket = child.stdio[3] as Socket;
  socket.on('error', () => {}); // the exit event reports what happened

  const exited = new Promise<RawExit>((resolve) => {
    let spawnError: Error | undefined;
    child.on('error', (error) => {
      spawnError = error;
      if (child.pid === undefined)
        resolve({ code: null, signal: null, oom: false, stderrTail: String(error) });
    });
    child.on('close', (code, signal) => {
      if (pid !== undefined) Reaper.shared().forget(pid);
      const oom = OOM_PATTERN.test(stderrTail);
      resolve({ code, signal, oom, stderrTail: spawnError ? String(spawnError) : stderrTail });
    });
  });

  return {
    pid,
    exited,
    transport: socketTransport(socket),
    attach(receive) {
      socket.on('data', receive);
    },
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    label(name) {
      label = name;
    },
  };
}
