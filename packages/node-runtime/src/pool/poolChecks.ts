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

/** Validates `system.pool()` options; returns the pool size. */
export function checkPoolOptions(options: unknown): number {
  const o = checkObject(options, 'pool options');
  const size =
    o.size === undefined
      ? Math.min(availableParallelism(), MAX_WORKERS)
      : checkWorkerCount(checkPositiveInt(o.size, 'size'), 'size');
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
