/**
 * Whether this process or thread is a Troupe worker. workerMain says so before anything else
 * runs; code in the root, and code a worker's actor forks on its own, never sees it set.
 */

let troupeWorker = false;

/** Called by workerMain, first. */
export function markTroupeWorker(): void {
  troupeWorker = true;
}

/** True in a Troupe worker (a child process or worker thread started by a system). */
export function isTroupeWorker(): boolean {
  return troupeWorker;
}
