/**
 * The docs' code compiles: every ```ts block of README.md and docs/*.md is type-checked, each as
 * a module of its own, all in one TypeScript program under the repository's strict options.
 *
 * A block is often a fragment of a page's story: it uses the `system` started in Getting started,
 * or the `square` task a block above defined. So the names a block uses without declaring or
 * importing them are imported for it, from the latest block before it on the same page that
 * declares them at its top level, else from `test/support/snippetContext.ts` (the running system
 * and the application's own actors and types the guides assume). API names are never supplied:
 * a block imports what it uses from `@troupe/node-runtime`, the one package a user installs (and
 * `@troupe/nats`, for queues on NATS).
 *
 * A block that makes definitions at its top level starts no system there: every worker imports
 * that module to find them (start it under `isMainModule(import.meta.url)`).
 *
 * A block that cannot compile is preceded by `<!-- snippet: skip <why> -->`, and the reason is
 * required. Unused names are allowed (a block shows a value without using it); every other
 * option is the repository's `tsconfig.base.json`.
 */

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const contextFile = join(root, 'test/support/snippetContext.ts');
/** Inside the repository, so `@troupe/node-runtime` resolves through the workspace. */
const tmpRoot = join(root, 'test/.snippets-tmp');

/** One fenced code block. */
interface Block {
  /** `README.md`, `docs/pool.md`. */
  readonly page: string;
  /** The 1-based line of its opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly code: string;
  /** Why it is not checked, from a `<!-- snippet: skip why -->` marker. */
  readonly skip: string | undefined;
}

const SKIP = /^<!--\s*snippet:\s*skip\b\s*(.*?)\s*-->$/;

/** The fenced code blocks of a Markdown page, with the marker just above each (blank lines between allowed). */
function blocksOf(page: string, markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    // A fence may be indented (a block inside a list item): its lines lose that indentation.
    const open = /^( *)(`{3,})\s*([\w-]*)/.exec(lines[i] as string);
    if (open === null) continue;
    const indent = (open[1] as string).length;
    const fence = open[2] as string;
    let end = i + 1;
    while (end < lines.length && !(lines[end] as string).trimStart().startsWith(fence)) end++;
    let above = i - 1;
    while (above >= 0 && (lines[above] as string).trim() === '') above--;
    const marker = above >= 0 ? SKIP.exec((lines[above] as string).trim()) : null;
    blocks.push({
      page,
      line: i + 1,
      lang: open[3] ?? '',
      code: lines
        .slice(i + 1, end)
        .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
        .join('\n'),
      skip: marker === null ? undefined : (marker[1] ?? ''),
    });
    i = end;
  }
  return blocks;
}

/** README.md and the guides in docs/ (not the generated API reference). */
function pages(): string[] {
  const guides = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...guides];
}

const blocks = pages().flatMap((page) => blocksOf(page, readFileSync(join(root, page), 'utf8')));
const tsBlocks = blocks.filter((b) => b.lang === 'ts' || b.lang === 'typescript');
const checked = tsBlocks.filter((b) => b.skip === undefined);

/** A top-level name a module declares, and whether it is only a type. */
interface Declared {
  readonly name: string;
  readonly typeOnly: boolean;
  readonly exported: boolean;
}

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : bindingNames(e.name)));
}

/** The names a module declares at its top level (imports apart), and the names it imports. */
function topLevel(source: ts.SourceFile): { declared: Declared[]; imported: Set<string> } {
  const declared: Declared[] = [];
  const imported = new Set<string>();
  for (const statement of source.statements) {
    const exported =
      ts.canHaveModifiers(statement) &&
      (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.name !== undefined) imported.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings !== undefined && ts.isNamespaceImport(bindings)) imported.add(bindings.name.text);
      if (bindings !== undefined && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) imported.add(element.name.text);
      }
    } else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        for (const name of bindingNames(d.name)) declared.push({ name, typeOnly: false, exported });
      }
    } else if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
      declared.push({ name: statement.name.text, typeOnly: true, exported });
    } else if (
      (ts.isFunctionDeclaration(statement) ||
        ts.isClassDeclaration(statement) ||
        ts.isEnumDeclaration(statement)) &&
      statement.name !== undefined
    ) {
      declared.push({ name: statement.name.text, typeOnly: false, exported });
    }
  }
  return { declared, imported };
}

/** Every identifier in a module: a superset of the names it uses (importing one more is harmless). */
function identifiers(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) names.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

/**
 * True for a module that makes definitions at its top level and also starts a system there, not
 * under a guard: every worker that imports it to find a definition would start the system again
 * (Troupe refuses, with a DefinitionError). Statements under an `if` or in a function are guarded.
 */
function startsBesideDefinitions(source: ts.SourceFile): boolean {
  const unguarded = source.statements.filter((s) => ts.isVariableStatement(s) || ts.isExpressionStatement(s));
  const text = (pattern: RegExp) => unguarded.some((s) => pattern.test(s.getText(source)));
  return text(/\b(defineActor|defineTask|fromMachine)\(/) && text(/\bActorSystem\.start\(/);
}

function parse(file: string, code: string): ts.SourceFile {
  return ts.createSourceFile(file, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
}

/** Where a generated module's lines come from. */
interface Origin {
  readonly block: Block;
}

/** How many lines the generated imports take at the top of each module. */
const HEADER_LINES = 1;

/**
 * Writes each checked block as a module in `dir`: one line of imports for the names it takes from
 * earlier blocks of its page or from the context, the block, then an export of what it declares.
 */
function writeModules(dir: string): Map<string, Origin> {
  const context = topLevel(parse(contextFile, readFileSync(contextFile, 'utf8'))).declared;
  const contextPath = relative(dir, contextFile).replace(/\.ts$/, '.js');
  const origins = new Map<string, Origin>();
  /** For each page, the names its blocks so far declared: name → the module and its kind. */
  const earlier = new Map<string, Map<string, { module: string; typeOnly: boolean }>>();
  for (const block of checked) {
    const moduleName = `${block.page.replace(/[^\w]+/g, '_')}_${block.line}`;
    const file = join(dir, `${moduleName}.ts`);
    const source = parse(file, block.code);
    const { declared, imported } = topLevel(source);
    const own = new Set([...declared.map((d) => d.name), ...imported]);
    const onPage = earlier.get(block.page) ?? new Map();
    earlier.set(block.page, onPage);

    const imports = new Map<string, string[]>();
    const want = (from: string, name: string, typeOnly: boolean) =>
      imports.set(from, [...(imports.get(from) ?? []), typeOnly ? `type ${name}` : name]);
    for (const name of identifiers(source)) {
      if (own.has(name)) continue;
      const before = onPage.get(name);
      const fromContext = context.find((d) => d.name === name);
      if (before !== undefined) want(`./${before.module}.js`, name, before.typeOnly);
      else if (fromContext !== undefined) want(contextPath, name, fromContext.typeOnly);
    }
    const header = [...imports].map(([from, names]) => `import { ${names.join(', ')} } from '${from}';`);
    const unexported = declared.filter((d) => !d.exported);
    const values = unexported.filter((d) => !d.typeOnly).map((d) => d.name);
    const types = unexported.filter((d) => d.typeOnly).map((d) => d.name);
    const footer = `export { ${values.join(', ')} }; export type { ${types.join(', ')} };`;
    writeFileSync(file, `${header.join(' ')}\n${block.code}\n${footer}\n`);
    origins.set(file, { block });
    for (const d of declared) onPage.set(d.name, { module: moduleName, typeOnly: d.typeOnly });
  }
  return origins;
}

/** Type-checks the modules in `dir` as one program; each error as `page:line: message`. */
function typeCheck(dir: string, origins: Map<string, Origin>): string[] {
  const configFile = join(dir, 'tsconfig.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      extends: relative(dir, join(root, 'tsconfig.base.json')),
      compilerOptions: {
        noEmit: true,
        composite: false,
        declaration: false,
        declarationMap: false,
        sourceMap: false,
        inlineSources: false,
        noUnusedLocals: false,
        noUnusedParameters: false,
        types: ['node'],
      },
      include: ['*.ts'],
    }),
  );
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (parsed === undefined) throw new Error(`cannot read ${configFile}`);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file === undefined || d.start === undefined) return message;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const origin = origins.get(d.file.fileName);
    if (origin === undefined) return `${relative(root, d.file.fileName)}:${line + 1}: ${message}`;
    const { block } = origin;
    const codeLine = line + 1 - HEADER_LINES; // 1-based within the block
    const length = block.code.split('\n').length;
    if (codeLine < 1) return `${block.page}:${block.line} (the names imported for it): ${message}`;
    if (codeLine > length) return `${block.page}:${block.line} (the names exported from it): ${message}`;
    return `${block.page}:${block.line + codeLine}: ${message}`;
  });
}

describe('the code in README.md and docs/*.md', () => {
  mkdirSync(tmpRoot, { recursive: true });
  const dir = mkdtempSync(join(tmpRoot, 'run-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    if (readdirSync(tmpRoot).length === 0) rmSync(tmpRoot, { recursive: true, force: true });
  });

  it('finds the TypeScript blocks of every page', () => {
    expect(tsBlocks.filter((b) => b.page === 'README.md').length).toBeGreaterThan(0);
    expect(checked.length).toBeGreaterThan(10);
  });

  it('skips a block only with a reason', () => {
    expect(tsBlocks.filter((b) => b.skip === '').map((b) => `${b.page}:${b.line}`)).toEqual([]);
  });

  it('imports only from @troupe/node-runtime (and, for NATS, @troupe/nats) of the Troupe packages, the ones a user installs', () => {
    const wrong = tsBlocks.flatMap((b) =>
      b.code
        .split('\n')
        .map((text, i) => ({ text, line: b.line + 1 + i }))
        .filter(({ text }) => /from\s+['"]@troupe\/(?!(node-runtime|nats)['"])/.test(text))
        .map(({ text, line }) => `${b.page}:${line}: ${text.trim()}`),
    );
    expect(wrong).toEqual([]);
  });

  it('never starts a system at the top level of a module that makes definitions (the main-module rule)', () => {
    const broken = checked.filter((b) => startsBesideDefinitions(parse(`${b.page}.ts`, b.code)));
    expect(
      broken.map((b) => `${b.page}:${b.line}: start the system under if (isMainModule(import.meta.url))`),
    ).toEqual([]);
  });

  it('type-checks every block, in one program', () => {
    const origins = writeModules(dir);
    expect(typeCheck(dir, origins)).toEqual([]);
  }, 60_000);
});
