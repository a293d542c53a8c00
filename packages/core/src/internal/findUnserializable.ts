/**
 * Locates the first value in a tree that cannot cross a process boundary faithfully, so a
 * {@link SerializationError} can name its path (`msg.items[2].handler`). Only called after the
 * encoder has refused a value, so the fast path never walks the tree twice.
 */

/**
 * Classes whose instances would silently encode as `{}`. A `SharedArrayBuffer` is among them:
 * memory is never shared between workers, and a typed array over one is sent as a copy of its
 * bytes (the host may lack the class, where pages are not cross-origin isolated).
 */
export const unserializableClasses: readonly (abstract new (...args: never[]) => unknown)[] = [
  WeakMap,
  WeakSet,
  WeakRef,
  Promise,
  ...(typeof SharedArrayBuffer === 'function' ? [SharedArrayBuffer] : []),
  // Ports and channels are handles to this process's event loop: a pipe is what travels.
  ...(typeof MessagePort === 'function' ? [MessagePort] : []),
  ...(typeof MessageChannel === 'function' ? [MessageChannel] : []),
  ...(typeof BroadcastChannel === 'function' ? [BroadcastChannel] : []),
];

const portHint = ' (a port belongs to its own process; send a pipe end from system.pipe() instead)';

const sharedMemoryHint = ' (workers share no memory; a typed array over it travels as a copy)';

/** What is wrong with `value` on its own, or undefined when it is fine. */
export function describeUnserializable(value: unknown): string | undefined {
  switch (typeof value) {
    case 'function':
      return `a function${value.name === '' ? '' : ` (${value.name})`}`;
    case 'symbol':
      return `a symbol (${String(value.description)})`;
    case 'object':
      if (value === null) return undefined;
      for (const cls of unserializableClasses) {
        if (value instanceof cls)
          return `a ${cls.name}${cls.name === 'SharedArrayBuffer' ? sharedMemoryHint : cls === Promise || cls.name.startsWith('Weak') ? '' : portHint}`;
      }
      return undefined;
    default:
      return undefined;
  }
}

const identifier = /^[A-Za-z_$][\w$]*$/;

function keyPath(parent: string, key: string): string {
  return identifier.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** Depth-first search for the first unserializable value; returns its path and description. */
export function findUnserializable(
  value: unknown,
  path: string,
  seen: Set<object> = new Set(),
): { path: string; what: string } | undefined {
  const what = describeUnserializable(value);
  if (what !== undefined) return { path, what };
  if (typeof value !== 'object' || value === null || seen.has(value)) return undefined;
  seen.add(value);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnserializable(value[i], `${path}[${i}]`, seen);
      if (found) return found;
    }
    return undefined;
  }
  if (value instanceof Map) {
    let i = 0;
    for (const [k, v] of value) {
      const found =
        findUnserializable(k, `${path}.<key ${i}>`, seen) ??
        findUnserializable(v, `${path}.get(${typeof k === 'string' ? JSON.stringify(k) : String(i)})`, seen);
      if (found) return found;
      i++;
    }
    return undefined;
  }
  if (value instanceof Set) {
    let i = 0;
    for (const v of value) {
      const found = findUnserializable(v, `${path}.<element ${i}>`, seen);
      if (found) return found;
      i++;
    }
    return undefined;
  }
  if (value instanceof Error) {
    // The codec writes an error's cause and its own enumerable fields (code, extras): search both.
    const found = findUnserializable(value.cause, `${path}.cause`, seen);
    if (found) return found;
  }
  for (const key of Object.keys(value)) {
    const found = findUnserializable((value as Record<string, unknown>)[key], keyPath(path, key), seen);
    if (found) return found;
  }
  return undefined;
}
