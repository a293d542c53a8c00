"""Python multiprocessing.Pool(2).map (fork) on the mixed workload of bench/troupe/mixedMap.ts:
n dicts {'id', 'ms', 'tags'}, each busy for ms = 1 + id % 5 milliseconds, returning a small dict.
Default chunksize; warmed with 100 items first.

    mp_mixed.py <n>

Prints one JSON line: {"items_per_s": ...}."""
import json, multiprocessing as mp, sys, time

def work(job):
    end = time.perf_counter() + job['ms'] / 1000
    spins = 0
    while time.perf_counter() < end:
        spins += 1
    return {'id': job['id'], 'ok': len(job['tags']) == 2, 'spins': spins}

def jobs(n):
    return [{'id': i, 'ms': 1 + i % 5, 'tags': ['batch', 'mixed']} for i in range(n)]

if __name__ == '__main__':
    n = int(sys.argv[1])
    mp.set_start_method('fork')
    with mp.Pool(2) as pool:
        pool.map(work, jobs(100))
        items = jobs(n)
        t = time.perf_counter()
        out = pool.map(work, items)
        dt = time.perf_counter() - t
    assert len(out) == n and all(r['id'] == i and r['ok'] for i, r in enumerate(out))
    print(json.dumps({"items_per_s": n / dt}))
