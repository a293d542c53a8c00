import { describe, expect, it } from 'vitest';
import { defineActor, defineTask, isRegisteredDefinition } from '../src/definitions.js';
import { DefinitionError } from '../src/errors.js';
import { importFailure, loadDefinition } from '../src/loadDefinition.js';
import { add, Counter } from './fixtures/runnerActors.js';

/** A module URL of its own for each test, so registrations never collide between tests. */
let modules = 0;
const moduleUrl = () => `test://definitions/${++modules}.js`;

const spec = { init: () => 0, receive: (n: number) => n };

/** What a message blaming a missing TypeScript loader says (paths may hold 'tsx' too). */
const BLAMES_LOADER = /TypeScript loader|--import tsx/;

/** The error `fn` throws, for a closer look than `toThrow` gives. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('defineActor', () => {
  it('returns a frozen definition naming its module and name', () => {
    const url = moduleUrl();
    const terminate = () => {};
    const definition = defineActor(url, 'Thing', { ...spec, terminate });
    expect(definition).toMatchObject({ kind: 'actor', module: url, name: 'Thing' });
    expect(definition.spec.init).toBe(spec.init);
    expect(definition.spec.receive).toBe(spec.receive);
    expect(definition.spec.terminate).toBe(terminate);
    expect(Object.isFrozen(definition)).toBe(true);
    expect(isRegisteredDefinition(definition)).toBe(true);
  });

  it('throws DefinitionError for a duplicate name in one module, naming it', () => {
    const url = moduleUrl();
    defineActor(url, 'Twin', spec);
    const error = thrown(() => defineActor(url, 'Twin', spec));
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as DefinitionError).code).toBe('ERR_TROUPE_DEFINITION');
    expect((error as Error).message).toContain("'Twin'");
    expect((error as Error).message).toContain(url);
  });

  it('refuses a task and an actor sharing a name in one module', () => {
    const url = moduleUrl();
    defineTask(url, 'shared', () => 1);
    expect(() => defineActor(url, 'shared', spec)).toThrow(DefinitionError);
  });

  it('allows one name in different modules', () => {
    const a = defineActor(moduleUrl(), 'Same', spec);
    const b = defineActor(moduleUrl(), 'Same', spec);
    expect(a).not.toBe(b);
    expect(isRegisteredDefinition(a)).toBe(true);
    expect(isRegisteredDefinition(b)).toBe(true);
  });

  it.each([
    ['a relative path', './actors.js'],
    ['an empty string', ''],
    ['undefined', undefined],
  ])('throws DefinitionError when the module URL is %s', (_what, url) => {
    const error = thrown(() => defineActor(url as string, 'X', spec));
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as Error).message).toContain('import.meta.url');
  });

  it('throws DefinitionError for an empty name', () => {
    expect(() => defineActor(moduleUrl(), '', spec)).toThrow(/name must be a non-empty string/);
  });

  it.each([
    ['spec is null', null, /spec must be an object/],
    ['init is missing', { receive: spec.receive }, /spec\.init must be a function/],
    ['receive is not a function', { init: spec.init, receive: 1 }, /spec\.receive must be a function/],
    ['terminate is not a function', { ...spec, terminate: 'later' }, /spec\.terminate must be a function/],
  ])('throws DefinitionError when %s', (_what, badSpec, message) => {
    const url = moduleUrl();
    const error = thrown(() => defineActor(url, 'Bad', badSpec as never));
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as Error).message).toMatch(message);
    // Nothing was registered: the name is still free.
    expect(() => defineActor(url, 'Bad', spec)).not.toThrow();
  });
});

describe('defineTask', () => {
  it('returns a frozen definition of the function', () => {
    const url = moduleUrl();
    const fn = (x: number) => x + 1;
    const task = defineTask(url, 'inc', fn);
    expect(task).toMatchObject({ kind: 'task', module: url, name: 'inc' });
    expect(task.fn).toBe(fn);
    expect(Object.isFrozen(task)).toBe(true);
    expect(isRegisteredDefinition(task)).toBe(true);
  });

  it('throws DefinitionError for a duplicate name in one module', () => {
    const url = moduleUrl();
    defineTask(url, 'twice', () => 2);
    expect(() => defineTask(url, 'twice', () => 2)).toThrow(DefinitionError);
  });

  it('throws DefinitionError when the third argument is not a function', () => {
    expect(() => defineTask(moduleUrl(), 'notFn', 42 as never)).toThrow(/third argument must be a function/);
  });

  it('throws DefinitionError for a module argument that is not a URL', () => {
    expect(() => defineTask('square', 'square', () => 1)).toThrow(DefinitionError);
  });
});

describe('isRegisteredDefinition', () => {
  it('is false for anything but a registered definition object', () => {
    const task = defineTask(moduleUrl(), 'real', () => 1);
    expect(isRegisteredDefinition({ ...task })).toBe(false);
    expect(isRegisteredDefinition({ kind: 'task', module: 'test://never', name: 'real' })).toBe(false);
    expect(isRegisteredDefinition(null)).toBe(false);
    expect(isRegisteredDefinition('real')).toBe(false);
    expect(isRegisteredDefinition(undefined)).toBe(false);
  });
});

describe('loadDefinition', () => {
  it('finds a definition of a module already loaded, as the same object', async () => {
    await expect(loadDefinition(Counter.module, 'Counter', 'actor')).resolves.toBe(Counter);
    await expect(loadDefinition(add.module, 'add', 'task')).resolves.toBe(add);
  });

  it('imports a module not loaded yet, as a worker does, and finds what it registered', async () => {
    const url = new URL('./fixtures/lazyTasks.ts', import.meta.url).href;
    const found = await loadDefinition(url, 'lazyDouble', 'task');
    expect(found).toMatchObject({ kind: 'task', name: 'lazyDouble', module: url });
    // The import went through the same module graph as the test's own imports.
    const { lazyDouble } = await import('./fixtures/lazyTasks.js');
    expect(found).toBe(lazyDouble);
    expect(lazyDouble.fn(21)).toBe(42);
  });

  it('throws DefinitionError naming what the module defines when the name is unknown', async () => {
    const error = await loadDefinition(Counter.module, 'Nobody', 'actor').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DefinitionError);
    const message = (error as Error).message;
    expect(message).toContain("defines no actor named 'Nobody'");
    expect(message).toContain('actor Counter');
    expect(message).toContain('task add');
  });

  it('throws DefinitionError when the name is a definition of the other kind', async () => {
    await expect(loadDefinition(add.module, 'add', 'actor')).rejects.toThrow(/defines no actor named 'add'/);
    await expect(loadDefinition(Counter.module, 'Counter', 'task')).rejects.toThrow(
      /defines no task named 'Counter'/,
    );
  });

  it('says a module defines nothing when it registered nothing', async () => {
    await expect(loadDefinition('node:path', 'join', 'task')).rejects.toThrow(/it defines: nothing/);
  });

  it('throws DefinitionError with the import failure as cause, naming it, and blaming no loader', async () => {
    // A .ts module that is not there: the cause is that, whatever loader there is.
    const missingTs = new URL('./fixtures/doesNotExist.ts', import.meta.url).href;
    const tsError = await loadDefinition(missingTs, 'x', 'task').catch((e: unknown) => e);
    expect(tsError).toBeInstanceOf(DefinitionError);
    const message = (tsError as Error).message;
    expect(message).toContain(`Cannot import ${missingTs}: `);
    expect(message).toContain(((tsError as Error).cause as Error).message);
    expect(message).not.toMatch(BLAMES_LOADER);

    const missingJs = new URL('./fixtures/doesNotExist.js', import.meta.url).href;
    const jsError = await loadDefinition(missingJs, 'x', 'task').catch((e: unknown) => e);
    expect(jsError).toBeInstanceOf(DefinitionError);
    expect((jsError as Error).cause).toBeInstanceOf(Error);
    expect((jsError as Error).message).not.toMatch(BLAMES_LOADER);
  });
});

describe('importFailure', () => {
  const url = 'file:///app/actors.ts';
  const nodeError = (code: string, message: string) => Object.assign(new TypeError(message), { code });

  it('blames the missing loader when Node could not load a TypeScript file for want of one', () => {
    for (const cause of [
      nodeError('ERR_UNKNOWN_FILE_EXTENSION', 'Unknown file extension ".ts" for /app/actors.ts'),
      nodeError('ERR_UNKNOWN_FILE_EXTENSION', 'Unknown file extension ".mts" for /app/other.mts'),
      nodeError('ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX', 'TypeScript enum is not supported in strip-only mode'),
    ]) {
      const error = importFailure(url, cause);
      expect(error).toBeInstanceOf(DefinitionError);
      expect(error.cause).toBe(cause);
      expect(error.message).toContain(`Cannot import ${url}: Node has no TypeScript loader here`);
      expect(error.message).toContain(cause.message);
      expect(error.message).toContain('node --import tsx');
    }
  });

  it('names the real cause, not the loader, for anything else', () => {
    const cases: [unknown, string][] = [
      [new SyntaxError('Unexpected token (3:7)'), 'SyntaxError: Unexpected token (3:7)'],
      [new Error('boom at the top level'), 'Error: boom at the top level'],
      // Another file Node does not know is not a TypeScript problem.
      [nodeError('ERR_UNKNOWN_FILE_EXTENSION', 'Unknown file extension ".css" for /app/a.css'), '".css"'],
      ['a string', 'a string'],
    ];
    for (const [cause, named] of cases) {
      const error = importFailure(url, cause);
      expect(error.message).toContain(`Cannot import ${url}: `);
      expect(error.message).toContain(named);
      expect(error.message).not.toMatch(BLAMES_LOADER);
      expect(error.cause).toBe(cause);
    }
  });

  it('says that definitions do not belong in a test file, which a worker imports whole', () => {
    const runner = new Error('Vitest failed to find the current suite.');
    for (const file of [
      'file:///app/pool.test.ts',
      'file:///app/pool.spec.mjs',
      'file:///app/pool_test.js',
    ]) {
      const error = importFailure(file, runner);
      expect(error.message).toContain(
        `Cannot import ${file}: Error: Vitest failed to find the current suite.`,
      );
      expect(error.message).toMatch(
        /Definitions in a test file do not work.*Keep them in a module of their own/,
      );
      expect(error.message).not.toMatch(BLAMES_LOADER);
    }
    expect(importFailure('file:///app/contest.ts', runner).message).not.toMatch(/test file/);
  });
});
