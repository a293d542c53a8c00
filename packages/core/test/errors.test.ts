import { describe, expect, it } from 'vitest';
import { Codec } from '../src/Codec.js';
import { describeExit } from '../src/describeExit.js';
import * as errors from '../src/errors.js';
import {
  type CodedErrorClass,
  errorClassesByCode,
  QueueFullError,
  registerErrorClass,
  TroupeError,
} from '../src/errors.js';

const classes: CodedErrorClass[] = Object.values(errors as Record<string, unknown>).filter(
  (value): value is CodedErrorClass =>
    typeof value === 'function' && value.prototype instanceof Error && 'code' in value,
);

describe('error codes', () => {
  it('gives every error class a static code, the one its instances carry', () => {
    expect(classes.length).toBeGreaterThan(20);
    // Arguments every constructor accepts (a name, an exit, a number), whatever it calls them.
    const args = ['x', { reason: 'normal', code: 0, signal: null }, 1];
    for (const cls of classes) {
      const made = Reflect.construct(cls, args) as { code: unknown };
      expect(cls.code, cls.name).toMatch(/^ERR_TROUPE/);
      expect(made.code, cls.name).toBe(cls.code);
    }
  });

  it('builds the rebuild table from those codes: every class, each under its own code, no code twice', () => {
    const codes = classes.map((cls) => cls.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const cls of classes) expect(errorClassesByCode.get(cls.code), cls.name).toBe(cls);
  });

  it('rebuilds an error that crossed a boundary as its class, by code', () => {
    const codec = new Codec();
    const back = codec.decode(codec.encode(new QueueFullError('full'))) as Error;
    expect(back).toBeInstanceOf(QueueFullError);
    expect((back as QueueFullError).code).toBe('ERR_TROUPE_QUEUE_FULL');
  });

  it('registers a class by its static code, or under a code given', () => {
    class QuotaError extends TroupeError {
      static override readonly code = 'ERR_TEST_QUOTA';
    }
    class OtherError extends Error {}
    registerErrorClass(QuotaError);
    registerErrorClass('ERR_TEST_OTHER', OtherError);
    expect(errorClassesByCode.get('ERR_TEST_QUOTA')).toBe(QuotaError);
    expect(errorClassesByCode.get('ERR_TEST_OTHER')).toBe(OtherError);
    expect(() => registerErrorClass('ERR_TEST_NONE', undefined as never)).toThrow(
      errors.InvalidArgumentError,
    );
  });
});

describe('describeExit', () => {
  it('describes each kind of exit in a few words', () => {
    const exit = { code: null, signal: null };
    expect(describeExit({ ...exit, reason: 'normal', code: 0 })).toBe('normal');
    expect(describeExit({ ...exit, reason: 'signal', signal: 'SIGKILL' })).toBe('killed by SIGKILL');
    expect(describeExit({ ...exit, reason: 'error', error: new Error('boom') })).toBe('error: boom');
    expect(describeExit({ ...exit, reason: 'oom' })).toBe('oom');
  });
});
