/**
 * What a running system exposes: no network listener, a private Unix socket directory for direct
 * pipe links, no code built from strings, and no module imported on a message's say-so.
 */

import { execFileSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SpawnedEvent } from '@troupe/node-runtime';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Counter, Recorder, type RecorderMsg } from './fixtures/actors.js';
import { blockedEnd, holdUntilGo, PoolAsker, rawFrame } from './fixtures/exposure.js';
import { readToEnd } from './fixtures/pipes.js';
import { identity } from './fixtures/pool.js';
import { waitUntil } from './support/processes.js';
import { startSystem } from './support/system.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The pids of `pid`'s descendants, read from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    if (!Number.isInteger(child)) continue;
    try {
      const stat = readFileSync(`/proc/${child}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), child]);
    } catch {
      // gone while we looked
    }
  }
  const found: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const child of children.get(next) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The socket inodes each of `pids` holds open, from its /proc/<pid>/fd links. */
function socketOwners(pids: readonly number[]): Map<string, number> {
  const owners = new Map<string, number>();
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match !== null) owners.set(match[1]!, pid);
      } catch {
        // closed while we looked
      }
    }
  }
  return owners;
}

interface InetSocket {
  readonly table: string;
  readonly local: string;
  readonly state: string;
  readonly inode: string;
}

/** The sockets of /proc/net/{tcp,tcp6,udp,udp6}. */
function inetSockets(): InetSocket[] {
  const sockets: InetSocket[] = [];
  for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/net/${table}`, 'utf8');
    } catch {
      continue; // no IPv6 here
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      sockets.push({ table, local: fields[1]!, state: fields[3]!, inode: fields[9]! });
    }
  }
  return sockets;
}

/**
 * The sockets in `owners` that accept traffic from the network: TCP sockets listening (state
 * 0A) and any UDP socket (UDP has no listen; a bound one receives).
 */
function listeners(owners: Map<string, number>): (InetSocket & { pid: number })[] {
  return inetSockets()
    .filter((s) => owners.has(s.inode) && (s.table.startsWith('udp') || s.state === '0A'))
    .map((s) => ({ ...s, pid: owners.get(s.inode)! }));
}

/** Bound Unix sockets by inode: their path and whether they listen (`__SO_ACCEPTCON`). */
function unixSockets(): Map<string, { path: string; listening: boolean }> {
  const sockets = new Map<string, { path: string; listening: boolean }>();
  for (const line of readFileSync('/proc/net/unix', 'utf8').trim().split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const path = fields[7];
    if (path === undefined || path.startsWith('@')) continue;
    sockets.set(fields[6]!, { path, listening: (Number.parseInt(fields[3]!, 16) & 0x10000) !== 0 });
  }
  return sockets;
}

/** The bound Unix socket paths `pid` holds, listening or connected through one. */
function unixPathsOf(pid: number, which: 'listening' | 'any' = 'any'): string[] {
  const bound = unixSockets();
  return [...socketOwners([pid]).keys()].flatMap((inode) => {
    const socket = bound.get(inode);
    return socket === undefined || (which === 'listening' && !socket.listening) ? [] : [socket.path];
  });
}

/** A private temporary directory, removed when the test finishes. */
function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-exposure-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A module no definition lives in, which records every process (and thread) that imports it.
 * Returns its URL and a reader of the record.
 */
function trapModule(): { url: string; importedBy: () => string[] } {
  const dir = scratchDir();
  const marker = join(dir, 'imported-by');
  const file = join(dir, 'trap.mjs');
  writeFileSync(
    file,
    [
      "import { appendFileSync } from 'node:fs';",
      "import { threadId } from 'node:worker_threads';",
      `appendFileSync(${JSON.stringify(marker)}, \`pid \${process.pid} thread \${threadId}\\n\`);`,
    ].join('\n'),
  );
  return {
    url: pathToFileURL(file).href,
    importedBy: () => (existsSync(marker) ? readFileSync(marker, 'utf8').trim().split('\n') : []),
  };
}

describe('network exposure', () => {
  it('the listener scan finds a TCP listener when the root opens one', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const found = listeners(socketOwners([process.pid]));
    expect(found.map((s) => s.pid)).toContain(process.pid);
  });

  it('by default no TCP or UDP listener belongs to the root or its children, with actors, a thread and a direct pipe link running', async () => {
    const system = await startSystem();
    const inProcess = await system.spawn(Counter, { start: 1 });
    const inThread = await system.spawn(Counter, { start: 2 }, { placement: 'thread' });
    const [a, b] = system.pipe<string>();
    const go = system.queue<string>();
    const linked = system.events.next((e) => e.type === 'pipeLinked');
    const reader = await system.process(readToEnd, a);
    const holder = await system.process(holdUntilGo, b, go);
    await linked;
    await expect(inProcess.ask({ type: 'get' })).resolves.toBe(1);
    await expect(inThread.ask({ type: 'get' })).resolves.toBe(2);

    const pids = [process.pid, ...descendants(process.pid)];
    expect(pids).toEqual(expect.arrayContaining([inProcess.pid, reader.pid, holder.pid]));
    // The scan does see the children's sockets: the direct link is a Unix socket between them.
    const linkPaths = [...unixPathsOf(reader.pid!), ...unixPathsOf(holder.pid!)];
    expect(linkPaths.some((path) => path.endsWith('.sock'))).toBe(true);
    expect(listeners(socketOwners(pids))).toEqual([]);

    await go.put('go');
    await expect(holder.result()).resolves.toBe('closed');
    await expect(reader.result()).resolves.toMatchObject({ got: [], ended: 'PipeClosedError' });
  });

  it('the direct-link socket directory is mode 0700, its listening socket 0600, and it is gone after shutdown', async () => {
    const fifo = join(scratchDir(), 'gate');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    const system = await startSystem();
    const [a, b] = system.pipe<string>();
    const go = system.queue<string>();
    const linked = system.events.next((e) => e.type === 'pipeLinked');
    const listener = await system.process(readToEnd, a);
    // The connecting side is blocked in a read of the FIFO: the listening socket stays up.
    const connector = await system.process(blockedEnd, b, fifo, go);
    let socket: string | undefined;
    // The OS gives no event for a socket appearing in another process.
    const listening = await waitUntil(() => {
      socket = unixPathsOf(listener.pid!, 'listening')[0];
      return socket !== undefined;
    }, 10_000);
    expect(listening).toBe(true);
    const dir = dirname(socket!);
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect(mode(dir).toString(8)).toBe('700');
    expect(statSync(dir).uid).toBe(process.getuid?.());
    // The listener restricts its socket right after binding it, before it says it is listening.
    await waitUntil(() => mode(socket!) === 0o600, 5000);
    expect(readdirSync(dir)).toContain(basename(socket!));
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      expect(statSync(path).isSocket(), `${path} is a socket`).toBe(true);
      expect(mode(path).toString(8), `mode of ${path}`).toBe('600');
    }

    const gate = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    writeSync(gate, 'go');
    closeSync(gate);
    await linked;
    await go.put('go');
    await expect(connector.result()).resolves.toBe('closed');
    await expect(listener.result()).resolves.toMatchObject({ got: [], ended: 'PipeClosedError' });
    await system.shutdown();
    expect(existsSync(dir)).toBe(false);
  });
});

describe('code built from strings', () => {
  const pattern = /\beval\s*\(|\bnew\s+Function\s*\(|(?<![\w$])Function\s*\(/;

  function builtFiles(dir: string): string[] {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
      .map((entry) => join(entry.parentPath, entry.name));
  }

  it('the pattern catches eval, new Function and the Function constructor, and not functions named like them', () => {
    for (const line of [
      'eval(code)',
      'globalThis.eval (x)',
      'new Function("a", "b")',
      'Function("return this")()',
    ]) {
      expect(pattern.test(line), line).toBe(true);
    }
    for (const line of [
      'isFunction(x)',
      "typeof f === 'function'",
      'evaluate(x)',
      'retrieval(x)',
      'toFunction (x)',
    ]) {
      expect(pattern.test(line), line).toBe(false);
    }
  });

  it('the built library code calls neither eval, new Function nor the Function constructor', () => {
    const files = ['packages/core/dist', 'packages/node-runtime/dist'].flatMap((dir) =>
      builtFiles(join(repo, dir)),
    );
    expect(files.length, 'built files (run pnpm build first)').toBeGreaterThan(10);
    const hits: string[] = [];
    for (const file of files) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (pattern.test(line)) hits.push(`${relative(repo, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(hits).toEqual([]);
  });
});

describe('modules imported on a message', () => {
  // The pool's actor runs in the root. It once imported whatever module URL a request named, so
  // any actor handed `pool.ref` could run code in the root; it now only finds tasks already loaded.
  it('an actor handed pool.ref cannot make the root import a module the program never defined', async () => {
    const trap = trapModule();
    const system = await startSystem();
    const pool = await system.pool({ size: 1, placement: 'thread' });
    const asker = await system.spawn(PoolAsker, { pool: pool.ref });
    const reply = await asker.ask({ module: trap.url, name: 'anything' });
    expect(reply).toMatch(/defines no task named 'anything'/);
    expect(
      trap.importedBy(),
      `processes that imported the trap module (the root is pid ${process.pid})`,
    ).toEqual([]);
  });

  // A failed request once crashed the pool's actor, killing `pool.ref` for every holder; now the
  // request alone fails, with its own error.
  it('a pool request naming no task fails alone, and pool.ref keeps serving', async () => {
    const system = await startSystem();
    const pool = await system.pool({ size: 1, placement: 'thread' });
    const asker = await system.spawn(PoolAsker, { pool: pool.ref });
    await expect(asker.ask({ module: identity.module, name: identity.name })).resolves.toBe('applied');
    const refused = await asker.ask({ module: identity.module, name: 'noSuchTask' });
    expect(refused).toMatch(/defines no task named 'noSuchTask'/);
    await expect(asker.ask({ module: identity.module, name: identity.name })).resolves.toBe('applied');
  });

  // A pool worker imports the module URL named in the chunks it is sent, so only the pool may
  // send it any: the root refuses to route to pool workers. The test reads a worker's id off the
  // system's events and hands it to a compromised child, which tries to route a crafted chunk.
  it('a chunk routed to a pool worker cannot make it import a module the program never defined', async () => {
    const trap = trapModule();
    const system = await startSystem();
    const spawned: SpawnedEvent[] = [];
    const unsubscribe = system.events.subscribe((e) => {
      if (e.type === 'spawned') spawned.push(e);
    });
    const pool = await system.pool({ size: 1 });
    unsubscribe();
    const worker = spawned.find((e) => e.pid !== undefined && e.pid === pool.pids[0]);
    expect(worker).toBeDefined();
    // Either the chunk reaches the worker, which imports the module, finds no task in it and
    // crashes; or the root refuses to route it, as a dead letter.
    const handled = Promise.race([
      system.events.next((e) => e.type === 'exited' && e.id === worker!.id),
      system.events.next((e) => e.type === 'deadLetter' && e.to.id === worker!.id),
    ]);
    const chunk = { chunk: 0, task: { module: trap.url, name: 'anything' }, first: 0, args: [], unary: true };
    const hostile = await system.process(rawFrame, { t: 'route', to: worker!.id, body: [chunk] });
    await expect(hostile.result()).resolves.toBe('written');
    await handled;
    expect(
      trap.importedBy(),
      `processes that imported the trap module (the worker was pid ${worker!.pid})`,
    ).toEqual([]);
  });

  it('an init frame or a task address routed to an ordinary actor arrives as data and imports nothing', async () => {
    const trap = trapModule();
    const system = await startSystem();
    const recorder = await system.spawn(Recorder, undefined);
    const init = {
      t: 'init',
      kind: 'actor',
      module: trap.url,
      name: 'Trap',
      args: null,
      self: { id: recorder.id, name: recorder.name },
    };
    const bodies: RecorderMsg[] = [
      { type: 'record', value: init },
      { type: 'record', value: { task: { module: trap.url, name: 'anything' } } },
    ];
    for (const body of bodies) {
      const hostile = await system.process(rawFrame, { t: 'route', to: recorder.id, body });
      await expect(hostile.result()).resolves.toBe('written');
    }
    // The routed messages were handed to the recorder before each child's done frame was read.
    await expect(recorder.ask({ type: 'dump' })).resolves.toEqual(
      bodies.map((b) => (b as { value: unknown }).value),
    );
    expect(trap.importedBy()).toEqual([]);
  });
});
