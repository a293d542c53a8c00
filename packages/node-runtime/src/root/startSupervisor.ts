/**
 * `system.supervise()`'s work: a core {@link Supervisor} over the Node runtime's supervised
 * children, entered among what shutdown stops, its events turned into system events.
 *
 * @module
 */

import { type EventStream, Supervisor, type SupervisorOptions, type SystemEvent } from '@troupe/core';
import type { ResolvedSystemOptions } from '../options.js';
import type { Root } from './Root.js';
import { childHost, SupervisedChildren } from './SupervisedChildren.js';
import { SupervisorHandle } from './SupervisorHandle.js';
import { systemEventOf } from './supervisionEvents.js';

/** What a supervisor started by the system needs of it. */
export interface SupervisorParent {
  readonly system: ResolvedSystemOptions;
  readonly root: Root;
  readonly events: EventStream<SystemEvent>;
  /** What shutdown stops, newest first. */
  readonly topLevel: Set<{ stop(): Promise<unknown> }>;
  /** Throws `SystemShutdownError` once the system has shut down. */
  readonly checkOpen: () => void;
}

/** Starts a supervisor named `name` and its children; rejects as `Supervisor.start` does. */
export async function startSupervisor(
  options: SupervisorOptions,
  name: string,
  parent: SupervisorParent,
): Promise<SupervisorHandle> {
  const { root, events, topLevel } = parent;
  const children = new SupervisedChildren(
    childHost({
      system: parent.system,
      launcher: root.launcher,
      registry: root.registry,
      machines: root.machines,
      checkOpen: parent.checkOpen,
    }),
  );
  const supervisor = new Supervisor(options, children, {
    clock: parent.system.clock,
    name,
    onEvent: (event) => {
      const systemEvent = systemEventOf(event, Date.now(), (child) => children.handle(child)?.id);
      if (systemEvent?.type === 'restarted' && systemEvent.id !== undefined)
        root.noteRestart(systemEvent.id, systemEvent.restarts);
      if (systemEvent !== undefined) events.emit(systemEvent);
    },
  });
  const entry = { stop: () => supervisor.stop() };
  topLevel.add(entry);
  void supervisor.exited.then(() => topLevel.delete(entry));
  try {
    await supervisor.start();
  } catch (error) {
    topLevel.delete(entry);
    throw error;
  }
  return new SupervisorHandle(name, supervisor, children);
}
