/**
 * The graph scheduler alone: nodes are deferred promises the test settles by hand, so what has
 * started is read between settlements (microtasks only: no timers, no timing).
 */
import { describe, expect, it } from 'vitest';
import { runGraph, type GraphProgress } from '../../src/deploy/schedule.ts';

/** Every node's run is a promise the test settles; `started` in start order. */
function manual() {
  const settle = new Map<string, { resolve: () => void; reject: (e: unknown) => void }>();
  const started: string[] = [];
  const run = (node: string): Promise<void> => new Promise<void>((resolve, reject) => {
    started.push(node);
    settle.set(node, { resolve, reject });
  });
  return { run, started, finish: (node: string) => settle.get(node)!.resolve(), fail: (node: string, e: unknown) => settle.get(node)!.reject(e) };
}

/** Lets every pending promise callback run (the scheduler reacts in microtasks). */
const flush = async (): Promise<void> => { for (let i = 0; i < 10; i++) await Promise.resolve(); };

const graphOf = (deps: Record<string, string[]>) => ({ order: Object.keys(deps), dependsOn: (n: string) => deps[n] ?? [] });

describe('runGraph', () => {
  it('starts independent nodes together, at most `parallelism` at once, the earliest in order first', async () => {
    const m = manual();
    const progress: GraphProgress[] = [];
    const done = runGraph({ ...graphOf({ a: [], b: [], c: [], d: [], e: [] }), parallelism: 2, run: m.run, onProgress: (p) => progress.push(p) });
    expect(m.started).toEqual(['a', 'b']);
    m.finish('b');
    await flush();
    expect(m.started).toEqual(['a', 'b', 'c']);
    m.finish('a');
    m.finish('c');
    await flush();
    expect(m.started).toEqual(['a', 'b', 'c', 'd', 'e']);
    m.finish('d');
    m.finish('e');
    await done;
    const most = Math.max(...progress.map((p) => p.running.length));
    expect(most).toBe(2);
    expect(progress[0]).toEqual({ event: 'start', node: 'a', running: ['a'], done: 0, waiting: 4 });
    expect(progress.at(-1)).toEqual({ event: 'finish', node: 'e', running: [], done: 5, waiting: 0 });
  });

  it('a dependent starts only once every dependency finished; an independent branch does not wait for it', async () => {
    const m = manual();
    const done = runGraph({ ...graphOf({ proxy: [], idp: ['proxy'], solo: ['proxy'], app: ['idp', 'proxy', 'outside'] }), parallelism: 4, run: m.run });
    expect(m.started).toEqual(['proxy']);
    m.finish('proxy');
    await flush();
    expect(m.started).toEqual(['proxy', 'idp', 'solo']);
    m.finish('solo');
    await flush();
    // app waits for idp; a dependency outside the graph ('outside') is not waited for.
    expect(m.started).toEqual(['proxy', 'idp', 'solo']);
    m.finish('idp');
    await flush();
    expect(m.started).toEqual(['proxy', 'idp', 'solo', 'app']);
    m.finish('app');
    await done;
  });

  it('parallelism 1 runs the nodes one at a time in order', async () => {
    const m = manual();
    const done = runGraph({ ...graphOf({ a: [], b: [], c: ['a'] }), parallelism: 1, run: m.run });
    for (const n of ['a', 'b', 'c']) {
      expect(m.started.at(-1)).toBe(n);
      m.finish(n);
      await flush();
    }
    await done;
    expect(m.started).toEqual(['a', 'b', 'c']);
  });

  it('a node canStart refuses is not run, is reported, and counts as finished for its dependents', async () => {
    const m = manual();
    const refused: string[] = [];
    let stop = false;
    const done = runGraph({
      ...graphOf({ a: [], b: ['a'], c: ['b'] }), parallelism: 2, run: m.run,
      canStart: () => !stop, onNotStarted: (n) => refused.push(n),
    });
    stop = true;
    m.finish('a');
    await done;
    expect(m.started).toEqual(['a']);
    expect(refused).toEqual(['b', 'c']);
  });

  it('a run that rejects: nothing more starts, the running nodes finish, then the error is thrown', async () => {
    const m = manual();
    const done = runGraph({ ...graphOf({ a: [], b: [], c: [] }), parallelism: 2, run: m.run });
    let settled: unknown = 'pending';
    done.then(() => { settled = 'resolved'; }, (e: unknown) => { settled = e; });
    const boom = new Error('boom');
    m.fail('a', boom);
    await flush();
    expect(m.started).toEqual(['a', 'b']);
    expect(settled).toBe('pending');
    m.finish('b');
    await flush();
    expect(settled).toBe(boom);
  });

  it('a run that throws synchronously is the same as one that rejects', async () => {
    const boom = new Error('sync');
    await expect(runGraph({ ...graphOf({ a: [] }), parallelism: 1, run: () => { throw boom; } })).rejects.toBe(boom);
  });
});
