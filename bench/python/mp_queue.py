"""Python multiprocessing.Queue throughput, producer process -> consumer process (fork).
Prints one JSON line: {"items_per_s": ...}."""
import json, multiprocessing as mp, sys, time

def producer(q, n):
    for i in range(n):
        q.put(i)
    q.put(None)

def consumer(q, out):
    n = 0
    while q.get() is not None:
        n += 1
    out.put(n)

if __name__ == '__main__':
    n = int(sys.argv[1])
    mp.set_start_method('fork')
    q, out = mp.Queue(), mp.Queue()
    c = mp.Process(target=consumer, args=(q, out))
    p = mp.Process(target=producer, args=(q, n))
    c.start()
    p.start()
    t = time.perf_counter()
    got = out.get()
    dt = time.perf_counter() - t
    p.join(); c.join()
    assert got == n
    print(json.dumps({"items_per_s": n / dt}))
