import { describe, expect, it } from 'vitest';
import { Codec } from '../src/Codec.js';
import { ProtocolError } from '../src/errors.js';
import { isFromWorker } from '../src/protocol.js';
import { checkQueueCall, type QueueCallMessage, type QueueOp, queueCall } from '../src/queue/queueCall.js';

/** A well-formed call of each operation. */
const good: readonly QueueCallMessage[] = [
  queueCall('put', 1, 'q1', new Uint8Array([1, 2]), 100),
  queueCall('puts', 0, 'q1', [1, 'two', new Uint8Array([3])], undefined),
  queueCall('puts', 0, 'q1', { bytes: new Uint8Array([1, 2, 3]), ends: new Uint32Array([1, 3]) }, undefined),
  queueCall('tryPut', 2, 'q1', 7, undefined),
  queueCall('take', 3, 'q1', 64, undefined),
  queueCall('take', 4, 'q1', [64, 5], 0),
  queueCall('tryTake', 5, 'q1', 1, undefined),
  queueCall('ack', 0, 'q1', 3, undefined),
  queueCall('taskDone', 0, 'q1', 1, undefined),
  queueCall('giveBack', 0, 'q1', 0, undefined),
  queueCall('join', 6, 'q1', undefined, 50),
  queueCall('size', 7, 'q1', undefined, undefined),
  queueCall('close', 8, 'q1', undefined, undefined),
  queueCall('cancel', 0, 'q1', 6, undefined),
  queueCall('admit', 9, 'q1', [{ id: 1 }, 1024], 100),
  queueCall('release', 0, 'q1', 12, undefined),
];

/** For each operation, arguments it must refuse, and what the refusal names. */
const badArgs: Record<QueueOp, readonly unknown[]> = {
  put: [],
  tryPut: [],
  puts: [
    undefined,
    3,
    { 0: 1 },
    // Runs: ends that do not rise, run past the bytes, are empty or of the wrong type.
    { bytes: new Uint8Array([1, 2]), ends: new Uint32Array([2, 1]) },
    { bytes: new Uint8Array([1, 2]), ends: new Uint32Array([1, 1]) },
    { bytes: new Uint8Array([1, 2]), ends: new Uint32Array([3]) },
    { bytes: new Uint8Array([1, 2]), ends: new Uint32Array([]) },
    { bytes: [1, 2], ends: new Uint32Array([1]) },
    { bytes: new Uint8Array([1, 2]), ends: [1, 2] },
    { bytes: new Uint8Array([1, 2]) },
  ],
  take: [0, -1, 1.5, 'x', [], [1], [0, 0], [1, -1], [1, 2, 3], null],
  tryTake: [0, -1, 2.5, '1', undefined],
  ack: [-1, 0.5, '1', undefined],
  taskDone: [-1, Number.NaN, null],
  giveBack: [-2, true],
  cancel: [0, -1, 'id', undefined],
  join: [1, null, 'x'],
  size: [0, {}],
  close: [false],
  admit: [undefined, 3, [1], [1, -1], [1, 1.5], [1, '2'], [1, 2, 3]],
  release: [-1, 0.5, 'all', undefined],
};

function refusal(frame: unknown): ProtocolError {
  let thrown: unknown;
  try {
    checkQueueCall(frame as QueueCallMessage);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ProtocolError);
  return thrown as ProtocolError;
}

describe('queue call frames', () => {
  it('are built with the keys of the shared shape, in its order, and cross the codec as they were', () => {
    const codec = new Codec();
    for (const call of good) {
      expect(Object.keys(call)).toEqual(['t', 'op', 'id', 'q', 'arg', 'timeoutMs']);
      const back = codec.decode(codec.encode(call));
      expect(back).toEqual(call);
      expect(isFromWorker(back)).toBe(true);
      expect(checkQueueCall(back as QueueCallMessage)).toBe(back);
    }
  });

  it('are refused with a ProtocolError for an unknown operation', () => {
    for (const op of ['pop', '', 'toString', '__proto__', 3, undefined]) {
      const error = refusal({ ...queueCall('size', 1, 'q1', undefined, undefined), op });
      expect(error.message).toMatch(/^Malformed queue call .*: op must be one of put, puts, /);
    }
  });

  it.each(Object.keys(badArgs) as QueueOp[])(
    'of op %s are refused with a ProtocolError for a bad id, queue, timeout or argument',
    (op) => {
      const base = good.find((call) => call.op === op)!;
      const named = (field: string, error: ProtocolError) =>
        expect(error.message).toMatch(new RegExp(`^Malformed queue call "${op}": ${field} must be `));
      for (const id of [-1, 1.5, '1', undefined]) named('id', refusal({ ...base, id }));
      for (const q of ['', 5, undefined, null]) named('q', refusal({ ...base, q }));
      for (const timeoutMs of [-1, Number.NaN, Number.POSITIVE_INFINITY, '10', null]) {
        named('timeoutMs', refusal({ ...base, timeoutMs }));
      }
      for (const arg of badArgs[op]) named('arg', refusal({ ...base, arg }));
    },
  );

  it('name the value found', () => {
    expect(refusal({ ...queueCall('take', 1, 'q1', 1, undefined), arg: -1 }).message).toBe(
      'Malformed queue call "take": arg must be an integer ≥ 1 or [max, acked], got -1',
    );
    expect(refusal({ ...queueCall('ack', 0, 'q1', 1, undefined), arg: 'x' }).message).toBe(
      'Malformed queue call "ack": arg must be an integer ≥ 0, got "x"',
    );
  });
});
