/**
 * The `troupe run` status table: one row per child of the supervision tree, rendered as an
 * aligned, coloured table for a terminal or as plain log lines for anything else.
 */

import { readFile } from 'node:fs/promises';
import type { ChildStatus } from '@troupe/core';
import pc from 'picocolors';
import type { SupervisorHandle } from '../root/SupervisorHandle.js';

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
  /** How long its current incarnation has run, in ms, as far as the CLI has seen. */
  readonly uptimeMs: number | undefined;
  /** Its process's CPU use since the last look, in percent of one core (Linux). */
  readonly cpu: number | undefined;
}

/** What the table remembers between looks: when each incarnation was first seen, CPU times. */
export class StatusHistory {
  readonly #since = new Map<string, { incarnation: number; at: number }>();
  readonly #cpu = new Map<number, { ticks: number; at: number }>();

  /** When `child`'s current incarnation was first seen running. */
  startedAt(child: ChildStatus, now: number): number | undefined {
    if (child.state !== 'running') {
      this.#since.delete(child.id);
      return undefined;
    }
    const seen = this.#since.get(child.id);
    if (seen !== undefined && seen.incarnation === child.incarnation) return seen.at;
    this.#since.set(child.id, { incarnation: child.incarnation, at: now });
    return now;
  }

  /** CPU percent of `pid` since the last call for it (undefined the first time). */
  cpuPercent(pid: number, ticks: number, now: number): number | undefined {
    const last = this.#cpu.get(pid);
    this.#cpu.set(pid, { ticks, at: now });
    if (last === undefined || now <= last.at) return undefined;
    return ((ticks - last.ticks) * (1000 / CLOCK_TICKS_PER_S) * 100) / (now - last.at);
  }
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's CPU times: 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_S = 100;

/** User plus system CPU time of a process, in clock ticks, from `/proc` (undefined where there is none). */
async function cpuTicks(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces), from field 3: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
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
export async function statusRows(
  sup: SupervisorHandle,
  history = new StatusHistory(),
  now = Date.now(),
): Promise<StatusRow[]> {
  return Promise.all(
    sup.children().map(async (child) => {
      const handle = child.type === 'worker' ? sup.child(child.id) : undefined;
      const started = history.startedAt(child, now);
      const ticks = await cpuTicks(child.pid);
      return {
        actor: child.id,
        pid: child.pid,
        placement: child.type === 'supervisor' ? 'supervisor' : (handle?.placement ?? '-'),
        state: child.state,
        restarts: child.restarts,
        mailbox: handle?.mailboxDepth,
        memory: await residentBytes(child.pid),
        uptimeMs: started === undefined ? undefined : now - started,
        cpu:
          ticks === undefined || child.pid === undefined
            ? undefined
            : history.cpuPercent(child.pid, ticks, now),
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

/** A duration as the table shows it: `42s`, `7m05s`, `3h02m`, `2d04h`. */
export function duration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  const s = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d${pad(Math.floor(s / 3600) % 24)}h`;
}

function percent(value: number | undefined): string {
  return value === undefined ? '-' : `${value.toFixed(0)}%`;
}

const COLUMNS = [
  'ACTOR',
  'PID',
  'PLACEMENT',
  'STATE',
  'RESTARTS',
  'UPTIME',
  'CPU',
  'MAILBOX',
  'MEMORY',
] as const;

/** The table for a terminal: a header and one aligned row per child. */
export function renderTable(title: string, rows: readonly StatusRow[]): string {
  const cells = rows.map((r) => [
    r.actor,
    show(r.pid),
    r.placement,
    r.state,
    String(r.restarts),
    duration(r.uptimeMs),
    percent(r.cpu),
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
    `uptime=${duration(row.uptimeMs)}`,
    `cpu=${percent(row.cpu)}`,
    `mailbox=${show(row.mailbox)}`,
    `memory=${megabytes(row.memory).replace(' ', '')}`,
  ].join(' ');
}

/** What makes a row worth a new log line: its process, state or restart count changed. */
export function rowKey(row: StatusRow): string {
  return `${row.pid}|${row.state}|${row.restarts}`;
}
