import { describe, expect, it } from 'vitest';
import { Limiter } from '../src/pool/Limiter.js';

/** A job the test ends by hand. */
function job(log: string[], name: string) {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = () => resolve(name);
    fail = reject;
  });
  return {
    run: () => {
      log.push(name);
      return done;
    },
    finish,
    fail,
  };
}

/** Lets queued microtasks (and those they queue) run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

describe('Limiter', () => {
  it('runs at most `limit` jobs at once, the others in the order they came, as places free up', async () => {
    const limiter = new Limiter(3);
    const started: string[] = [];
    const jobs = Array.from({ length: 7 }, (_, i) => job(started, `j${i}`));
    const results = jobs.map((j) => limiter.run(j.run));
    await flush();
    expect(started).toEqual(['j0', 'j1', 'j2']);
    expect([limiter.running, limiter.waiting]).toEqual([3, 4]);
    jobs[1]?.finish();
    await flush();
    expect(started).toEqual(['j0', 'j1', 'j2', 'j3']);
    expect([limiter.running, limiter.waiting]).toEqual([3, 3]);
    for (const j of jobs) j.finish();
    expect(await Promise.all(results)).toEqual(jobs.map((_, i) => `j${i}`));
    expect(started).toEqual(['j0', 'j1', 'j2', 'j3', 'j4', 'j5', 'j6']);
    expect([limiter.running, limiter.waiting]).toEqual([0, 0]);
  });

  it('frees the place of a job that fails, and passes its error on', async () => {
    const limiter = new Limiter(1);
    const started: string[] = [];
    const [a, b] = [job(started, 'a'), job(started, 'b')];
    const first = limiter.run(a.run);
    const second = limiter.run(b.run);
    await flush();
    expect(started).toEqual(['a']);
    a.fail(new Error('boom'));
    await expect(first).rejects.toThrow('boom');
    await flush();
    expect(started).toEqual(['a', 'b']);
    b.finish();
    await expect(second).resolves.toBe('b');
    expect(limiter.running).toBe(0);
  });

  it('refuses a limit that is not a positive integer', () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) expect(() => new Limiter(limit)).toThrow(RangeError);
  });
});
