"""Python multiprocessing.Pipe round trip between two processes (fork).
Prints one JSON line: {"rtt_us": ...}."""
import json, multiprocessing as mp, sys, time

def echo(conn):
    while True:
        x = conn.recv()
        if x is None:
            break
        conn.send(x)

if __name__ == '__main__':
    n = int(sys.argv[1])
    mp.set_start_method('fork')
    a, b = mp.Pipe()
    e = mp.Process(target=echo, args=(b,))
    e.start()
    for i in range(100):
        a.send(i); a.recv()
    t = time.perf_counter()
    for i in range(n):
        a.send(i); a.recv()
    dt = time.perf_counter() - t
    a.send(None); e.join()
    print(json.dumps({"rtt_us": dt / n * 1e6}))
