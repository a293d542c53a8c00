/**
 * Turns what the OS reported and what the worker said before it went into one typed ExitInfo.
 */

import { type ExitInfo, HostDownError, ProcessExitError } from '@troupe/core';
import type { RawExit } from '../shared/WorkerLink.js';

/** What the root learned from a worker before it ended. */
export interface ExitFacts {
  /** The error from the worker's `crash` frame. */
  crash: Error | undefined;
  /** The worker said `stopped`; `self` when it stopped itself. */
  stopped: { self: boolean } | undefined;
  /** The root asked it to stop (stop(), shutdown). */
  stopRequested: boolean;
  /** The root killed it because it did not stop within its grace time (or missed a heartbeat). */
  killedForTimeout: boolean;
  /** The root killed it on purpose, as its way of stopping it (`brutal_kill`). */
  killedOnPurpose: boolean;
  /** The worker broke the protocol and was cut off. */
  protocolError: Error | undefined;
}

export function classifyExit(raw: RawExit, facts: ExitFacts): ExitInfo {
  const base = { code: raw.code, signal: raw.signal };
  // Whatever else was under way: nothing more is known of a worker on a host that is gone.
  if (raw.hostDown !== undefined)
    return { ...base, reason: 'hostDown', error: new HostDownError(raw.hostDown.host, raw.hostDown.why) };
  if (facts.killedForTimeout) return { ...base, reason: 'timeout' };
  if (facts.killedOnPurpose) return { ...base, reason: 'shutdown' };
  if (facts.protocolError !== undefined) return { ...base, reason: 'error', error: facts.protocolError };
  if (raw.oom) {
    return facts.crash === undefined
      ? { ...base, reason: 'oom' }
      : { ...base, reason: 'oom', error: facts.crash };
  }
  const crash = facts.crash ?? raw.error;
  if (crash !== undefined) return { ...base, reason: 'error', error: crash };
  if (facts.stopped !== undefined) return { ...base, reason: facts.stopped.self ? 'normal' : 'shutdown' };
  if (raw.signal !== null) return { ...base, reason: 'signal' };
  if (raw.code === 0 || raw.code === null)
    return { ...base, reason: facts.stopRequested ? 'shutdown' : 'normal' };
  const detail = lastLine(raw.stderrTail);
  return { ...base, reason: 'error', error: new ProcessExitError(raw.code, detail) };
}

function lastLine(text: string | undefined): string | undefined {
  const line = text
    ?.trim()
    .split('\n')
    .findLast((l) => l.trim().length > 0);
  return line === undefined ? undefined : line.trim().slice(0, 300);
}
