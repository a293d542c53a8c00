/**
 * The checks of `system.pool()` and of the pool's calls: options, tasks, items and argument lists,
 * each refused with `InvalidArgumentError` (or `DefinitionError`) naming what is wrong.
 */

import { availableParallelism } from 'node:os';
import { MAX_WORKERS } from '@troupe/core';
import {
  checkAbortSignal,
  checkCount,
  checkFunction,
  checkObject,
  checkPositiveInt,
  checkPositiveTimeout,
  checkSendable,
  fail,
} from '@troupe/core/spi';
import { checkWorkerCount } from '../options.js';
import { checkDefinition } from '../root/checkDefinition.js';
import { allowedHosts, type HostInfo } from '../shared/cluster.js';
import { checkHostChoice } from '../spawnOptions.js';

/**
 * Validates `system.pool()` options; returns the pool size. `hosts` is the system's table of hosts,
 * undefined without a cluster.
 */
export function checkPoolOptions(options: unknown, hosts?: readonly HostInfo[]): number {
  const o = checkObject(options, 'pool options');
  const size = o.hosts === undefined ? localSize(o) : clusterSize(o, hosts);
  if (o.placement !== undefined && o.placement !== 'process' && o.placement !== 'thread') {
    fail('placement', "'process' or 'thread'", o.placement);
  }
  if (o.maxTasksPerWorker !== undefined) checkPositiveInt(o.maxTasksPerWorker, 'maxTasksPerWorker');
  if (o.maxStartFailures !== undefined) checkPositiveInt(o.maxStartFailures, 'maxStartFailures');
  if (o.taskTimeoutMs !== undefined) checkPositiveTimeout(o.taskTimeoutMs, 'taskTimeoutMs');
  if (o.maxRetries !== undefined) checkCount(o.maxRetries, 'maxRetries');
  if (o.initializer !== undefined) {
    const init = o.initializer as { task?: { kind?: unknown }; args?: unknown };
    if (typeof init !== 'object' || init === null || init.task?.kind !== 'task') {
      fail('initializer', 'an object { task, args? } with a task made by defineTask', o.initializer);
    }
    if (init.args !== undefined) {
      if (!Array.isArray(init.args)) fail('initializer.args', 'an array of arguments', init.args);
      // Every worker is sent them: one that cannot be sent fails here, before any worker starts.
      checkSendable(init.args, 'initializer.args');
    }
  }
  return size;
}

function localSize(o: Record<string, unknown>): number {
  if (o.sizePerHost !== undefined) fail('sizePerHost', 'given only with hosts', o.sizePerHost);
  return o.size === undefined
    ? Math.min(availableParallelism(), MAX_WORKERS)
    : checkWorkerCount(checkPositiveInt(o.size, 'size'), 'size');
}

/**
 * A pool across hosts: `size` workers in all, else `sizePerHost` on each host it names (for
 * `'*'`, each host up now), else as many as each of those hosts has CPUs.
 */
function clusterSize(o: Record<string, unknown>, hosts: readonly HostInfo[] | undefined): number {
  const choice = checkHostChoice(o.hosts, 'hosts');
  if (hosts === undefined)
    fail('hosts', 'given only to a system started with a cluster (natsCluster from @troupe/nats)', o.hosts);
  if (o.size !== undefined && o.sizePerHost !== undefined)
    fail('sizePerHost', 'given without size (they are two ways to say one thing)', o.sizePerHost);
  if (o.size !== undefined) return checkWorkerCount(checkPositiveInt(o.size, 'size'), 'size');
  const perHost = o.sizePerHost === undefined ? undefined : checkPositiveInt(o.sizePerHost, 'sizePerHost');
  const names = allowedHosts(choice);
  const chosen = hosts.filter((h) => h.up && (names === undefined || names.includes(h.name)));
  const count =
    perHost !== undefined && names !== undefined
      ? perHost * names.length
      : chosen.reduce((sum, h) => sum + (perHost ?? h.cpus), 0);
  if (count === 0) fail('hosts', 'hosts of which at least one is up', o.hosts);
  return checkWorkerCount(count, 'size');
}

/** Checks that a pool call was given a task made by `defineTask` (and registered here). */
export function checkTask(task: unknown, call: string): void {
  checkDefinition(task, 'task', call);
}

/** Validates the options of a pool call (`map`, `imap`, ...). */
export function checkMapOptions(options: unknown): void {
  const o = checkObject(options, 'map options');
  if (o.chunkSize !== undefined) checkPositiveInt(o.chunkSize, 'chunkSize');
  if (o.timeoutMs !== undefined) checkPositiveTimeout(o.timeoutMs, 'timeoutMs');
  if (o.signal !== undefined) checkAbortSignal(o.signal, 'signal');
  if (o.onProgress !== undefined) checkFunction(o.onProgress, 'onProgress');
}

/** Checks the items of a pool call: an iterable (or, with `async`, an async iterable too). */
export function checkItems(items: unknown, async: boolean): void {
  const iterable =
    items != null &&
    (typeof (items as Iterable<unknown>)[Symbol.iterator] === 'function' ||
      (async && typeof (items as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'));
  if (!iterable) {
    fail('items', async ? 'an iterable or an async iterable' : 'an iterable (an array, a Set, ...)', items);
  }
}

/** Checks `starmap`'s items: each one the task's argument list. */
export function checkArgumentLists(items: readonly unknown[]): void {
  for (const [i, item] of items.entries()) {
    if (!Array.isArray(item)) fail(`items[${i}]`, 'an argument list (an array)', item);
  }
}
