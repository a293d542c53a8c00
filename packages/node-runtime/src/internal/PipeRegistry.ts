/**
 * The root's book of pipes: where each end is used (the root, a worker, or nowhere yet), what
 * waits for an end not yet claimed, and which pipes run over a direct link between two child
 * processes. Until a link is up (or when an end is in the root, a thread or in-process) the root
 * relays frames; once it is up the root relays nothing for that pipe.
 */

import { join } from 'node:path';
import {
  type Clock,
  type Codec,
  Connection,
  type PipeEndInfo,
  type PipeSide,
  type Placement,
} from '@troupe/core';
import type { PipeLink, PipeMessage } from '@troupe/core/spi';

/** What the registry needs to reach a worker. */
export interface PipeCell {
  readonly placement: Placement;
  /**
   * Sends a pipe frame. `relayed`: one the root passes on (data a sender already had accepted),
   * checked against the frame limit rather than the message limit.
   */
  sendPipe(message: PipeMessage, relayed?: boolean): void;
}

export interface PipeRegistryOptions {
  readonly clock: Clock;
  /** Copies values between ends that are both in the root (messages are never shared). */
  readonly codec: Codec;
  readonly cell: (id: string) => PipeCell | undefined;
  /** A private directory (mode 0700) for direct-link sockets, made on first use. */
  readonly socketDir: () => string;
  /** A pipe now runs over a direct link. */
  readonly onLinked: (pipe: string) => void;
}

interface EndRecord {
  /** `'root'`, a cell id, or undefined while nobody has used the end. */
  location: string | undefined;
  connection: Connection<unknown, unknown> | undefined;
  /** Values for an end nobody has claimed yet. */
  pending: unknown[];
  closed: boolean;
  /** The other end closed; tell whoever claims this end. */
  peerClosed: boolean;
}

interface PipeRecord {
  readonly id: string;
  readonly duplex: boolean;
  readonly a: EndRecord;
  readonly b: EndRecord;
  direct: 'none' | 'setting-up' | 'up';
  switches: number;
}

const ROOT = 'root';

function other(side: PipeSide): PipeSide {
  return side === 'a' ? 'b' : 'a';
}

function newEnd(): EndRecord {
  return { location: undefined, connection: undefined, pending: [], closed: false, peerClosed: false };
}

export class PipeRegistry implements PipeLink {
  readonly #options: PipeRegistryOptions;
  readonly #pipes = new Map<string, PipeRecord>();
  #nextId = 1;
  /** Data frames the root passed from one worker to another. */
  relayed = 0;

  constructor(options: PipeRegistryOptions) {
    this.#options = options;
  }

  /** Makes a pipe and its two ends, both unclaimed. */
  create(duplex: boolean): [Connection<unknown, unknown>, Connection<unknown, unknown>] {
    const id = `p${this.#nextId++}`;
    this.#pipes.set(id, { id, duplex, a: newEnd(), b: newEnd(), direct: 'none', switches: 0 });
    return [
      this.#connection({ pipe: id, side: 'a', duplex }),
      this.#connection({ pipe: id, side: 'b', duplex }),
    ];
  }

  /** An end that arrived in a message to the root. */
  revive(info: PipeEndInfo): Connection<unknown, unknown> | undefined {
    const end = this.#pipes.get(info.pipe)?.[info.side];
    if (end === undefined) return undefined;
    return end.location === ROOT && end.connection !== undefined ? end.connection : this.#connection(info);
  }

  // PipeLink: ends used in the root.

  attach(info: PipeEndInfo, connection: Connection<unknown, unknown>): void {
    const end = this.#end(info);
    if (end === undefined) return;
    end.location = ROOT;
    end.connection = connection;
    for (const value of end.pending.splice(0)) connection.deliver(value);
    if (end.peerClosed) connection.peerClosed();
  }

  send(info: PipeEndInfo, value: unknown): void {
    const target = this.#end({ ...info, side: other(info.side) });
    if (target === undefined) return;
    const cell = this.#cellOf(target);
    if (cell !== undefined) {
      cell.sendPipe({ t: 'pipe', op: 'data', pipe: info.pipe, side: other(info.side), body: value });
      return;
    }
    const { codec } = this.#options;
    this.#deliver(target, codec.decode(codec.encode(value, 'msg')));
  }

  close(info: PipeEndInfo): void {
    const end = this.#end(info);
    if (end === undefined || end.closed) return;
    end.closed = true;
    this.#notifyClosed(info.pipe, other(info.side));
  }

  release(info: PipeEndInfo, unread: unknown[]): void {
    const end = this.#end(info);
    if (end === undefined) return;
    end.location = undefined;
    end.connection = undefined;
    end.pending = [...unread, ...end.pending];
  }

  // Frames from workers.

  /** A pipe frame from the worker `cellId`. */
  fromWorker(cellId: string, message: PipeMessage): void {
    const pipe = this.#pipes.get(message.pipe);
    if (pipe === undefined) return;
    const end = pipe[message.side];
    const peerSide = other(message.side);
    switch (message.op) {
      case 'attach':
        this.#attachCell(pipe, message.side, cellId);
        return;
      case 'data': {
        const target = pipe[peerSide];
        if (target.closed) return;
        const cell = this.#cellOf(target);
        if (cell !== undefined) {
          this.relayed++;
          cell.sendPipe({ t: 'pipe', op: 'data', pipe: pipe.id, side: peerSide, body: message.body }, true);
        } else {
          this.#deliver(target, message.body);
        }
        return;
      }
      case 'close':
        if (end.closed) return;
        end.closed = true;
        // Over a direct link the close travels with the data; the root only takes note.
        if (message.body !== 'direct') this.#notifyClosed(pipe.id, peerSide);
        return;
      case 'release':
        this.release(
          { pipe: pipe.id, side: message.side, duplex: pipe.duplex },
          (message.body as unknown[]) ?? [],
        );
        pipe.direct = 'none';
        return;
      case 'listening': {
        const connectCell = this.#cellOf(pipe[peerSide]);
        connectCell?.sendPipe({
          t: 'pipe',
          op: 'connect',
          pipe: pipe.id,
          side: peerSide,
          path: this.#socketPath(pipe),
        });
        return;
      }
      case 'switch': {
        pipe.switches++;
        if (pipe.switches === 2) {
          pipe.direct = 'up';
          this.#options.onLinked(pipe.id);
        }
        this.#cellOf(pipe[peerSide])?.sendPipe({ t: 'pipe', op: 'switch', pipe: pipe.id, side: peerSide });
        return;
      }
      default:
        return;
    }
  }

  /** The worker `cellId` ended: every end it used is closed, and the other ends are told. */
  cellGone(cellId: string): void {
    for (const pipe of this.#pipes.values()) {
      for (const side of ['a', 'b'] as const) {
        const end = pipe[side];
        if (end.location !== cellId) continue;
        end.location = undefined;
        if (end.closed) continue;
        end.closed = true;
        this.#notifyClosed(pipe.id, other(side));
      }
    }
  }

  #connection(info: PipeEndInfo): Connection<unknown, unknown> {
    return new Connection(info, this, this.#options.clock);
  }

  #end(info: { pipe: string; side: PipeSide }): EndRecord | undefined {
    return this.#pipes.get(info.pipe)?.[info.side];
  }

  #cellOf(end: EndRecord): PipeCell | undefined {
    return end.location === undefined || end.location === ROOT ? undefined : this.#options.cell(end.location);
  }

  #deliver(end: EndRecord, value: unknown): void {
    if (end.location === ROOT) end.connection?.deliver(value);
    else end.pending.push(value);
  }

  #notifyClosed(pipeId: string, side: PipeSide): void {
    const end = this.#end({ pipe: pipeId, side });
    if (end === undefined) return;
    end.peerClosed = true;
    if (end.location === ROOT) end.connection?.peerClosed();
    else this.#cellOf(end)?.sendPipe({ t: 'pipe', op: 'close', pipe: pipeId, side });
  }

  #attachCell(pipe: PipeRecord, side: PipeSide, cellId: string): void {
    const end = pipe[side];
    end.location = cellId;
    end.connection = undefined;
    const cell = this.#options.cell(cellId);
    if (cell === undefined) return;
    for (const value of end.pending.splice(0)) {
      cell.sendPipe({ t: 'pipe', op: 'data', pipe: pipe.id, side, body: value }, true);
    }
    if (end.peerClosed) cell.sendPipe({ t: 'pipe', op: 'close', pipe: pipe.id, side });
    this.#maybeGoDirect(pipe);
  }

  /** Both ends in two different child processes: have them connect to each other. */
  #maybeGoDirect(pipe: PipeRecord): void {
    if (pipe.direct !== 'none' || pipe.a.closed || pipe.b.closed) return;
    const a = this.#cellOf(pipe.a);
    const b = this.#cellOf(pipe.b);
    if (a === undefined || b === undefined || a === b) return;
    if (a.placement !== 'process' || b.placement !== 'process') return;
    pipe.direct = 'setting-up';
    pipe.switches = 0;
    a.sendPipe({ t: 'pipe', op: 'listen', pipe: pipe.id, side: 'a', path: this.#socketPath(pipe) });
  }

  #socketPath(pipe: PipeRecord): string {
    return join(this.#options.socketDir(), `${pipe.id}.sock`);
  }
}
