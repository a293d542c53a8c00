/**
 * A real `nats-server` for a test file (see `natsProcess.ts`): started and stopped by the tests
 * themselves, on loopback only.
 *
 * Where the binary is missing, {@link describeNats} skips its suites and says why; with
 * `TROUPE_REQUIRE_NATS` set (as `.ci/run` does) a missing binary fails instead, so the NATS
 * suites never pass by not running.
 */

import { describe } from 'vitest';
import { natsMissing } from './natsProcess.js';

export { type NatsServer, natsMissing, startNatsServer } from './natsProcess.js';

if (natsMissing !== undefined && process.env.TROUPE_REQUIRE_NATS !== undefined) {
  throw new Error(`The NATS suites must run here (TROUPE_REQUIRE_NATS is set): ${natsMissing}`);
}

/**
 * `describe` for suites that need a server: skipped, with the reason in the suite's name, when
 * there is no `nats-server` (never silently: the run lists it as skipped and says why).
 */
export const describeNats: typeof describe =
  natsMissing === undefined
    ? describe
    : (((name: string, ...rest: unknown[]) =>
        (describe.skip as (...args: unknown[]) => void)(
          `${name} [skipped: ${natsMissing}]`,
          ...rest,
        )) as never);
