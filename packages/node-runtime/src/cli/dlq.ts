/**
 * `troupe dlq ls|show|replay|purge <queue> --nats <url>`: dead letters of queues kept on NATS
 * JetStream. The work is `@troupe/nats`'s, imported only when this command runs: an application
 * without NATS never loads it, and one without the package is told to install it.
 *
 * @module
 */

import { inspect } from 'node:util';
import type { Command } from 'commander';
import { InvalidArgumentError as UsageError } from 'commander';
import { importNats } from './natsPackage.js';

/** What this command uses of `@troupe/nats` (see its `deadLetterQueue` module). */
interface DeadLetter {
  readonly seq: number;
  readonly reason: string;
  readonly deliveries: number;
  readonly time: Date;
  readonly value: unknown;
  readonly bytes: number;
}
interface Where {
  readonly servers: string;
  readonly prefix?: string;
}
interface NatsDeadLetters {
  listDeadLetters(where: Where, queue: string): Promise<DeadLetter[]>;
  showDeadLetter(where: Where, queue: string, seq: number): Promise<DeadLetter | undefined>;
  replayDeadLetters(where: Where, queue: string, seqs?: readonly number[]): Promise<number>;
  purgeDeadLetters(where: Where, queue: string): Promise<number>;
}

interface DlqOptions {
  readonly nats: string;
  readonly prefix?: string;
}

function natsDeadLetters(): Promise<NatsDeadLetters> {
  return importNats<NatsDeadLetters>('dlq');
}

function sequence(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError('must be a dead letter sequence number');
  return n;
}

function line(dead: DeadLetter): string {
  const value = inspect(dead.value, { depth: 2, breakLength: Number.POSITIVE_INFINITY });
  const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return `${String(dead.seq).padStart(6)}  ${dead.time.toISOString()}  ${String(dead.deliveries).padStart(3)}  ${dead.reason}  ${shown}`;
}

/** Adds `dlq` and its four subcommands to `program`; `fail` reports an error and exits. */
export function addDlqCommand(program: Command, fail: (what: string, error: unknown) => never): void {
  const dlq = program
    .command('dlq')
    .description('dead letters of queues on NATS JetStream (needs @troupe/nats)');
  const where = (options: DlqOptions): Where => ({
    servers: options.nats,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
  });
  const sub = (name: string, description: string) =>
    dlq
      .command(name)
      .description(description)
      .argument('<queue>', 'the queue (its name, or its id)')
      .requiredOption('--nats <url>', 'the NATS server, nats://host:4222')
      .option('--prefix <prefix>', 'the prefix the systems were started with', 'TROUPE');
  const run = (what: string, body: () => Promise<void>) =>
    body().catch((error: unknown) => fail(what, error));

  sub('ls', 'list the dead letters of a queue, oldest first').action((queue: string, options: DlqOptions) =>
    run('dlq ls', async () => {
      const dead = await (await natsDeadLetters()).listDeadLetters(where(options), queue);
      if (dead.length === 0) console.log(`No dead letters in ${queue}.`);
      else {
        console.log('   seq  time                      del  reason  value');
        for (const d of dead) console.log(line(d));
      }
    }),
  );
  sub('show', 'show one dead letter whole')
    .argument('<seq>', 'its sequence number (from ls)', sequence)
    .action((queue: string, seq: number, options: DlqOptions) =>
      run('dlq show', async () => {
        const dead = await (await natsDeadLetters()).showDeadLetter(where(options), queue, seq);
        if (dead === undefined) throw new Error(`No dead letter ${seq} in ${queue}`);
        console.log(inspect(dead, { depth: 10, colors: process.stdout.isTTY }));
      }),
    );
  sub('replay', 'put dead letters back into their queue (all, or those given)')
    .argument('[seqs...]', 'sequence numbers (from ls); default all')
    .action((queue: string, seqs: string[], options: DlqOptions) =>
      run('dlq replay', async () => {
        const only = seqs.length === 0 ? undefined : seqs.map(sequence);
        const replayed = await (await natsDeadLetters()).replayDeadLetters(where(options), queue, only);
        console.log(`Replayed ${replayed} dead letter(s) into ${queue}.`);
      }),
    );
  sub('purge', 'drop every dead letter of a queue').action((queue: string, options: DlqOptions) =>
    run('dlq purge', async () => {
      const purged = await (await natsDeadLetters()).purgeDeadLetters(where(options), queue);
      console.log(`Purged ${purged} dead letter(s) of ${queue}.`);
    }),
  );
}
