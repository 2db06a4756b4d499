/**
 * Progress of a long fleet operation, as lines: what is running, what is done, what is waiting.
 * A heartbeat repeats the running list while tasks take long, so a silent terminal always
 * means "still working on X", never "hung".
 */
export type LineSink = (line: string) => void;

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}

export class Progress {
  private readonly running = new Map<string, number>();
  private done = 0;
  private failed = 0;
  private waiting: readonly string[] = [];

  constructor(private readonly out: LineSink, private readonly now: () => number = Date.now) {}

  line(text: string): void {
    this.out(text);
  }

  /** The items queued behind the running ones. */
  setWaiting(items: readonly string[]): void {
    this.waiting = items;
  }

  start(label: string): void {
    this.running.set(label, this.now());
    this.out(`  -> ${label}`);
  }

  finish(label: string, ok: boolean, detail = ''): void {
    const started = this.running.get(label) ?? this.now();
    this.running.delete(label);
    if (ok) this.done++;
    else this.failed++;
    this.out(`  ${ok ? 'ok  ' : 'FAIL'} ${label} (${formatDuration(this.now() - started)})${detail ? `: ${detail}` : ''}`);
  }

  /** One line: running (with how long), done, failed, waiting. */
  status(): string {
    const now = this.now();
    const running = [...this.running].map(([l, t]) => `${l} (${formatDuration(now - t)})`);
    return `  .. running: ${running.join(', ') || 'nothing'}; done: ${this.done}${this.failed ? `; failed: ${this.failed}` : ''}; waiting: ${this.waiting.length ? this.waiting.join(', ') : 'nothing'}`;
  }

  /** Prints status() every `everyMs` while anything runs; returns the stop function. */
  heartbeat(everyMs = 30_000): () => void {
    const timer = setInterval(() => { if (this.running.size) this.out(this.status()); }, everyMs);
    timer.unref?.();
    return () => clearInterval(timer);
  }
}

/** Runs `fn` over `items` with at most `limit` at once, starting them in order. `fn` should not reject. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
