/**
 * The floor for a CPU-bound map: fib(22) computed n times, one after another, in one Node process
 * (warmed with the same n first, as the pools are). With `arg`, each call is fib(k) of an item k
 * of an array of 22s, as the pool's `fib` task is given them; without, fib(22) itself.
 *
 *   sequentialFib.ts <n> [arg]
 *
 * Prints one JSON line: {"items_per_s": ...}.
 */

function fib(k: number): number {
  return k < 2 ? k : fib(k - 1) + fib(k - 2);
}

const n = Number(process.argv[2] ?? 2_000);
const fromItems = process.argv[3] === 'arg';
const items: number[] = new Array(n).fill(22);
const run = (): number[] => {
  const results: number[] = [];
  if (fromItems) for (let i = 0; i < n; i++) results.push(fib(items[i] as number));
  else for (let i = 0; i < n; i++) results.push(fib(22));
  return results;
};
run();
const started = performance.now();
const results = run();
const elapsed = performance.now() - started;
if (results.length !== n || results[n - 1] !== 17_711) throw new Error('wrong results');
console.log(JSON.stringify({ items_per_s: (n / elapsed) * 1000 }));
