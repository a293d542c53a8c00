import { describe, expect, it } from 'vitest';
import {
  duration,
  renderLine,
  renderTable,
  rowKey,
  StatusHistory,
  type StatusRow,
} from '../src/cli/statusTable.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping ANSI colour codes
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

const rows: StatusRow[] = [
  {
    actor: 'web',
    pid: 4242,
    placement: 'process',
    state: 'running',
    restarts: 0,
    mailbox: 3,
    memory: 50 * 2 ** 20,
    uptimeMs: 425_000,
    cpu: 12.4,
  },
  {
    actor: 'jobs',
    pid: undefined,
    placement: 'supervisor',
    state: 'backingOff',
    restarts: 12,
    mailbox: undefined,
    memory: undefined,
    uptimeMs: undefined,
    cpu: undefined,
  },
];

describe('the troupe run status table', () => {
  it('aligns a header and one row per child for a terminal', () => {
    expect(plain(renderTable('title', rows)).split('\n')).toEqual([
      'title',
      'ACTOR  PID   PLACEMENT   STATE       RESTARTS  UPTIME  CPU  MAILBOX  MEMORY ',
      'web    4242  process     running     0         7m05s   12%  3        50.0 MB',
      'jobs   -     supervisor  backingOff  12        -       -    -        -      ',
    ]);
  });

  it('writes a row as one log line, and keys it by what deserves a new line', () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    expect(renderLine(rows[0] as StatusRow, at)).toBe(
      '2026-01-02T03:04:05.000Z web pid=4242 placement=process state=running restarts=0 uptime=7m05s cpu=12% mailbox=3 memory=50.0MB',
    );
    expect(rowKey(rows[0] as StatusRow)).not.toBe(rowKey({ ...(rows[0] as StatusRow), restarts: 1 }));
    expect(rowKey(rows[0] as StatusRow)).toBe(rowKey({ ...(rows[0] as StatusRow), mailbox: 99 }));
  });
});

describe('what the table remembers between looks', () => {
  it('counts uptime from when an incarnation was first seen running, and starts again at a restart', () => {
    const history = new StatusHistory();
    const child = {
      id: 'web',
      type: 'worker',
      state: 'running',
      pid: 1,
      restarts: 0,
      incarnation: 1,
    } as const;
    expect(history.startedAt(child, 1000)).toBe(1000);
    expect(history.startedAt(child, 5000)).toBe(1000);
    expect(history.startedAt({ ...child, state: 'backingOff' }, 6000)).toBeUndefined();
    expect(history.startedAt({ ...child, incarnation: 2 }, 7000)).toBe(7000);
    expect(history.startedAt({ ...child, incarnation: 2 }, 9000)).toBe(7000);
  });

  it('gives CPU use as the share of one core used since the last look', () => {
    const history = new StatusHistory();
    expect(history.cpuPercent(7, 500, 10_000)).toBeUndefined();
    // 50 ticks of 10 ms in 1000 ms: half a core.
    expect(history.cpuPercent(7, 550, 11_000)).toBeCloseTo(50);
    expect(history.cpuPercent(7, 550, 11_000)).toBeUndefined();
  });

  it('shows durations the way a reader takes them in', () => {
    expect([undefined, 0, 42_999, 425_000, 10_920_000, 187_200_000].map(duration)).toEqual([
      '-',
      '0s',
      '42s',
      '7m05s',
      '3h02m',
      '2d04h',
    ]);
  });
});
