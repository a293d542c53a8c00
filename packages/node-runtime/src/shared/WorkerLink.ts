/**
 * What a placement hands the root for one worker: a byte transport to it, its pid, a way to
 * kill it, and how it ended.
 */

import type { Transport } from '@troupe/core/spi';

/** How a worker ended, as the OS (or the thread) reported it. */
export interface RawExit {
  readonly code: number | null;
  readonly signal: string | null;
  /** The worker ran out of memory (V8 heap limit or thread resource limits). */
  readonly oom: boolean;
  /** The error a thread died of, when it died of one its own handlers did not report. */
  readonly error?: Error;
  /** The tail of what the worker wrote to stderr, when captured. */
  readonly stderrTail?: string;
  /** A remote worker's host was declared down (or never answered): which host, and why. */
  readonly hostDown?: { readonly host: string; readonly why: string };
}

/** The root's handle on one running worker. */
export interface WorkerLink {
  /** The OS process id, for child processes (on its own host, for a remote worker). */
  readonly pid: number | undefined;
  /** The host a remote worker runs on (see `shared/cluster.ts`); undefined for a local one. */
  readonly host?: string | undefined;
  readonly transport: Transport;
  /** Starts delivering the bytes the worker sends. */
  attach(receive: (chunk: Uint8Array) => void): void;
  /** Settles when the worker has ended; never rejects. */
  readonly exited: Promise<RawExit>;
  /** Sends a signal (a thread or in-process worker treats any signal as a kill). */
  kill(signal: NodeJS.Signals): void;
  /** Names the actor now running in the worker, for the prefix of its output lines. */
  label?(name: string): void;
}

/** What every placement needs to start a worker. */
export interface WorkerLaunch {
  /** Node flags for the worker (a TypeScript loader, `--max-old-space-size`, ...). */
  readonly execArgv: readonly string[];
  readonly maxMessageBytes: number;
  /** Extra environment variables for a child process or thread. */
  readonly env: Readonly<Record<string, string>> | undefined;
  /** The working directory of a child process (default the root's). */
  readonly cwd?: string | undefined;
  /** Pipe the worker's stdout and stderr, each line prefixed with its label (see WorkerLink.label). */
  readonly prefixOutput?: boolean;
}
