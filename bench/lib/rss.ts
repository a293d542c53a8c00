/** The resident set of a process, in MiB, from VmRSS in /proc/<pid>/status (Linux). */

import { readFileSync } from 'node:fs';

export function rssOf(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (line === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(line[1]) / 1024;
}
