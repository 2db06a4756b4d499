/**
 * The answer of one probe. Probes never throw for what they find on the network: a refused
 * connection, a wrong status or a short-lived certificate is a result with `ok: false`. They throw
 * only for a local mistake in their input (an unparsable URL), at once.
 */
export interface ProbeResult {
  readonly ok: boolean;
  /** What was probed, as a URL or `host:port`, e.g. `https://sonarr.example.test/`. */
  readonly target: string;
  /** What came back, e.g. `expected status 200, got 502`. */
  readonly detail: string;
  /** How many attempts were made; 1 for a single probe, more once wrapped in `retry`. */
  readonly attempts: number;
}

export function probeOk(target: string, detail: string): ProbeResult {
  return { ok: true, target, detail, attempts: 1 };
}

export function probeFailed(target: string, detail: string): ProbeResult {
  return { ok: false, target, detail, attempts: 1 };
}

/** `https://sonarr.example.test/: expected status 200, got 502 after 3 attempts` */
export function formatProbeResult(result: ProbeResult): string {
  const attempts = `${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`;
  return `${result.target}: ${result.detail} after ${attempts}`;
}

/** Thrown by `assertProbe`; carries the failed result. */
export class ProbeError extends Error {
  constructor(readonly result: ProbeResult) {
    super(formatProbeResult(result));
    this.name = 'ProbeError';
  }
}

/** Throws a `ProbeError` whose message is `formatProbeResult(result)` unless the probe passed. */
export function assertProbe(result: ProbeResult): void {
  if (!result.ok) throw new ProbeError(result);
}
