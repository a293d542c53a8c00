#!/usr/bin/env node
/**
 * `troupe`: the command line.
 *
 *   troupe run <module> [--export name] [--interval ms] [--plain]
 *   troupe node --nats <url> --name <host> [--prefix P] [--heartbeat-ms ms] [--secret-file path]
 *   troupe status --nats <url> [--prefix P] [--secret-file path] [--json]
 *   troupe dlq ls|show|replay|purge <queue> --nats <url> [--prefix P]
 *   troupe --version
 *
 * starts the supervision tree `module` exports and shows a live status table (redrawn in place on
 * a terminal, plain log lines otherwise) until Ctrl-C, which stops the tree in order, or until
 * the supervisor gives up, which it explains: which child, its restarts, its last exit.
 */

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { inspect } from 'node:util';
import { describeExit, EscalationError } from '@troupe/core';
import { Command, InvalidArgumentError as UsageError } from 'commander';
import logUpdate from 'log-update';
import pc from 'picocolors';
import { ActorSystem } from '../ActorSystem.js';
import type { SupervisorHandle } from '../root/SupervisorHandle.js';
import { addDlqCommand } from './dlq.js';
import { loadTree } from './loadTree.js';
import { addNodeCommand } from './node.js';
import { addStatusCommand } from './status.js';
import { renderLine, renderTable, rowKey, StatusHistory, statusRows } from './statusTable.js';

/** This package's version: dist/cli/ and dist/bundle/ are both two levels below its manifest. */
function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(manifest.version);
}

interface RunOptions {
  readonly export?: string;
  readonly interval: number;
  readonly plain?: boolean;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError('must be a positive whole number of ms');
  return n;
}

/** Redraws the table in place, or prints a line per child whose process, state or restarts changed. */
function reporter(sup: SupervisorHandle, title: string, plain: boolean) {
  const printed = new Map<string, string>();
  const history = new StatusHistory();
  return async (final?: string): Promise<void> => {
    const rows = await statusRows(sup, history);
    if (!plain) {
      logUpdate(`${renderTable(title, rows)}\n${final ?? pc.dim('Ctrl-C to stop')}`);
      if (final) logUpdate.done();
      return;
    }
    const now = new Date();
    for (const row of rows) {
      const key = rowKey(row);
      if (printed.get(row.actor) === key && final === undefined) continue;
      printed.set(row.actor, key);
      console.log(renderLine(row, now));
    }
  };
}

async function run(path: string, options: RunOptions): Promise<void> {
  const { options: tree, execArgv } = await loadTree(path, process.cwd(), options.export);
  const system = await ActorSystem.start({ execArgv });
  // A terminal that reports no width (some pseudo-terminals) cannot be redrawn in place either.
  const plain = options.plain === true || !process.stdout.isTTY || !process.stdout.columns;
  let sup: SupervisorHandle;
  try {
    sup = await system.supervise({ ...tree, name: tree.name ?? basename(path) });
  } catch (error) {
    await system.shutdown();
    throw error;
  }
  const title = `troupe run ${path} — supervisor '${sup.name}' (${tree.strategy})`;
  if (plain) console.log(`${new Date().toISOString()} started ${title}`);
  const report = reporter(sup, title, plain);
  await report();
  const timer = setInterval(() => void report(), options.interval);

  let stopping = false;
  const stop = async (why: string, code: number, detail?: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    if (plain) console.log(`${new Date().toISOString()} ${why}: stopping the tree`);
    await sup.stop();
    const stopped = `stopped: ${why}`;
    await report(plain ? '' : code === 0 ? pc.dim(stopped) : pc.red(stopped));
    await system.shutdown();
    if (plain) console.log(`${new Date().toISOString()} ${stopped}`);
    if (detail !== undefined) console.error(detail);
    process.exit(code);
  };
  process.on('SIGINT', () => {
    if (stopping) process.exit(130); // a second Ctrl-C: leave now (the reaper ends the workers)
    void stop('SIGINT', 0);
  });
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  void sup.exited.then((exit) => {
    if (exit.reason !== 'escalated') return;
    const { why, detail } = gaveUp(sup, exit.error);
    void stop(why, 1, detail);
  });
}

/** Why a tree stopped: which child, how many restarts in what window, how it last ended. */
function gaveUp(sup: SupervisorHandle, error: Error | undefined): { why: string; detail?: string } {
  if (!(error instanceof EscalationError))
    return { why: `the supervisor gave up (${error?.message ?? 'escalated'})` };
  const restarts = sup.children().find((c) => c.id === error.child)?.restarts;
  const child =
    error.child === undefined
      ? ''
      : ` after child '${error.child}'${restarts === undefined ? '' : ` (restarted ${restarts} times)`} ended` +
        `${error.lastExit === undefined ? '' : ` with ${describeExit(error.lastExit)}`};`;
  return {
    why:
      `supervisor '${error.supervisor}' gave up${child} more than ${error.maxRestarts} restart(s) ` +
      `within ${error.withinMs} ms`,
    ...(error.lastExit?.error === undefined
      ? {}
      : { detail: `last exit of '${error.child}': ${inspect(error.lastExit.error)}` }),
  };
}

const program = new Command()
  .name('troupe')
  .description(
    'Run and watch Troupe supervision trees; run a node agent, see a cluster and work with dead letters on NATS.',
  )
  .version(version(), '-V, --version', 'print the version of @troupe/node-runtime')
  .showHelpAfterError();

program
  .command('run')
  .description('start the supervision tree a module exports, and show its status until Ctrl-C')
  .argument('<module>', 'a module exporting `supervisor` (or a default export): { strategy, children }')
  .option('-e, --export <name>', 'the export holding the tree (default: supervisor, then default)')
  .option('-i, --interval <ms>', 'how often the status refreshes', positiveInteger, 1000)
  .option('--plain', 'log lines instead of a table, even on a terminal')
  .action(async (path: string, options: RunOptions) => {
    try {
      await run(path, options);
    } catch (error) {
      console.error(pc.red(`troupe run: ${error instanceof Error ? error.message : String(error)}`));
      process.exit(2);
    }
  });

const fail = (what: string, error: unknown): never => {
  console.error(pc.red(`troupe ${what}: ${error instanceof Error ? error.message : String(error)}`));
  process.exit(2);
};
addDlqCommand(program, fail);
addNodeCommand(program, fail);
addStatusCommand(program, fail);

await program.parseAsync();
