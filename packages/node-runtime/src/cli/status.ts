/**
 * `troupe status --nats <url>`: one view of a cluster (see `@troupe/nats`'s `clusterStatus`):
 * hosts up or down with their last heartbeat, the systems' actors on them (state, restarts,
 * mailbox depth), and queues kept in JetStream (depth, pending acks, redeliveries, dead letters).
 *
 * @module
 */

import type { Command } from 'commander';
import { importNats } from './natsPackage.js';
import { readConnection, readSecret } from './node.js';

/** What this command uses of `@troupe/nats`. */
interface Status {
  readonly hosts: readonly {
    readonly name: string;
    readonly state: string;
    readonly lastHeartbeat: Date;
    readonly agentPid: number;
    readonly cpus: number;
    readonly workers: readonly unknown[];
    readonly dropped: number;
  }[];
  readonly systems: readonly {
    readonly root: string;
    readonly pid: number;
    readonly hostname: string;
    readonly stale: boolean;
    readonly actors: readonly {
      readonly id: string;
      readonly name: string;
      readonly host: string;
      readonly pid: number | null;
      readonly state: string;
      readonly restarts: number;
      readonly mailboxDepth: number | null;
    }[];
  }[];
  readonly queues: readonly {
    readonly name: string;
    readonly depth: number;
    readonly pendingAcks: number;
    readonly redelivered: number;
    readonly deadLetters: number;
  }[];
}
interface NatsStatus {
  clusterStatus(where: {
    servers: string;
    prefix?: string;
    secret?: string;
    connection?: Record<string, unknown>;
  }): Promise<Status>;
}

interface StatusOptions {
  readonly nats: string;
  readonly prefix: string;
  readonly secretFile?: string;
  readonly connection?: string;
  readonly json?: boolean;
}

/** Rows as columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function render(status: Status, now: Date): string {
  const ago = (time: Date) => `${((now.getTime() - time.getTime()) / 1000).toFixed(1)} s ago`;
  const hosts = table(
    ['HOST', 'STATE', 'LAST HEARTBEAT', 'AGENT PID', 'CPUS', 'WORKERS', 'DROPPED'],
    status.hosts.map((h) => [
      h.name,
      h.state,
      ago(h.lastHeartbeat),
      String(h.agentPid),
      String(h.cpus),
      String(h.workers.length),
      String(h.dropped),
    ]),
  );
  const actors = table(
    ['ACTOR', 'ID', 'HOST', 'PID', 'STATE', 'RESTARTS', 'MAILBOX', 'SYSTEM'],
    status.systems.flatMap((s) =>
      s.actors.map((a) => [
        a.name,
        a.id,
        a.host,
        a.pid === null ? '-' : String(a.pid),
        a.state,
        String(a.restarts),
        a.mailboxDepth === null ? '-' : String(a.mailboxDepth),
        `${s.root} (pid ${s.pid} on ${s.hostname}${s.stale ? ', not heard from' : ''})`,
      ]),
    ),
  );
  const queues = table(
    ['QUEUE', 'DEPTH', 'PENDING ACKS', 'REDELIVERED', 'DEAD LETTERS'],
    status.queues.map((q) => [
      q.name,
      String(q.depth),
      String(q.pendingAcks),
      String(q.redelivered),
      String(q.deadLetters),
    ]),
  );
  return `${hosts}\n\n${actors}\n\n${queues}`;
}

/** Adds `status` to `program`; `fail` reports an error and exits. */
export function addStatusCommand(program: Command, fail: (what: string, error: unknown) => never): void {
  program
    .command('status')
    .description("one view of a cluster on NATS: hosts, the systems' actors on them, and queues")
    .requiredOption('--nats <url>', 'the NATS server, nats://host:4222')
    .option('--prefix <prefix>', 'the prefix the cluster uses', 'TROUPE')
    .option('--secret-file <path>', "a file holding the cluster's secret (else $TROUPE_SECRET)")
    .option('--connection <file>', 'a JSON file of further NATS client options (credentials, TLS)')
    .option('--json', 'print the status as JSON')
    .action(async (options: StatusOptions) => {
      try {
        const { clusterStatus } = await importNats<NatsStatus>('status');
        const secret = readSecret(options.secretFile);
        const status = await clusterStatus({
          servers: options.nats,
          prefix: options.prefix,
          ...(secret === undefined ? {} : { secret }),
          ...readConnection(options.connection),
        });
        console.log(options.json === true ? JSON.stringify(status, null, 2) : render(status, new Date()));
      } catch (error) {
        fail('status', error);
      }
    });
}
