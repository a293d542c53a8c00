/** What the root's side of a worker ({@link WorkerCell}) needs from its actor system. */

import type { Clock, ExitInfo } from '@troupe/core';
import type {
  ActorReport,
  PipeToRoot,
  PortableData,
  QueueCallMessage,
  RouteAskMessage,
  RouteMessage,
  RouteStopMessage,
} from '@troupe/core/spi';

/** @typeParam Cell - the root's side of a worker (WorkerCell; a parameter, so this module imports none) */
export interface CellOwner<Cell> {
  readonly clock: Clock;
  readonly shutdownMs: number;
  readonly maxMessageBytes: number;
  revive(portable: PortableData): unknown;
  /** Delivers what an actor sends, asks or stops through a reference it holds (see Router). */
  route(message: RouteMessage | RouteAskMessage | RouteStopMessage): Promise<unknown> | undefined;
  /** Settles an ask made through a queue mailbox. */
  mailboxAnswer(id: number, outcome: { value: unknown } | { error: Error }): void;
  /** A pipe frame from this worker. */
  pipeFrame(cellId: string, message: PipeToRoot): void;
  /** Runs a queue call for this worker; undefined when no answer is due. */
  queueCall(consumer: string, message: QueueCallMessage): Promise<unknown> | undefined;
  cellReady(cell: Cell): void;
  /** A machine actor's report (snapshot, inspection event, failed restore). */
  report(cell: Cell, report: ActorReport): void;
  cellExited(cell: Cell, exit: ExitInfo): void;
}
