/**
 * The timing of the queue throughput benches: from when producer and consumer are both running
 * (call it then) to the consumer's last get, checked against the count sent.
 */

/** Runs `drain` (the consumer's count of items taken), then reports n items over the time it took. */
export async function timedDrain(
  n: number,
  producer: { join(): Promise<unknown> },
  drain: () => Promise<unknown>,
): Promise<{ items_per_s: number }> {
  const started = performance.now();
  const got = await drain();
  const elapsed = performance.now() - started;
  await producer.join();
  if (got !== n) throw new Error(`consumer got ${String(got)} of ${n}`);
  return { items_per_s: (n / elapsed) * 1000 };
}
