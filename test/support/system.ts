/** Starting actor systems in tests: TypeScript fixtures load in workers through tsx. */

import { ActorSystem, type ActorSystemOptions } from '@troupe/node-runtime';
import { onTestFinished } from 'vitest';

/** The loader flags that let workers import the TypeScript fixtures. */
export const tsxExecArgv = ['--import', 'tsx'];

/** Starts a system that is shut down when the current test finishes. */
export async function startSystem(options: ActorSystemOptions = {}): Promise<ActorSystem> {
  const system = await ActorSystem.start({ execArgv: tsxExecArgv, shutdownMs: 2000, ...options });
  onTestFinished(() => system.shutdown());
  return system;
}
