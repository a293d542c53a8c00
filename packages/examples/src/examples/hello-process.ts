/**
 * hello-process — the seed's first example: a child process prints a greeting, the main process
 * waits for it (join) and then prints its own.
 *
 * Python:
 *   p = Process(target=print_hello); p.start(); p.join(); print("Hello from the main process!")
 */

import { ActorSystem, defineTask, isMainModule } from '@troupe/node-runtime';

// A task is found by module URL and name, so it is defined at the top level of its module.
export const printHello = defineTask(import.meta.url, 'printHello', () => {
  console.log('Hello from the child process!');
});

export async function run(): Promise<void> {
  await using system = await ActorSystem.start();
  const child = await system.process(printHello); // starts a new OS process
  await child.join(); // waits for it to finish, like p.join()
  console.log('Hello from the main process!');
}

// The main-module guard, Python's `if __name__ == '__main__'`: run() only when this file is the
// program (node --import tsx hello-process.ts), not when the gallery or a worker imports it to
// find printHello.
if (isMainModule(import.meta.url)) await run();
