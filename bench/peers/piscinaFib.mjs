// Piscina worker: fib(22) per task, the same work as bench/troupe/poolMap.ts's fib22.
function fib(k) {
  return k < 2 ? k : fib(k - 1) + fib(k - 2);
}

export default (_) => fib(22);
