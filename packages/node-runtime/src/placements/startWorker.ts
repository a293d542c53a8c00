/** Starts a worker on its placement. */

import type { Placement } from '@troupe/core';
import type { WorkerLaunch, WorkerLink } from '../shared/WorkerLink.js';
import { startLocal } from './LocalPlacement.js';
import { startChildProcess } from './NodeChildProcess.js';
import { startWorkerThread } from './NodeWorkerThread.js';

export function startWorker(
  placement: Placement,
  launch: WorkerLaunch,
  maxHeapMb: number | undefined,
): WorkerLink {
  switch (placement) {
    case 'process':
      return startChildProcess(launch);
    case 'thread':
      return startWorkerThread({ ...launch, maxHeapMb });
    case 'local':
      return startLocal(launch);
  }
}
