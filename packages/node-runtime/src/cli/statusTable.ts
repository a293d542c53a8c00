/**
 * The `troupe run` status table: one row per child of the supervision tree, rendered as an
 * aligned, coloured table for a terminal or as plain log lines for anything else.
 */

import { readFile } from 'node:fs/promises';
import type { ChildStatus } from '@troupe/core';
import pc from 'picocolors';
import type { SupervisorHandle } from '../SupervisorHandle.js';

/** One child as the table shows it. */
export interface StatusRow {
  readonly actor: string;
  readonly pid: number | undefined;
  readonly placement: string;
  readonly state: ChildStatus['state'];
  readonly restarts: number;
  /** Messages waiting in its mailbox; undefined when the root cannot see them. */
  readonly mailbox: number | undefined;
  /** Resident memory in bytes, for a child process on Linux. */
  readonly memory: number | undefined;
}

/** Resident memory of a process, from `/proc` (undefined where there is none). */
async function residentBytes(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** The rows for a supervisor's children, now. */
export async function statusRows(sup: SupervisorHandle): Promise<StatusRow[]> {
  return Promise.all(
    sup.children().map(async (child) => {
      const handle = child.type === 'worker' ? sup.child(child.id) : undefined;
      return {
        actor: child.id,
        pid: child.pid,
        placement: child.type === 'supervisor' ? 'supervisor' : (handle?.placement ?? '-'),
        state: child.state,
        restarts: child.restarts,
        mailbox: handle?.mailboxDepth,
        memory: await residentBytes(child.pid),
      };
    }),
  );
}

const show = (value: number | undefined) => (value === undefined ? '-' : String(value));

function megabytes(bytes: number | undefined): string {
  return bytes === undefined ? '-' : `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

function stateColour(state: ChildStatus['state']): (text: string) => string {
  switch (state) {
    case 'running':
      return pc.green;
    case 'failed':
      return pc.red;
    case 'backingOff':
    case 'starting':
    case 'stopping':
      return pc.yellow;
    default:
      return pc.dim;
  }
}

const COLUMNS = ['ACTOR', 'PID', 'PLACEMENT', 'STATE', 'RESTARTS', 'MAILBOX', 'MEMORY'] as const;

/** The table for a terminal: a header and one aligned row per child. */
export function renderTable(title: string, rows: readonly StatusRow[]): string {
  const cells = rows.map((r) => [
    r.actor,
    show(r.pid),
    r.placement,
    r.state,
    String(r.restarts),
    show(r.mailbox),
    megabytes(r.memory),
  ]);
  const widths = COLUMNS.map((head, i) => Math.max(head.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (values: readonly string[], colour: (column: number, text: string) => string) =>
    values.map((v, i) => colour(i, v.padEnd(widths[i] ?? 0))).join('  ');
  return [
    pc.bold(title),
    line(COLUMNS, (_, text) => pc.dim(text)),
    ...cells.map((c, row) =>
      line(c, (column, text) => {
        if (column === 3) return stateColour(rows[row]?.state ?? 'stopped')(text);
        if (column === 4 && (rows[row]?.restarts ?? 0) > 0) return pc.yellow(text);
        return text;
      }),
    ),
  ].join('\n');
}

/** A row as one plain log line. */
export function renderLine(row: StatusRow, at: Date): string {
  return [
    at.toISOString(),
    row.actor,
    `pid=${show(row.pid)}`,
    `placement=${row.placement}`,
    `state=${row.state}`,
    `restarts=${row.restarts}`,
    `mailbox=${show(row.mailbox)}`,
    `memory=${megabytes(row.memory).replace(' ', '')}`,
  ].join(' ');
}

/** What makes a row worth a new log line: its process, state or restart count changed. */
export function rowKey(row: StatusRow): string {
  return `${row.pid}|${row.state}|${row.restarts}`;
}
