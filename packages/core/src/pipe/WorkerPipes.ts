/**
 * The pipe ends used inside one worker. Frames go through the root until the root sets up a
 * direct link between the two workers holding the ends; from then on data goes straight from one
 * to the other, and the root relays nothing.
 *
 * Order across the switch: each side, once its direct link is up, sends `switch` through the
 * root and then sends only over the link. The receiving side holds back what arrives over the
 * link until the other side's `switch` has come through the root, so nothing overtakes what was
 * relayed before it.
 *
 * @module
 */

import type { Clock } from '../Clock.js';
import { assertNever } from '../internal/assertNever.js';
import { Connection, type PipeEnd, type PipeEndInfo, type PipeLink, type PipeSide } from './Connection.js';
import type { PipeDirect, PipeToRoot, PipeToWorker } from './pipeFrames.js';

/** A direct link between two workers for one pipe (a socket, in Node). */
export interface DirectLink {
  /** Encodes and sends a frame; throws `SerializationError` synchronously. */
  send(message: PipeDirect): void;
  close(): void;
}

/** Sets up direct links; supplied by a runtime that has OS sockets. */
export interface DirectConnector {
  /** Listens at `path`; resolves once listening, with the link the first connection makes. */
  listen(path: string, handlers: DirectHandlers): Promise<{ readonly accepted: Promise<DirectLink> }>;
  /** Connects to `path`. */
  connect(path: string, handlers: DirectHandlers): Promise<DirectLink>;
}

/** What a direct link reports. */
export interface DirectHandlers {
  onMessage(message: PipeDirect): void;
  onClose(): void;
}

interface EndState {
  readonly info: PipeEndInfo;
  connection: Connection<unknown, unknown> | undefined;
  direct: DirectLink | undefined;
  /** The other side's `switch` came through the root: direct frames may be delivered. */
  peerSwitched: boolean;
  /** Frames that came over the link before the other side's `switch`. */
  held: PipeDirect[];
  closedHere: boolean;
}

function other(side: PipeSide): PipeSide {
  return side === 'a' ? 'b' : 'a';
}

function key(pipe: string, side: PipeSide): string {
  return `${pipe}:${side}`;
}

export class WorkerPipes implements PipeLink {
  readonly #toRoot: (message: PipeToRoot) => void;
  readonly #connector: DirectConnector | undefined;
  readonly #clock: Clock;
  readonly #ends = new Map<string, EndState>();

  constructor(toRoot: (message: PipeToRoot) => void, connector: DirectConnector | undefined, clock: Clock) {
    this.#toRoot = toRoot;
    this.#connector = connector;
    this.#clock = clock;
  }

  /** Rebuilds an end that arrived in a message. */
  revive(info: PipeEnd): Connection<unknown, unknown> {
    const existing = this.#ends.get(key(info.pipe, info.side))?.connection;
    return existing ?? new Connection(info, this, this.#clock);
  }

  attach(info: PipeEnd, connection: Connection<unknown, unknown>): void {
    this.#ends.set(key(info.pipe, info.side), {
      info,
      connection,
      direct: undefined,
      peerSwitched: false,
      held: [],
      closedHere: false,
    });
    this.#toRoot({
      t: 'pipe',
      op: 'attach',
      pipe: info.pipe,
      side: info.side,
      duplex: info.duplex,
      key: info.key,
    });
  }

  send(info: PipeEndInfo, value: unknown): void {
    const end = this.#ends.get(key(info.pipe, info.side));
    if (end?.direct !== undefined) {
      end.direct.send({ t: 'pipe', op: 'data', pipe: info.pipe, side: other(info.side), body: value });
    } else {
      this.#toRoot({ t: 'pipe', op: 'data', pipe: info.pipe, side: info.side, body: value });
    }
  }

  close(info: PipeEndInfo): void {
    const end = this.#ends.get(key(info.pipe, info.side));
    if (end === undefined) return;
    end.closedHere = true;
    if (end.direct !== undefined) {
      // The close follows the data over the link; the root only takes note (body: 'direct').
      end.direct.send({ t: 'pipe', op: 'close', pipe: info.pipe, side: other(info.side) });
      this.#toRoot({ t: 'pipe', op: 'close', pipe: info.pipe, side: info.side, body: 'direct' });
    } else {
      this.#toRoot({ t: 'pipe', op: 'close', pipe: info.pipe, side: info.side });
    }
  }

  release(info: PipeEndInfo, unread: unknown[]): void {
    const end = this.#ends.get(key(info.pipe, info.side));
    this.#ends.delete(key(info.pipe, info.side));
    end?.direct?.close();
    this.#toRoot({ t: 'pipe', op: 'release', pipe: info.pipe, side: info.side, body: unread });
  }

  /** A pipe frame from the root. */
  handle(message: PipeToWorker): void {
    const end = this.#ends.get(key(message.pipe, message.side));
    if (end === undefined) return;
    switch (message.op) {
      case 'data':
        end.connection?.deliver(message.body);
        return;
      case 'close':
        this.#releaseHeld(end);
        end.connection?.peerClosed();
        return;
      case 'switch':
        end.peerSwitched = true;
        this.#releaseHeld(end);
        return;
      case 'listen':
      case 'connect':
        void this.#goDirect(end, message.op, message.path);
        return;
      default:
        assertNever(message);
    }
  }

  /** Every end used here sees its pipe closed (the worker is ending). */
  closeAll(): void {
    for (const end of this.#ends.values()) end.direct?.close();
  }

  async #goDirect(end: EndState, how: 'listen' | 'connect', path: string): Promise<void> {
    if (this.#connector === undefined) return;
    const handlers: DirectHandlers = {
      onMessage: (message) => {
        if (end.peerSwitched) this.#onDirect(end, message);
        else end.held.push(message);
      },
      onClose: () => {
        // The other worker died or let go: whatever it sent is delivered, then the pipe is closed.
        end.peerSwitched = true;
        this.#releaseHeld(end);
        end.connection?.peerClosed();
      },
    };
    const { pipe, side } = end.info;
    // The end may leave this worker (inside a message) while its link is being set up: from then
    // on it is not this worker's to speak for, and the root would refuse its frames.
    const stillHere = () => this.#ends.get(key(pipe, side)) === end;
    try {
      if (how === 'listen') {
        const { accepted } = await this.#connector.listen(path, handlers);
        if (!stillHere()) return;
        this.#toRoot({ t: 'pipe', op: 'listening', pipe, side });
        end.direct = await accepted;
      } else {
        end.direct = await this.#connector.connect(path, handlers);
      }
    } catch {
      return; // no direct link: the root keeps relaying
    }
    if (!stillHere()) {
      end.direct.close();
      return;
    }
    if (end.closedHere) {
      end.direct.send({ t: 'pipe', op: 'close', pipe, side: other(side) });
      return;
    }
    this.#toRoot({ t: 'pipe', op: 'switch', pipe, side });
  }

  #onDirect(end: EndState, message: PipeDirect): void {
    switch (message.op) {
      case 'data':
        end.connection?.deliver(message.body);
        return;
      case 'close':
        end.connection?.peerClosed();
        return;
      default:
        assertNever(message);
    }
  }

  #releaseHeld(end: EndState): void {
    const held = end.held;
    end.held = [];
    for (const message of held) this.#onDirect(end, message);
  }
}
