/**
 * The floor for a CPU-bound map: fib(22) computed n times, one after another, in one Node process
 * (warmed with the same n first, as the pools are). Prints one JSON line: {"items_per_s": ...}.
 */

function fib(k: number): number {
  return k < 2 ? k : fib(k - 1) + fib(k - 2);
}

const n = Number(process.argv[2] ?? 2_000);
for (let i = 0; i < n; i++) fib(22);
const started = performance.now();
const results: number[] = [];
for (let i = 0; i < n; i++) results.push(fib(22));
const elapsed = performance.now() - started;
if (results.length !== n || results[n - 1] !== 17_711) throw new Error('wrong results');
console.log(JSON.stringify({ items_per_s: (n / elapsed) * 1000 }));
