import { setTimeout as sleep } from 'node:timers/promises';
import { SMOKE_DEFAULTS } from './defaults.ts';
import type { ProbeResult } from './probe-result.ts';

export interface RetryOptions {
  /**
   * Attempts in all, including the first; a positive integer.
   * @default 5
   */
  readonly attempts?: number;
  /**
   * Pause between two attempts, in milliseconds. There is no pause after the last attempt.
   * @default 1000
   */
  readonly delayMs?: number;
  /** Called after every attempt, e.g. to print progress in the deploy runner. */
  readonly onAttempt?: (result: ProbeResult, attempt: number) => void;
}

interface NormalizedRetry {
  readonly attempts: number;
  readonly delayMs: number;
}

function normalizeRetry(options: RetryOptions): NormalizedRetry {
  const attempts = options.attempts ?? SMOKE_DEFAULTS.attempts;
  const delayMs = options.delayMs ?? SMOKE_DEFAULTS.delayMs;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(`retry: attempts must be a positive integer, got ${String(attempts)}. Pass attempts: 1 or more.`);
  }
  if (!Number.isFinite(delayMs) || delayMs < 0) {
    throw new RangeError(`retry: delayMs must be a finite number >= 0, got ${String(delayMs)}.`);
  }
  return { attempts, delayMs };
}

/**
 * Runs `probe` until it passes or `attempts` are used up, pausing `delayMs` in between. Returns the
 * passing result, or else the last failing one, with `attempts` set to the number of attempts made.
 * A probe that throws has hit a local mistake, not a network answer: the error propagates at once.
 */
export async function retry(
  probe: (attempt: number) => Promise<ProbeResult>,
  options: RetryOptions = {},
): Promise<ProbeResult> {
  const { attempts, delayMs } = normalizeRetry(options);
  for (let attempt = 1; ; attempt++) {
    const result = { ...(await probe(attempt)), attempts: attempt };
    options.onAttempt?.(result, attempt);
    if (result.ok || attempt >= attempts) return result;
    if (delayMs > 0) await sleep(delayMs);
  }
}
