/**
 * Crash reports: an actor or task that ends in a crash nobody watches is reported once, like
 * Erlang's crash report, to the system's `logger` (stderr by default).
 */

import { inspect } from 'node:util';
import { describeExit, type ExitInfo, type ExitReason } from '@troupe/core';
import type { CrashReport } from '../options.js';
import type { WorkerCell } from './WorkerCell.js';

/** The exit reasons that are crashes, reported when nothing watches them. */
const CRASHES: ReadonlySet<ExitReason> = new Set(['error', 'oom', 'timeout']);

/**
 * Reports `cell`'s crash to `logger` unless something watches it (a supervisor, or an awaited
 * `exited`, `join` or `result`), after the code that started it has had its turn to await its end.
 */
export function reportCrash(
  cell: WorkerCell,
  exit: ExitInfo,
  logger: false | ((report: CrashReport) => void),
): void {
  if (logger === false || !CRASHES.has(exit.reason) || cell.supervised || cell.watched) return;
  setImmediate(() => {
    if (cell.watched) return;
    const where = [`id ${cell.id}`, ...(cell.pid === undefined ? [] : [`pid ${cell.pid}`]), cell.placement];
    const detail = exit.error === undefined ? '' : `${inspect(exit.error)}\n`;
    const text =
      `Troupe crash report: ${cell.kind} ${cell.label} (${where.join(', ')}) ended: ${describeExit(exit)}\n` +
      detail;
    const report: CrashReport = {
      kind: cell.kind,
      name: cell.name,
      id: cell.id,
      pid: cell.pid,
      placement: cell.placement,
      exit,
      text,
    };
    try {
      logger(report);
    } catch {
      // A logger that throws must not take the system down with the actor.
    }
  });
}
