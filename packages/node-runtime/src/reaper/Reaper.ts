/**
 * The root's side of the reaper sidecar (see reaperMain.ts): one per root process, started with
 * the first child process worker.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const reaperMainPath = fileURLToPath(new URL('./reaperMain.js', import.meta.url));

export class Reaper {
  static #shared: Reaper | undefined;

  /** The process-wide reaper, started on first use. */
  static shared(): Reaper {
    Reaper.#shared ??= new Reaper();
    return Reaper.#shared;
  }

  readonly #child: ChildProcess;

  private constructor() {
    this.#child = spawn(process.execPath, [reaperMainPath], {
      stdio: ['pipe', 'ignore', 'inherit'],
      windowsHide: true,
    });
    this.#child.on('error', () => {}); // workers still exit when their channel closes
    this.#child.stdin?.on('error', () => {});
    this.#child.unref();
    (this.#child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }

  /** The reaper's own pid (for tests). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Kill `pid` if this process dies. */
  watch(pid: number): void {
    this.#child.stdin?.write(`+${pid}\n`);
  }

  /** `pid` has exited: stop watching it. */
  forget(pid: number): void {
    this.#child.stdin?.write(`-${pid}\n`);
  }
}
