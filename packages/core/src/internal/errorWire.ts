/** How an error travels inside a message (the codec's error extension). */

import { errorClassesByCode, ProtocolError, RemoteError } from '../errors.js';

const builtinErrors: Record<string, new (message?: string, options?: ErrorOptions) => Error> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};

type ErrorWire = [
  name: string,
  message: string,
  stack: string | undefined,
  code: unknown,
  cause: unknown,
  extra: Record<string, unknown> | undefined,
];

const reservedErrorKeys = new Set(['name', 'message', 'stack', 'cause', 'code']);

/** An error as it travels: name, message, stack, `code`, `cause` and its own enumerable fields. */
export function writeError(error: Error): ErrorWire {
  let extra: Record<string, unknown> | undefined;
  for (const key of Object.keys(error)) {
    if (reservedErrorKeys.has(key)) continue;
    extra ??= {};
    extra[key] = (error as unknown as Record<string, unknown>)[key];
  }
  const cause = error.cause === error ? undefined : error.cause;
  return [
    String(error.name),
    String(error.message),
    error.stack,
    (error as { code?: unknown }).code,
    cause,
    extra,
  ];
}

/**
 * Rebuilds an error: a Troupe error as its class (by `code`), a built-in ECMAScript error as
 * itself, any other as a {@link RemoteError} carrying the original name. Throws `ProtocolError`
 * for a value that is not an encoded error.
 */
export function readError(wire: unknown): Error {
  if (!Array.isArray(wire) || typeof wire[0] !== 'string' || typeof wire[1] !== 'string') {
    throw new ProtocolError('Malformed error value');
  }
  const [name, message, stack, code, cause, extra] = wire as ErrorWire;
  const options = cause === undefined ? undefined : { cause };
  const byCode = typeof code === 'string' ? errorClassesByCode.get(code) : undefined;
  let error: Error;
  if (byCode !== undefined) {
    error = Object.create(byCode.prototype) as Error;
    Object.defineProperty(error, 'message', { value: message, writable: true, configurable: true });
    if (cause !== undefined) {
      Object.defineProperty(error, 'cause', { value: cause, writable: true, configurable: true });
    }
  } else {
    const builtin = Object.hasOwn(builtinErrors, name) ? builtinErrors[name] : undefined;
    error =
      builtin !== undefined
        ? new builtin(message, options)
        : new RemoteError(name, message, typeof code === 'string' ? code : undefined, options);
  }
  for (const [key, value] of [['name', name], ['code', code], ...Object.entries(extra ?? {})] as const) {
    if (value === undefined || key === '__proto__') continue;
    Object.defineProperty(error, key, {
      value,
      writable: true,
      configurable: true,
      enumerable: key !== 'name',
    });
  }
  Object.defineProperty(error, 'stack', {
    value: stack ?? `${name}: ${message}`,
    writable: true,
    configurable: true,
  });
  return error;
}
