"""Python multiprocessing.Queue throughput with small objects (fork): a producer process puts
{'id', 'op', 'payload': [1, 2, 3], 's'} dicts one by one into a Queue(10000) (or an unbounded
Queue), and the consumer, another process or the parent, gets them one by one. Timed from when
both are running to the consumer's last get (the same as the Node side).

    mp_queue_objects.py <n> bounded|unbounded process|parent

Prints one JSON line: {"items_per_s": ...}."""
import json, multiprocessing as mp, sys, time

CAPACITY = 10000

def producer(q, n):
    for i in range(n):
        q.put({'id': i, 'op': 'add', 'payload': [1, 2, 3], 's': 'hello'})
    q.put(None)

def drain(q):
    count = 0
    while True:
        item = q.get()
        if item is None:
            return count
        assert item['id'] == count and item['payload'][2] == 3
        count += 1

def consumer(q, out):
    out.put(drain(q))

if __name__ == '__main__':
    n = int(sys.argv[1])
    bounded = len(sys.argv) <= 2 or sys.argv[2] != 'unbounded'
    in_parent = len(sys.argv) > 3 and sys.argv[3] in ('parent', 'root')
    mp.set_start_method('fork')
    q = mp.Queue(CAPACITY if bounded else 0)
    out = mp.Queue()
    c = None
    if not in_parent:
        c = mp.Process(target=consumer, args=(q, out))
        c.start()
    p = mp.Process(target=producer, args=(q, n))
    p.start()
    t = time.perf_counter()
    got = drain(q) if in_parent else out.get()
    dt = time.perf_counter() - t
    p.join()
    if c is not None:
        c.join()
    assert got == n
    print(json.dumps({"items_per_s": n / dt}))
