/**
 * The API docs: every top-level export of each package has a TSDoc comment with an `@example`,
 * and the site reads as one: one heading per page, each class on one page (the names
 * `@troupe/node-runtime` re-exports from `@troupe/core` link to core's pages), and every Markdown
 * page it includes rendered, never copied raw. Converts the project with typedoc's API (the
 * options of `pnpm run docs`) and renders it into a temporary directory.
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Application,
  type Comment,
  type DeclarationReflection,
  type ProjectReflection,
  ReferenceReflection,
  ReflectionKind,
} from 'typedoc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const optionsFile = fileURLToPath(new URL('../docs/typedoc.json', import.meta.url));

/** The comment that documents `r`: a function's is on its first signature. */
function commentOf(r: DeclarationReflection): Comment | undefined {
  const target = r instanceof ReferenceReflection ? (r.tryGetTargetReflectionDeep() ?? r) : r;
  const declaration = target as DeclarationReflection;
  return declaration.comment ?? declaration.signatures?.[0]?.comment;
}

/** Every file under `dir`, as paths relative to it. */
function filesIn(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesIn(join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

function headingsOf(html: string): number {
  return html.match(/<h1[\s>]/g)?.length ?? 0;
}

describe('API docs', () => {
  let project: ProjectReflection | undefined;
  const out = mkdtempSync(join(tmpdir(), 'troupe-api-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  beforeAll(async () => {
    const app = await Application.bootstrapWithPlugins({ options: optionsFile, logLevel: 'Warn' });
    project = await app.convert();
    if (project !== undefined) await app.generateDocs(project, out);
  }, 120_000);

  it('every export of @troupe/core, @troupe/node-runtime and @troupe/nats has an @example', () => {
    expect(project, 'typedoc could not convert the project').toBeDefined();
    const packages = project?.children ?? [];
    expect(packages.map((p) => p.name).sort()).toEqual([
      '@troupe/core',
      '@troupe/nats',
      '@troupe/node-runtime',
    ]);

    const missing: string[] = [];
    for (const pkg of packages) {
      expect(pkg.children?.length ?? 0, `${pkg.name} exports nothing`).toBeGreaterThan(0);
      for (const r of pkg.children ?? []) {
        const comment = commentOf(r);
        if (!comment?.blockTags.some((t) => t.tag === '@example')) missing.push(`${pkg.name}: ${r.name}`);
      }
    }
    expect(missing, 'exports without an @example').toEqual([]);
  });

  it('documents each class once: node-runtime links to the core classes it re-exports', () => {
    const classes = project?.getReflectionsByKind(ReflectionKind.Class).map((c) => c.name) ?? [];
    const twice = classes.filter((name, i) => classes.indexOf(name) !== i);
    expect(twice, 'classes documented more than once').toEqual([]);
    const pages = readdirSync(join(out, 'classes')).map((f) => f.replace(/^.*\.(\w+)\.html$/, '$1'));
    expect(pages.sort()).toEqual([...classes].sort());
    // A core class re-exported by node-runtime is a reference there, not a second page.
    const runtime = project?.children?.find((p) => p.name === '@troupe/node-runtime');
    expect(runtime?.children?.find((r) => r.name === 'DefinitionError')).toBeInstanceOf(ReferenceReflection);
  });

  it('gives the index and every guide one top heading', () => {
    const pages = ['index.html', ...readdirSync(join(out, 'documents')).map((f) => `documents/${f}`)];
    const counts = pages.map((page) => `${page}: ${headingsOf(readFileSync(join(out, page), 'utf8'))}`);
    expect(counts).toEqual(pages.map((page) => `${page}: 1`));
  });

  it('renders every Markdown page it includes, the benchmarks among them, and copies none raw', () => {
    expect(filesIn(out).filter((f) => f.endsWith('.md'))).toEqual([]);
    const benchmarks = readFileSync(join(out, 'documents/Benchmarks.html'), 'utf8');
    expect(benchmarks).toContain('<table');
    expect(benchmarks).not.toContain('| figure |');
  });
});
