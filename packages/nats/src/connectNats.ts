/**
 * How every part of `@troupe/nats` checks where NATS is and connects to it: the backend, the
 * cluster, the node agent and the one-shot functions (`troupe dlq`, `troupe status`).
 *
 * @module
 */

import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { BackendError, InvalidArgumentError } from '@troupe/core';
import { checkPrefix } from './names.js';

/** Where NATS is, as every options object of this package says it. */
export interface NatsWhere {
  readonly servers: string | readonly string[];
  readonly prefix?: string;
  readonly connectTimeoutMs?: number;
  readonly connection?: Omit<NodeConnectionOptions, 'servers'>;
}

export const DEFAULT_PREFIX = 'TROUPE';
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** The servers as a list. */
export function serverList(where: NatsWhere): string[] {
  return typeof where.servers === 'string' ? [where.servers] : [...where.servers];
}

/**
 * Checks `servers`, `prefix` and `connectTimeoutMs` of `options` (given to `fn`), throwing
 * `InvalidArgumentError` naming the one at fault.
 */
export function checkWhere(options: unknown, fn: string): asserts options is NatsWhere {
  const o = options as Partial<NatsWhere> | null;
  if (typeof o !== 'object' || o === null)
    throw new InvalidArgumentError(`${fn} options must be an object, got ${String(o)}`);
  const servers = typeof o.servers === 'string' ? [o.servers] : o.servers;
  if (
    !Array.isArray(servers) ||
    servers.length === 0 ||
    !servers.every((s) => typeof s === 'string' && s.length > 0)
  )
    throw new InvalidArgumentError(
      `servers must be a server URL or a non-empty list of them, got ${JSON.stringify(o.servers)}`,
    );
  if (o.prefix !== undefined && !(typeof o.prefix === 'string' && checkPrefix(o.prefix)))
    throw new InvalidArgumentError(
      `prefix must be letters, digits, _ or - (1 to 32), got ${JSON.stringify(o.prefix)}`,
    );
  checkMs(o, 'connectTimeoutMs');
}

/** Checks an optional whole number of milliseconds ≥ 100 under `key`. */
export function checkMs(o: object, key: string): void {
  const value = (o as Record<string, unknown>)[key];
  if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) >= 100))
    throw new InvalidArgumentError(
      `${key} must be an integer number of milliseconds ≥ 100, got ${String(value)}`,
    );
}

/**
 * Connects, or rejects with `BackendError` naming the servers. With `forever` (a cluster's roots
 * and agents) the client keeps reconnecting however long the server is away, unless
 * `connection.maxReconnectAttempts` says otherwise.
 */
export async function connectNats(where: NatsWhere, name?: string, forever = false): Promise<NatsConnection> {
  const servers = serverList(where);
  try {
    return await connect({
      ...(forever ? { maxReconnectAttempts: -1 } : {}),
      ...where.connection,
      ...(name === undefined || where.connection?.name !== undefined ? {} : { name }),
      servers,
      timeout: where.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    });
  } catch (error) {
    throw new BackendError(
      `Could not connect to NATS at ${servers.join(', ')}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
