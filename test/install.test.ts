/**
 * Installing Troupe as a user does: both packages packed with pnpm (as releases are, see
 * docs/releasing.md), the tarballs installed with npm into a project outside the workspace, and a
 * TypeScript app run there under tsx and compiled with tsc. Checks what the tarballs hold, that the
 * app prints what it should, and that a stack through the installed bundles names the TypeScript
 * source whose text the source map carries.
 *
 * Needs the registry (or npm's cache) for the packages' dependencies, typescript, tsx and
 * @types/node, at the versions of the root package.json.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const workspace = fileURLToPath(new URL('..', import.meta.url));
const rootManifest = JSON.parse(readFileSync(join(workspace, 'package.json'), 'utf8'));
const packages = ['core', 'node-runtime'] as const;
const manifestOf = (pkg: string) =>
  JSON.parse(readFileSync(join(workspace, 'packages', pkg, 'package.json'), 'utf8'));
const version: string = manifestOf('core').version;
const tarballName = (pkg: string) => `troupe-${pkg}-${version}.tgz`;

/** The environment of every command: no npm or pnpm settings from the run, no workspace bins. */
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env)
    .filter(([key]) => !/^(npm|pnpm)_/i.test(key))
    .map(([key, value]) =>
      key === 'PATH'
        ? [
            key,
            (value ?? '')
              .split(delimiter)
              .filter((p) => !resolve(p).startsWith(workspace))
              .join(delimiter),
          ]
        : [key, value],
    ),
);

/** Commands still running: each leads a process group of its own, killed whole if it overstays. */
const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-(child.pid ?? 0), 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Runs a command to completion; rejects with its output if it fails or takes over `timeoutMs`. */
function run(cwd: string, command: string, args: string[], timeoutMs = 120_000) {
  return new Promise<{ stdout: string; stderr: string }>((done, failed) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => killGroup(child), timeoutMs);
    child.on('error', failed);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (code === 0) done({ stdout, stderr });
      else
        failed(new Error(`${command} ${args.join(' ')}: ${signal ?? `exit ${code}`}\n${stderr}\n${stdout}`));
    });
  });
}

/** The app's lines, in order (main.ts prints one per feature). */
const appLines = ['ask 1', 'map [1,4,9,16]', 'supervisor counter 5', 'queue a,b,c'];

describe('the packed packages, installed with npm', () => {
  let dir: string;
  let app: string;
  let compiling: Promise<unknown> | undefined;
  /** Compiles the app with the installed typescript, once. */
  const compile = () => (compiling ??= run(app, 'npx', ['tsc', '-p', '.']));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'troupe-install-'));
    const tarballs = join(dir, 'tarballs');
    app = join(dir, 'app');
    mkdirSync(app);
    await run(workspace, 'npx', [
      '--yes',
      'pnpm@10',
      ...packages.flatMap((pkg) => ['--filter', `@troupe/${pkg}`]),
      'pack',
      '--pack-destination',
      tarballs,
    ]);
    const dev = rootManifest.devDependencies;
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'troupe-install-check',
        private: true,
        type: 'module',
        dependencies: Object.fromEntries(
          packages.map((pkg) => [`@troupe/${pkg}`, `file:${join(tarballs, tarballName(pkg))}`]),
        ),
        devDependencies: {
          typescript: dev.typescript,
          tsx: dev.tsx,
          '@types/node': dev['@types/node'],
        },
      }),
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023', 'ESNext.Disposable'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          // The declarations the packages ship are checked as a user's compiler sees them.
          skipLibCheck: false,
          types: ['node'],
          outDir: 'dist',
          sourceMap: true,
        },
        include: ['*.ts'],
      }),
    );
    cpSync(fileURLToPath(new URL('fixtures/installed', import.meta.url)), app, { recursive: true });
    await run(app, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']);
    // Compiling takes longest: under way while the tsx run goes.
    compile().catch(() => {}); // awaited (and reported) by the tests that need it
  }, 240_000);

  afterAll(() => {
    for (const child of running) killGroup(child);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it.each(packages)('@troupe/%s: the tarball holds the license, readme, manifest and bundles', (pkg) => {
    const tarball = join(dir, 'tarballs', tarballName(pkg));
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((file) => file.replace(/^package\//, ''));
    for (const file of ['LICENSE', 'README.md', 'package.json']) expect(files).toContain(file);
    const unexpected = files.filter(
      (file) =>
        !/^(LICENSE|README\.md|package\.json|bin\/troupe\.js|dist\/bundle\/[\w-]+\.js(\.map)?|dist\/.+\.d\.ts)$/.test(
          file,
        ),
    );
    expect(unexpected, 'files the tarball should not hold').toEqual([]);

    const read = (file: string) =>
      execFileSync('tar', ['-xzOf', tarball, `package/${file}`], { encoding: 'utf8' });
    expect(read('LICENSE')).toBe(readFileSync(join(workspace, 'LICENSE'), 'utf8'));
    const packed = read('package.json');
    expect(packed).not.toContain('workspace:');
    const manifest = JSON.parse(packed);
    expect(manifest.version).toBe(version);
    expect(manifest.license).toBe('MIT');
    expect(manifest.engines).toEqual({ node: '>=20.19' });
    expect(manifest.repository.directory).toBe(`packages/${pkg}`);
    if (pkg === 'node-runtime') expect(manifest.dependencies['@troupe/core']).toBe(version);
    // Everything the manifest points at is in the tarball.
    const targets = [
      ...Object.values(manifest.exports).flatMap((target) =>
        target === null ? [] : typeof target === 'string' ? [target] : Object.values(target as object),
      ),
      ...Object.values(manifest.bin ?? {}),
    ] as string[];
    for (const target of targets) expect(files).toContain(target.replace(/^\.\//, ''));
  });

  it('npm pack refuses, pointing at pnpm: it would leave workspace:* in the manifest', async () => {
    const packing = run(join(workspace, 'packages', 'node-runtime'), 'npm', ['pack', '--dry-run']);
    await expect(packing).rejects.toThrow(/@troupe\/node-runtime: pack and publish with pnpm/);
  });

  it('npm installed the tarballs themselves, and each map in dist/bundle carries its sources', () => {
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'));
    for (const pkg of packages) {
      expect(lock.packages[`node_modules/@troupe/${pkg}`].resolved).toMatch(/^file:/);
      const bundle = join(app, 'node_modules', '@troupe', pkg, 'dist', 'bundle');
      for (const file of readdirSync(bundle).filter((f) => f.endsWith('.map'))) {
        const map = JSON.parse(readFileSync(join(bundle, file), 'utf8'));
        // An entry that only re-exports its chunks (node-runtime's spi.js) has no code to map.
        const code = readFileSync(join(bundle, file.replace(/\.map$/, '')), 'utf8');
        const reexportsOnly = /^(\s*(import|export)\b[^;]*;)*\s*(\/\/# sourceMappingURL=\S+)?\s*$/.test(code);
        if (!reexportsOnly) expect(map.sources.length, file).toBeGreaterThan(0);
        for (const [i, source] of (map.sources as string[]).entries()) {
          expect(source, file).toMatch(/^\.\.\/\.\.\/src\/.+\.ts$/);
          expect(map.sourcesContent?.[i], `${file}: ${source}`).toEqual(expect.any(String));
        }
      }
    }
    expect(lock.packages['node_modules/@troupe/node-runtime/node_modules/@troupe/core']).toBeUndefined();
  });

  it('runs the app under npx tsx, thread actor included', async () => {
    const { stdout, stderr } = await run(app, 'npx', ['tsx', 'main.ts']);
    expect(stdout).toBe(`${[...appLines, 'thread 42'].join('\n')}\n`);
    expect(stderr).toBe('');
  });

  it('runs the app compiled with tsc, thread actor included', async () => {
    await compile();
    const { stdout, stderr } = await run(app, process.execPath, ['dist/main.js']);
    expect(stdout).toBe(`${[...appLines, 'thread 42'].join('\n')}\n`);
    expect(stderr).toBe('');
  });

  it('under --enable-source-maps, a stack names the TypeScript source its map carries', async () => {
    await compile();
    const { stdout } = await run(app, process.execPath, ['--enable-source-maps', 'dist/stack.js']);
    const stacks = stdout.split('--\n').slice(0, -1);
    expect(stacks.map((stack) => stack.split(':')[0])).toEqual(['DefinitionError', 'InvalidArgumentError']);
    for (const [i, stack] of stacks.entries()) {
      const pkg = packages[i]!;
      const top = /^ {4}at .*\((.+):(\d+):(\d+)\)$/m.exec(stack);
      expect(top, stack).not.toBeNull();
      const [, path, line, column] = top!;
      const installed = join(app, 'node_modules', '@troupe', pkg);
      expect(path).toMatch(new RegExp(`^${installed}/src/.+\\.ts$`));
      expect(existsSync(path!), 'src is not shipped').toBe(false);
      // The map that names this source carries its text, and the frame points at the throw.
      const bundle = join(installed, 'dist', 'bundle');
      const contents = readdirSync(bundle)
        .filter((file) => file.endsWith('.map'))
        .map((file) => JSON.parse(readFileSync(join(bundle, file), 'utf8')))
        .flatMap((map) =>
          (map.sources as string[]).map((source, j) => [resolve(bundle, source), map.sourcesContent[j]]),
        )
        .filter(([source]) => source === path)
        .map(([, content]) => content as string);
      expect(contents.length, `no map carries ${path}`).toBeGreaterThan(0);
      const name = stack.split(':')[0];
      const text = contents[0]!.split('\n')[Number(line) - 1]!;
      expect(text.slice(Number(column) - 1)).toMatch(new RegExp(`^new ${name}\\(`));
    }
  });
});
