/**
 * The reaper: a tiny sidecar process that outlives the root only to kill its workers. The root
 * writes `+pid` / `-pid` lines to its stdin as workers start and end; when stdin ends (the root
 * exited or was killed, even by SIGKILL) it SIGKILLs every worker still listed, busy-looping
 * ones included, and exits.
 */

const pids = new Set<number>();
let buffered = '';

function killAll(): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.exit(0);
}

// Only the end of stdin means the root is gone; signals to the process group are the root's to handle.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffered += chunk;
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) {
    const pid = Number(line.slice(1));
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (line.startsWith('+')) pids.add(pid);
    else if (line.startsWith('-')) pids.delete(pid);
  }
});
process.stdin.on('end', killAll);
process.stdin.on('close', killAll);
process.stdin.on('error', killAll);
