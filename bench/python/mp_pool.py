"""Python multiprocessing.Pool(2).map (fork). The pool is started and warmed with one map of the
same size first (the Node sides get the same warm-up); only the next map call is timed. With
`steady`, the warm-up is five maps (as the Node side's) and the median of the next five is
printed. With `cold`, nothing is warmed: the first map of the fresh pool is timed.

    mp_pool.py <n>              # default chunksize
    mp_pool.py <n> 1            # chunksize=1
    mp_pool.py <n> 0 cold       # default chunksize, the first map of a fresh pool
    mp_pool.py <n> 0 steady     # default chunksize, the median of 5 maps after 5 warm-up maps

Prints one JSON line: {"items_per_s": ...}."""
import json, multiprocessing as mp, sys, time

def square(x):
    return x * x

if __name__ == '__main__':
    n = int(sys.argv[1])
    chunksize = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != '0' else None
    cold = len(sys.argv) > 3 and sys.argv[3] == 'cold'
    timed_calls = 5 if len(sys.argv) > 3 and sys.argv[3] == 'steady' else 1
    mp.set_start_method('fork')
    rates = []
    with mp.Pool(2) as pool:
        for _ in range(0 if cold else 5 if timed_calls > 1 else 1):
            pool.map(square, range(n), chunksize)
        for _ in range(timed_calls):
            t = time.perf_counter()
            out = pool.map(square, range(n), chunksize)
            dt = time.perf_counter() - t
            assert len(out) == n and out[-1] == (n - 1) * (n - 1)
            rates.append(n / dt)
    rates.sort()
    print(json.dumps({"items_per_s": rates[len(rates) // 2]}))
