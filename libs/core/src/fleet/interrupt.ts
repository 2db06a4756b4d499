/**
 * How a fleet operation stops on SIGINT, SIGTERM or SIGHUP: the command aborts an AbortSignal;
 * the running tool's process group gets the signal (process-runner.ts), no new step starts, and
 * waits (gates, polls) end at once with InterruptedError.
 */

export class InterruptedError extends Error {
  readonly code = 'Interrupted';
  constructor(readonly step: string) {
    super(`${step}: interrupted`);
    this.name = 'InterruptedError';
  }
}

/** Throws InterruptedError when `signal` is aborted. */
export function throwIfInterrupted(signal: AbortSignal | undefined, step: string): void {
  if (signal?.aborted) throw new InterruptedError(step);
}

/** `sleep(ms)`, ended early when `signal` aborts (resolves; the caller checks the signal). */
export function abortableSleep(sleep: (ms: number) => Promise<void>, signal: AbortSignal | undefined): (ms: number) => Promise<void> {
  if (!signal) return sleep;
  return (ms) => new Promise<void>((resolve) => {
    if (signal.aborted) { resolve(); return; }
    const done = (): void => { signal.removeEventListener('abort', done); resolve(); };
    signal.addEventListener('abort', done, { once: true });
    sleep(ms).then(done, done);
  });
}
