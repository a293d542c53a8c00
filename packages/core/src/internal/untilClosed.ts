/** Yields what `next` resolves with until it rejects with a `Closed` error, which ends the loop. */
export async function* untilClosed<T>(
  next: () => Promise<T>,
  Closed: abstract new (...args: never[]) => Error,
): AsyncGenerator<T, void, undefined> {
  for (;;) {
    let value: T;
    try {
      value = await next();
    } catch (error) {
      if (error instanceof Closed) return;
      throw error;
    }
    yield value;
  }
}
