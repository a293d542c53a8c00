/**
 * A reference to an actor as seen from inside a worker: it routes through the root.
 *
 * @module
 */

import type { ActorRef, AskOptions } from './ActorRef.js';
import { Portable, type PortableData } from './Codec.js';
import type { ExitInfo } from './exit.js';
import type { ActorAddress } from './protocol.js';
import { checkWaitOptions } from './validate.js';

/** What a routed reference needs from the worker that holds it. */
export interface Router {
  route(to: ActorAddress, body: unknown): void;
  routeAsk(to: ActorAddress, body: unknown, options: AskOptions | undefined): Promise<unknown>;
  routeStop(to: ActorAddress): Promise<ExitInfo>;
}

/**
 * An {@link ActorRef} held inside a worker (`ctx.self`, or a reference received in a message or
 * spawn arguments). Its calls travel to the root, which delivers them.
 */
export class RoutedActorRef<Msg = unknown, Reply = unknown> extends Portable implements ActorRef<Msg, Reply> {
  readonly id: string;
  readonly name: string;
  readonly #router: Router;

  constructor(id: string, name: string, router: Router) {
    super();
    this.id = id;
    this.name = name;
    this.#router = router;
  }

  send(msg: Msg): void {
    this.#router.route(this, msg);
  }

  /** As the root's `ask`: options that are not valid (a negative, NaN or infinite `timeoutMs`) throw `InvalidArgumentError`. */
  ask(msg: Msg, options?: AskOptions): Promise<Reply> {
    checkWaitOptions(options, 'ask');
    return this.#router.routeAsk(this, msg, options) as Promise<Reply>;
  }

  stop(): Promise<ExitInfo> {
    return this.#router.routeStop(this);
  }

  toPortable(): PortableData {
    return { kind: 'actor', data: { id: this.id, name: this.name } };
  }
}
