/**
 * The root's book of pipes: where each end is used (the root, a worker, or nowhere yet), what
 * waits for an end not yet claimed, and which pipes run over a direct link between two child
 * processes. Until a link is up (or when an end is in the root, a thread or in-process) the root
 * relays frames; once it is up the root relays nothing for that pipe.
 *
 * Pipe ids are random, and each end has a random key that travels only inside the end: a worker
 * claims an end (`attach`) by showing its key, and only while no other worker holds it. Pipe
 * frames from a worker for an end it does not hold are refused and reported, never acted on.
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
import {
  assertNever,
  type PipeEnd,
  type PipeLink,
  type PipeToRoot,
  type PipeToWorker,
} from '@troupe/core/spi';
import { nanoid } from 'nanoid';

/** What the registry needs to reach a worker. */
export interface PipeCell {
  readonly placement: Placement;
  /** The host of a remote worker: its pipes stay relayed (a socket path here means nothing there). */
  readonly host: string | undefined;
  /**
   * Sends a pipe frame. `relayed`: one the root passes on (data a sender already had accepted),
   * checked against the frame limit rather than the message limit.
   */
  sendPipe(message: PipeToWorker, relayed?: boolean): void;
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
  /** A pipe frame from the worker `cellId` was refused, for `reason`. */
  readonly onRefused: (cellId: string, reason: string) => void;
}

interface EndRecord {
  /** What a worker must show to claim the end. */
  readonly key: string;
  /** `'root'`, a cell id, or undefined while nobody has used the end. */
  location: string | undefined;
  /**
   * A claim by a worker with the key that came while another place still held the end (the
   * holder's release can be overtaken when the end travels over a direct link): it takes effect,
   * with the frames that worker sent since, once the holder lets go.
   */
  waiting: { readonly cell: string; readonly frames: PipeToRoot[] } | undefined;
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
  return {
    key: nanoid(),
    location: undefined,
    waiting: undefined,
    connection: undefined,
    pending: [],
    closed: false,
    peerClosed: false,
  };
}

export class PipeRegistry implements PipeLink {
  readonly #options: PipeRegistryOptions;
  readonly #pipes = new Map<string, PipeRecord>();
  /** Data frames the root passed from one worker to another. */
  relayed = 0;

  constructor(options: PipeRegistryOptions) {
    this.#options = options;
  }

  /** Makes a pipe and its two ends, both unclaimed. */
  create(duplex: boolean): [Connection<unknown, unknown>, Connection<unknown, unknown>] {
    const id = nanoid();
    const pipe: PipeRecord = { id, duplex, a: newEnd(), b: newEnd(), direct: 'none', switches: 0 };
    this.#pipes.set(id, pipe);
    return [
      this.#connection({ pipe: id, side: 'a', duplex, key: pipe.a.key }),
      this.#connection({ pipe: id, side: 'b', duplex, key: pipe.b.key }),
    ];
  }

  /** An end that arrived in a message to the root; undefined for one that is not ours. */
  revive(info: PipeEnd): Connection<unknown, unknown> | undefined {
    const end = this.#pipes.get(info.pipe)?.[info.side];
    if (end === undefined || end.key !== info.key) return undefined;
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
    const pipe = this.#pipes.get(info.pipe);
    if (pipe === undefined) return;
    const end = pipe[info.side];
    end.location = undefined;
    end.connection = undefined;
    end.pending = [...unread, ...end.pending];
    this.#admitWaiting(pipe, info.side);
  }

  // Frames from workers.

  /** A pipe frame from the worker `cellId`. */
  fromWorker(cellId: string, message: PipeToRoot): void {
    const pipe = this.#pipes.get(message.pipe);
    if (pipe === undefined || (message.side !== 'a' && message.side !== 'b')) {
      this.#options.onRefused(cellId, `a '${message.op}' frame for a pipe end that does not exist`);
      return;
    }
    const end = pipe[message.side];
    if (message.op === 'attach') {
      this.#claim(pipe, message.side, cellId, message.key);
      return;
    }
    if (end.location !== cellId) {
      if (end.waiting?.cell === cellId) end.waiting.frames.push(message);
      else this.#options.onRefused(cellId, `a '${message.op}' frame for a pipe end it does not hold`);
      return;
    }
    this.#fromHolder(pipe, message);
  }

  /** A pipe frame from the worker that holds the end it names. */
  #fromHolder(pipe: PipeRecord, message: Exclude<PipeToRoot, { op: 'attach' }>): void {
    const end = pipe[message.side];
    const peerSide = other(message.side);
    switch (message.op) {
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
        pipe.direct = 'none';
        this.release(
          { pipe: pipe.id, side: message.side, duplex: pipe.duplex },
          Array.isArray(message.body) ? message.body : [],
        );
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
        assertNever(message);
    }
  }

  /** The worker `cellId` ended: every end it used is closed, and the other ends are told. */
  cellGone(cellId: string): void {
    for (const pipe of this.#pipes.values()) {
      for (const side of ['a', 'b'] as const) {
        const end = pipe[side];
        if (end.waiting?.cell === cellId) end.waiting = undefined;
        if (end.location !== cellId) continue;
        end.location = undefined;
        if (end.closed) continue;
        end.closed = true;
        this.#notifyClosed(pipe.id, other(side));
      }
    }
  }

  #connection(info: PipeEnd): Connection<unknown, unknown> {
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

  /**
   * A worker claims an end: granted if it shows the end's key and nobody holds the end; with the
   * key while another place holds it, the claim waits for the holder to let go; refused otherwise.
   */
  #claim(pipe: PipeRecord, side: PipeSide, cellId: string, key: unknown): void {
    const end = pipe[side];
    if (key !== end.key) {
      this.#options.onRefused(
        cellId,
        'a claim on a pipe end without its key (the end was never handed to it)',
      );
      return;
    }
    if (end.location === undefined || end.location === cellId) {
      this.#attachCell(pipe, side, cellId);
      return;
    }
    if (end.waiting === undefined) end.waiting = { cell: cellId, frames: [] };
    else this.#options.onRefused(cellId, 'a claim on a pipe end another worker holds');
  }

  /** The holder let go: a claim that waited for it takes effect, then the frames sent since. */
  #admitWaiting(pipe: PipeRecord, side: PipeSide): void {
    const end = pipe[side];
    const waiting = end.waiting;
    if (waiting === undefined) return;
    end.waiting = undefined;
    this.#attachCell(pipe, side, waiting.cell);
    for (const frame of waiting.frames) this.fromWorker(waiting.cell, frame);
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
    if (a.host !== undefined || b.host !== undefined) return;
    pipe.direct = 'setting-up';
    pipe.switches = 0;
    a.sendPipe({ t: 'pipe', op: 'listen', pipe: pipe.id, side: 'a', path: this.#socketPath(pipe) });
  }

  #socketPath(pipe: PipeRecord): string {
    return join(this.#options.socketDir(), `${pipe.id}.sock`);
  }
}
