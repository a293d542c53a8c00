/**
 * The API docs: every top-level export of each package has a TSDoc comment with an `@example`.
 * Converts the project with typedoc's API (the options of `pnpm run docs`) and writes nothing.
 */

import { fileURLToPath } from 'node:url';
import { Application, type Comment, type DeclarationReflection, ReferenceReflection } from 'typedoc';
import { describe, expect, it } from 'vitest';

const optionsFile = fileURLToPath(new URL('../docs/typedoc.json', import.meta.url));

/** The comment that documents `r`: a function's is on its first signature. */
function commentOf(r: DeclarationReflection): Comment | undefined {
  const target = r instanceof ReferenceReflection ? (r.tryGetTargetReflectionDeep() ?? r) : r;
  const declaration = target as DeclarationReflection;
  return declaration.comment ?? declaration.signatures?.[0]?.comment;
}

describe('API docs', () => {
  it('every export of @troupe/core and @troupe/node-runtime has an @example', async () => {
    const app = await Application.bootstrapWithPlugins({ options: optionsFile, logLevel: 'Warn' });
    const project = await app.convert();
    expect(project, 'typedoc could not convert the project').toBeDefined();
    const packages = project?.children ?? [];
    expect(packages.map((p) => p.name).sort()).toEqual(['@troupe/core', '@troupe/node-runtime']);

    const missing: string[] = [];
    for (const pkg of packages) {
      expect(pkg.children?.length ?? 0, `${pkg.name} exports nothing`).toBeGreaterThan(0);
      for (const r of pkg.children ?? []) {
        const comment = commentOf(r);
        if (!comment?.blockTags.some((t) => t.tag === '@example')) missing.push(`${pkg.name}: ${r.name}`);
      }
    }
    expect(missing, 'exports without an @example').toEqual([]);
  }, 60_000);
});
