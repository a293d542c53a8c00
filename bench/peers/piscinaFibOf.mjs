// Piscina worker: fib(k) of its task k, the same work as bench/troupe/poolMap.ts's fibOf.
function fib(k) {
  return k < 2 ? k : fib(k - 1) + fib(k - 2);
}

export default (k) => fib(k);
