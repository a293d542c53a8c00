/**
 * Errors of supervisors. Re-exported by `errors.ts`, the index of every Troupe error.
 *
 * @module
 */

import { describeExit } from '../describeExit.js';
import type { ExitInfo } from '../exit.js';
import { TroupeError, type TroupeErrorOptions } from './TroupeError.js';

/**
 * A supervisor could not start one of its children: `start()` rejects with this after stopping
 * the children it had started, in reverse order (and `startChild` rejects with it when the new
 * child fails to start). The child's own error is the `cause`.
 *
 * @example
 * ```ts
 * import { SupervisorStartError } from '@troupe/core';
 * await supervisor.start().catch((err) => {
 *   if (err instanceof SupervisorStartError) console.log(err.childId, err.cause);
 * });
 * ```
 */
export class SupervisorStartError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_SUPERVISOR_START';
  declare readonly code: typeof SupervisorStartError.code;
  /** The id of the child that failed to start. */
  readonly childId: string;

  constructor(supervisor: string, childId: string, options?: TroupeErrorOptions) {
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(`Supervisor ${supervisor} could not start child '${childId}'${detail}`, options);
    this.childId = childId;
  }
}

/**
 * A supervisor gave up: its children needed more than `maxRestarts` restarts within `withinMs`.
 * It stopped all its children and failed; its own supervisor sees it exit with this error (and
 * restarts it, or gives up in turn).
 *
 * @example
 * ```ts
 * import { EscalationError } from '@troupe/core';
 * const exit = await supervisor.exited;
 * if (exit.reason === 'escalated' && exit.error instanceof EscalationError) {
 *   console.log(exit.error.supervisor, exit.error.maxRestarts, exit.error.withinMs);
 * }
 * ```
 */
export class EscalationError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_ESCALATION';
  declare readonly code: typeof EscalationError.code;
  /** The name of the supervisor that gave up. */
  readonly supervisor: string;
  /** Its `maxRestarts`. */
  readonly maxRestarts: number;
  /** Its `withinMs`. */
  readonly withinMs: number;
  /** The id of the child whose exit was one restart too many, when known. */
  readonly child: string | undefined;
  /** How that child ended, when known; its `error` is also this error's `cause`. */
  readonly lastExit: ExitInfo | undefined;

  constructor(
    supervisor: string,
    maxRestarts: number,
    withinMs: number,
    options?: TroupeErrorOptions & { readonly child?: string; readonly lastExit?: ExitInfo },
  ) {
    const last =
      options?.child === undefined
        ? ''
        : ` child '${options.child}'${options.lastExit === undefined ? '' : ` ended (${describeExit(options.lastExit)})`},`;
    super(
      `Supervisor ${supervisor} gave up:${last} more than ${maxRestarts} restart(s) within ${withinMs} ms ` +
        '(raise maxRestarts or withinMs, or add backoff, if this is expected)',
      options,
    );
    this.supervisor = supervisor;
    this.maxRestarts = maxRestarts;
    this.withinMs = withinMs;
    this.child = options?.child;
    this.lastExit = options?.lastExit;
  }
}

/**
 * `startChild` on a supervisor that already has `maxChildren` children.
 *
 * @example
 * ```ts
 * import { MaxChildrenError } from '@troupe/core';
 * await supervisor.startChild(spec).catch((err) => err instanceof MaxChildrenError);
 * ```
 */
export class MaxChildrenError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_MAX_CHILDREN';
  declare readonly code: typeof MaxChildrenError.code;
  /** The configured `maxChildren`. */
  readonly maxChildren: number;

  constructor(supervisor: string, maxChildren: number) {
    super(
      `Supervisor ${supervisor} already has maxChildren (${maxChildren}) children; ` +
        'terminate one first, or raise maxChildren',
    );
    this.maxChildren = maxChildren;
  }
}

/**
 * A supervisor was asked for work (`startChild`, `terminateChild`) while it is not running: not
 * started yet, stopped, or failed.
 *
 * @example
 * ```ts
 * import { SupervisorNotRunningError } from '@troupe/core';
 * await supervisor.stop();
 * await supervisor.startChild(spec).catch((err) => err instanceof SupervisorNotRunningError); // true
 * ```
 */
export class SupervisorNotRunningError extends TroupeError {
  static override readonly code = 'ERR_TROUPE_SUPERVISOR_NOT_RUNNING';
  declare readonly code: typeof SupervisorNotRunningError.code;
}
