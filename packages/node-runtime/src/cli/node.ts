/**
 * `troupe node --nats <url> --name <host>`: runs this host's node agent until SIGTERM or Ctrl-C,
 * which stop its workers in order (see `@troupe/nats`'s `startNodeAgent`).
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError as UsageError } from 'commander';
import { importNats } from './natsPackage.js';

/** What this command uses of `@troupe/nats`. */
interface NatsAgents {
  startNodeAgent(options: {
    servers: string;
    name: string;
    prefix?: string;
    heartbeatMs?: number;
    shutdownMs?: number;
    secret?: string;
    connection?: Record<string, unknown>;
  }): Promise<{
    readonly name: string;
    readonly id: string;
    readonly closed: Promise<Error | undefined>;
    stop(): Promise<void>;
  }>;
}

interface NodeOptions {
  readonly nats: string;
  readonly name: string;
  readonly prefix: string;
  readonly heartbeatMs?: number;
  readonly shutdownMs?: number;
  readonly secretFile?: string;
  readonly connection?: string;
}

function milliseconds(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 50) throw new UsageError('must be a whole number of ms, at least 50');
  return n;
}

/** The cluster's secret: from a file (trailing whitespace trimmed), else `TROUPE_SECRET`. */
export function readSecret(file: string | undefined): string | undefined {
  if (file !== undefined) return readFileSync(file, 'utf8').trimEnd();
  const env = process.env.TROUPE_SECRET;
  return env === undefined || env === '' ? undefined : env;
}

/**
 * Further NATS client options (credentials, TLS) from a JSON file, such as
 * `{ "user": "troupe", "pass": "...", "tls": { "caFile": "/etc/troupe/ca.pem" } }`.
 */
export function readConnection(file: string | undefined): { connection?: Record<string, unknown> } {
  if (file === undefined) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`--connection ${file} must hold a JSON object of NATS client options`);
  return { connection: parsed as Record<string, unknown> };
}

/** Adds `node` to `program`; `fail` reports an error and exits. */
export function addNodeCommand(program: Command, fail: (what: string, error: unknown) => never): void {
  program
    .command('node')
    .description(
      "run this host's node agent: actors, supervised children and pool workers of the cluster run here",
    )
    .requiredOption('--nats <url>', 'the NATS server, nats://host:4222')
    .requiredOption('--name <host>', "this host's name in the cluster (letters, digits, _ or -)")
    .option('--prefix <prefix>', 'the prefix the cluster uses', 'TROUPE')
    .option('--heartbeat-ms <ms>', 'how often to heartbeat (default 1000)', milliseconds)
    .option(
      '--shutdown-ms <ms>',
      'how long a worker may take to stop when the agent stops (default 5000)',
      milliseconds,
    )
    .option('--secret-file <path>', "a file holding the cluster's secret (else $TROUPE_SECRET)")
    .option('--connection <file>', 'a JSON file of further NATS client options (credentials, TLS)')
    .action(async (options: NodeOptions) => {
      // An agent outlives whoever reads its output: a closed stdout must not stop it.
      process.stdout.on('error', () => {});
      try {
        const { startNodeAgent } = await importNats<NatsAgents>('node');
        const secret = readSecret(options.secretFile);
        const agent = await startNodeAgent({
          servers: options.nats,
          name: options.name,
          prefix: options.prefix,
          ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
          ...(options.shutdownMs === undefined ? {} : { shutdownMs: options.shutdownMs }),
          ...(secret === undefined ? {} : { secret }),
          ...readConnection(options.connection),
        });
        console.log(
          `troupe node ${agent.name}: up (agent ${agent.id}, pid ${process.pid}) on ${options.nats}`,
        );
        const stop = (signal: string) => {
          console.log(`troupe node ${agent.name}: ${signal}, stopping its workers`);
          void agent.stop().then(() => process.exit(0));
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
        // Its connection closed for good: its workers are gone; whatever runs it restarts it.
        void agent.closed.then((error) => {
          if (error !== undefined) fail('node', new Error(`NATS connection closed: ${error.message}`));
        });
      } catch (error) {
        fail('node', error);
      }
    });
}
