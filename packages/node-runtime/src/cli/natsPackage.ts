/**
 * `@troupe/nats`, imported only when a command that needs it runs: an application without NATS
 * never loads it, and one without the package is told to install it.
 *
 * @module
 */

/** A name kept in a variable: bundlers and the compiler leave the optional package alone. */
const NATS_PACKAGE = '@troupe/nats';

/** The package, as `T` (the part of it a command uses); `command` names the command in the error. */
export async function importNats<T>(command: string): Promise<T> {
  try {
    return (await import(NATS_PACKAGE)) as T;
  } catch (error) {
    throw new Error(
      `troupe ${command} needs ${NATS_PACKAGE}: install it beside @troupe/node-runtime (${(error as Error).message})`,
    );
  }
}
