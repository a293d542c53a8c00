/**
 * The pipe sub-protocol: the frames that carry a pipe's traffic and set up its direct link, one
 * interface per operation. Worker → root: {@link PipeToRoot}; root → worker:
 * {@link PipeToWorker}; worker → worker over a direct link: {@link PipeDirect}. `side` is the
 * sending end's side on the way to the root, the receiving end's side on the way to a worker and
 * on a direct link.
 *
 * @module
 */

import type { PipeSide } from './Connection.js';

interface PipeFrameBase {
  readonly t: 'pipe';
  readonly pipe: string;
  readonly side: PipeSide;
}

/** Worker → root: this end is used here now. `key` proves the worker was handed it (see `PipeEnd`). */
export interface PipeAttachFrame extends PipeFrameBase {
  readonly op: 'attach';
  /** The pipe is two-way (so the root can learn it). */
  readonly duplex: boolean;
  readonly key: string;
}

/** Any way: a value sent by the other end. */
export interface PipeDataFrame extends PipeFrameBase {
  readonly op: 'data';
  readonly body: unknown;
}

/**
 * Any way: the sending end closed. To the root, `body: 'direct'` says the close travelled with
 * the data over the direct link and the root only takes note.
 */
export interface PipeCloseFrame extends PipeFrameBase {
  readonly op: 'close';
  readonly body?: 'direct';
}

/** Worker → root: the end left inside a message; `body` is what it had received and not read. */
export interface PipeReleaseFrame extends PipeFrameBase {
  readonly op: 'release';
  readonly body: readonly unknown[];
}

/**
 * Worker → root: from now on this end sends over the direct link. Root → worker: the other
 * end's relayed frames end here.
 */
export interface PipeSwitchFrame extends PipeFrameBase {
  readonly op: 'switch';
}

/** Worker → root: the direct link's listener is up. */
export interface PipeListeningFrame extends PipeFrameBase {
  readonly op: 'listening';
}

/** Root → worker: set up the direct link, listening at (or connecting to) `path`. */
export interface PipeLinkFrame extends PipeFrameBase {
  readonly op: 'listen' | 'connect';
  readonly path: string;
}

/** Every pipe frame a worker sends to the root. */
export type PipeToRoot =
  | PipeAttachFrame
  | PipeDataFrame
  | PipeCloseFrame
  | PipeReleaseFrame
  | PipeSwitchFrame
  | PipeListeningFrame;

/** Every pipe frame the root sends to a worker. */
export type PipeToWorker = PipeDataFrame | PipeCloseFrame | PipeSwitchFrame | PipeLinkFrame;

/** What travels over a direct link between two workers. */
export type PipeDirect = PipeDataFrame | PipeCloseFrame;

/** A pipe frame, any way. */
export type PipeMessage = PipeToRoot | PipeToWorker;
