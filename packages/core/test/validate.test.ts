import { describe, expect, it } from 'vitest';
import { checkSendable } from '../src/checkSendable.js';
import { InvalidArgumentError, SerializationError } from '../src/errors.js';
import {
  checkAbortSignal,
  checkBoolean,
  checkCount,
  checkFinite,
  checkFunction,
  checkName,
  checkObject,
  checkOneOf,
  checkPositiveInt,
  checkPositiveTimeout,
  checkStrings,
  checkTimeout,
  checkWaitOptions,
  describeKind,
  describeValue,
  fail,
  invalidOption,
  mustBe,
} from '../src/validate.js';

/** `call` throws InvalidArgumentError with exactly `message`. */
function refused(call: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidArgumentError);
  expect((thrown as Error).message).toBe(message);
}

describe('describeValue', () => {
  it.each<[unknown, string]>([
    ['1', '"1"'],
    ['', '""'],
    ['x'.repeat(100), `"${'x'.repeat(60)}…"`],
    [0, '0'],
    [-1.5, '-1.5'],
    [Number.NaN, 'NaN'],
    [true, 'true'],
    [null, 'null'],
    [undefined, 'undefined'],
    [10n, '10n'],
    [Symbol('s'), 'a symbol'],
    [function named() {}, 'a function (named)'],
    [() => 1, 'a function'],
    [[1, 2], 'an array'],
    [{}, 'an object with no keys'],
    [{ a: 1, b: 2 }, 'an object with keys a, b'],
    [Object.fromEntries('abcdefgh'.split('').map((k) => [k, 1])), 'an object with keys a, b, c, d, e, f, …'],
    [Object.create(null), 'an object with no keys'],
    [new Map(), 'a Map'],
    [new AbortController(), 'an AbortController'],
  ])('describes %o as %s', (value, described) => {
    expect(describeValue(value)).toBe(described);
  });

  it('describeKind names the type of a primitive and describes an object', () => {
    expect(describeKind('hello')).toBe('string');
    expect(describeKind(42)).toBe('number');
    expect(describeKind(undefined)).toBe('undefined');
    expect(describeKind(null)).toBe('null');
    expect(describeKind({ kind: 'task' })).toBe('an object with keys kind');
    expect(describeKind(() => 1)).toBe('a function');
  });
});

describe('the message format', () => {
  it('is "<option> must be <expected>, got <found>", on an InvalidArgumentError', () => {
    expect(mustBe('capacity', 'a positive integer', 0)).toBe('capacity must be a positive integer, got 0');
    const error = invalidOption('duplex', 'a boolean', 'yes');
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toBe('duplex must be a boolean, got "yes"');
    refused(() => fail('listener', 'a function', 3), 'listener must be a function, got 3');
  });
});

describe('checks', () => {
  it('checkObject takes an object, and undefined as no options', () => {
    const options = { a: 1 };
    expect(checkObject(options, 'options')).toBe(options);
    expect(checkObject(undefined, 'options')).toEqual({});
    refused(() => checkObject(null, 'pipe options'), 'pipe options must be an object, got null');
    refused(() => checkObject(5, 'pipe options'), 'pipe options must be an object, got 5');
  });

  it('checkPositiveInt takes a positive safe integer', () => {
    expect(checkPositiveInt(3, 'size')).toBe(3);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '3']) {
      refused(
        () => checkPositiveInt(bad, 'size'),
        `size must be a positive integer, got ${describeValue(bad)}`,
      );
    }
  });

  it('checkCount takes a safe integer ≥ 0', () => {
    expect(checkCount(0, 'maxRetries')).toBe(0);
    expect(checkCount(7, 'maxRetries')).toBe(7);
    for (const bad of [-1, 0.5, Number.NaN, '1', null]) {
      refused(
        () => checkCount(bad, 'maxRetries'),
        `maxRetries must be an integer ≥ 0, got ${describeValue(bad)}`,
      );
    }
  });

  it('checkFinite takes a finite number at or above its bound, in its unit', () => {
    expect(checkFinite(0, 'ms')).toBe(0);
    expect(checkFinite(5, 'ms', { min: 5 })).toBe(5);
    refused(() => checkFinite(-1, 'ms'), 'ms must be a finite number ≥ 0, got -1');
    refused(() => checkFinite(5, 'ms', { min: 5, above: true }), 'ms must be a finite number > 5, got 5');
    refused(
      () => checkFinite(Number.POSITIVE_INFINITY, 'wait', { unit: 'seconds' }),
      'wait must be a finite number of seconds ≥ 0, got Infinity',
    );
  });

  it('checkTimeout takes milliseconds ≥ 0, checkPositiveTimeout milliseconds > 0', () => {
    expect(checkTimeout(0, 'timeoutMs')).toBe(0);
    expect(checkPositiveTimeout(1, 'timeoutMs')).toBe(1);
    refused(
      () => checkTimeout(-1, 'timeoutMs'),
      'timeoutMs must be a finite number of milliseconds ≥ 0, got -1',
    );
    refused(
      () => checkTimeout(Number.NaN, 'timeoutMs'),
      'timeoutMs must be a finite number of milliseconds ≥ 0, got NaN',
    );
    refused(
      () => checkPositiveTimeout(0, 'taskTimeoutMs'),
      'taskTimeoutMs must be a finite number of milliseconds > 0, got 0',
    );
  });

  it('checkBoolean, checkName, checkFunction, checkStrings and checkAbortSignal take their type', () => {
    expect(checkBoolean(false, 'duplex')).toBe(false);
    expect(checkName('counter', 'name')).toBe('counter');
    expect(() => checkFunction(() => 1, 'onProgress')).not.toThrow();
    expect(checkStrings(['--a'], 'execArgv')).toEqual(['--a']);
    const { signal } = new AbortController();
    expect(checkAbortSignal(signal, 'signal')).toBe(signal);
    refused(() => checkBoolean('yes', 'duplex'), 'duplex must be a boolean, got "yes"');
    refused(() => checkName('', 'name'), 'name must be a non-empty string, got ""');
    refused(() => checkName(7, 'name'), 'name must be a non-empty string, got 7');
    refused(() => checkFunction(5, 'onProgress'), 'onProgress must be a function, got 5');
    refused(() => checkStrings(['a', 1], 'execArgv'), 'execArgv must be an array of strings, got an array');
    refused(() => checkStrings('--a', 'execArgv'), 'execArgv must be an array of strings, got "--a"');
    refused(() => checkAbortSignal(true, 'signal'), 'signal must be an AbortSignal, got true');
  });

  it('checkOneOf takes one of its values, listing them unless told how', () => {
    expect(checkOneOf('b', ['a', 'b'], 'mode')).toBe('b');
    refused(() => checkOneOf('c', ['a', 'b'], 'mode'), 'mode must be one of a, b, got "c"');
    refused(() => checkOneOf(1, ['a', 'b'], 'mode', "'a' or 'b'"), "mode must be 'a' or 'b', got 1");
  });

  it('checkWaitOptions takes undefined or { timeoutMs?, signal? }, naming the call', () => {
    expect(() => checkWaitOptions(undefined, 'get')).not.toThrow();
    expect(() => checkWaitOptions({}, 'get')).not.toThrow();
    expect(() =>
      checkWaitOptions({ timeoutMs: 10, signal: new AbortController().signal }, 'get'),
    ).not.toThrow();
    refused(() => checkWaitOptions(10 as never, 'get'), 'get options must be an object, got 10');
    refused(
      () => checkWaitOptions({ timeoutMs: -1 }, 'put'),
      'timeoutMs must be a finite number of milliseconds ≥ 0, got -1',
    );
    refused(
      () => checkWaitOptions({ signal: 'soon' as never }, 'ask'),
      'signal must be an AbortSignal, got "soon"',
    );
  });
});

describe("a refusal's stack", () => {
  it('starts at the caller of the check, not inside the checks', () => {
    const refusals = [
      () => checkPositiveInt(0, 'size'),
      () => checkTimeout(-1, 'timeoutMs'),
      () => checkWaitOptions({ signal: 1 as never }, 'get'),
      () => fail('listener', 'a function', 1),
    ];
    for (const refuse of refusals) {
      let stack = '';
      try {
        refuse();
      } catch (error) {
        stack = String((error as Error).stack);
      }
      const top = stack.split('\n').find((line) => line.trimStart().startsWith('at '));
      expect(top).toMatch(/validate\.test\.ts/);
    }
  });
});

describe('checkSendable', () => {
  it('passes what can be sent, of any size, and names the part that cannot', () => {
    expect(() =>
      checkSendable({ a: [1, new Map([[1, 'x']])], big: new Uint8Array(1024) }, 'args'),
    ).not.toThrow();
    let thrown: unknown;
    try {
      checkSendable([1, { handler: () => 1 }], 'initializer.args');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SerializationError);
    expect((thrown as SerializationError).path).toBe('initializer.args[1].handler');
  });
});
