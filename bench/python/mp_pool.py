"""Python multiprocessing.Pool(2).map (fork). The pool is started and warmed with a tiny map
first; only the measured map call is timed.

    mp_pool.py <n>              # default chunksize
    mp_pool.py <n> 1            # chunksize=1

Prints one JSON line: {"items_per_s": ...}."""
import json, multiprocessing as mp, sys, time

def square(x):
    return x * x

if __name__ == '__main__':
    n = int(sys.argv[1])
    chunksize = int(sys.argv[2]) if len(sys.argv) > 2 else None
    mp.set_start_method('fork')
    with mp.Pool(2) as pool:
        pool.map(square, range(8))
        t = time.perf_counter()
        out = pool.map(square, range(n), chunksize)
        dt = time.perf_counter() - t
    assert len(out) == n and out[-1] == (n - 1) * (n - 1)
    print(json.dumps({"items_per_s": n / dt}))
