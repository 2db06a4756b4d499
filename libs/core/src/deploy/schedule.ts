/**
 * Runs a dependency graph with bounded parallelism: a node starts once every dependency inside
 * the graph has finished (whatever its outcome: the node decides what a failed dependency means
 * to it), at most `parallelism` nodes at once. Among the ready nodes the earliest in `order` (a
 * topological order) starts first, so a run is deterministic for a given order of finishes.
 * Dependencies outside the graph are not waited for.
 *
 * A node `canStart` refuses is not run (`onNotStarted` is told), and counts as finished for its
 * dependents. When `run` rejects, nothing more starts; the running nodes are waited for, then
 * the first error is thrown (the caller's cleanup, such as releasing locks, runs after them).
 */
export interface GraphProgress {
  readonly event: 'start' | 'finish';
  readonly node: string;
  /** Running now, in `order`. */
  readonly running: readonly string[];
  readonly done: number;
  /** Not started yet. */
  readonly waiting: number;
}

export interface GraphRun {
  /** Every node, dependencies before dependents. */
  readonly order: readonly string[];
  readonly dependsOn: (node: string) => readonly string[];
  /** At most this many nodes run at once (at least 1). */
  readonly parallelism: number;
  readonly run: (node: string) => Promise<void>;
  /** Asked right before a node would start. @default always */
  readonly canStart?: (node: string) => boolean;
  readonly onNotStarted?: (node: string) => void;
  readonly onProgress?: (progress: GraphProgress) => void;
}

export async function runGraph(graph: GraphRun): Promise<void> {
  const max = Math.max(1, Math.floor(graph.parallelism));
  const inGraph = new Set(graph.order);
  const deps = new Map(graph.order.map((n) => [n, graph.dependsOn(n).filter((d) => inGraph.has(d) && d !== n)]));
  const waiting = [...graph.order];
  const running = new Set<string>();
  const done = new Set<string>();
  let failure: { error: unknown } | undefined;
  const progress = (event: GraphProgress['event'], node: string): void =>
    graph.onProgress?.({ event, node, running: graph.order.filter((n) => running.has(n)), done: done.size, waiting: waiting.length });

  return new Promise<void>((resolve, reject) => {
    const settle = (): void => {
      if (running.size) return;
      if (failure) reject(failure.error);
      else if (!waiting.length) resolve();
    };
    const pump = (): void => {
      // One pass in order: a node refused here counts as done for its dependents, which come later.
      for (let i = 0; i < waiting.length && !failure && running.size < max;) {
        const node = waiting[i]!;
        if (!deps.get(node)!.every((d) => done.has(d))) {
          i++;
          continue;
        }
        waiting.splice(i, 1);
        if (graph.canStart && !graph.canStart(node)) {
          done.add(node);
          graph.onNotStarted?.(node);
          continue;
        }
        running.add(node);
        progress('start', node);
        const finished = (): void => {
          running.delete(node);
          done.add(node);
          progress('finish', node);
          pump();
          settle();
        };
        let started: Promise<void>;
        try {
          started = graph.run(node);
        } catch (error) {
          started = Promise.reject(error);
        }
        started.then(finished, (error: unknown) => {
          failure ??= { error };
          finished();
        });
      }
      if (failure) waiting.length = 0;
    };
    pump();
    settle();
  });
}
