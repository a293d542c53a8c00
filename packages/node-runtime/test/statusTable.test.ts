import { describe, expect, it } from 'vitest';
import { renderLine, renderTable, rowKey, type StatusRow } from '../src/cli/statusTable.js';

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
  },
  {
    actor: 'jobs',
    pid: undefined,
    placement: 'supervisor',
    state: 'backingOff',
    restarts: 12,
    mailbox: undefined,
    memory: undefined,
  },
];

describe('the troupe run status table', () => {
  it('aligns a header and one row per child for a terminal', () => {
    expect(plain(renderTable('title', rows)).split('\n')).toEqual([
      'title',
      'ACTOR  PID   PLACEMENT   STATE       RESTARTS  MAILBOX  MEMORY ',
      'web    4242  process     running     0         3        50.0 MB',
      'jobs   -     supervisor  backingOff  12        -        -      ',
    ]);
  });

  it('writes a row as one log line, and keys it by what deserves a new line', () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    expect(renderLine(rows[0] as StatusRow, at)).toBe(
      '2026-01-02T03:04:05.000Z web pid=4242 placement=process state=running restarts=0 mailbox=3 memory=50.0MB',
    );
    expect(rowKey(rows[0] as StatusRow)).not.toBe(rowKey({ ...(rows[0] as StatusRow), restarts: 1 }));
    expect(rowKey(rows[0] as StatusRow)).toBe(rowKey({ ...(rows[0] as StatusRow), mailbox: 99 }));
  });
});
