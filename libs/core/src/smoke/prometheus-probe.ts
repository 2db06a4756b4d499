import type { ProbeConnectOptions } from './connect-options.ts';
import { describeError, parseProbeUrl } from './private/errors.ts';
import { httpGet } from './private/http-get.ts';
import { probeFailed, probeOk, type ProbeResult } from './probe-result.ts';

/** Largest `/api/v1/targets` answer read. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export interface PrometheusTargetsProbe extends ProbeConnectOptions {
  /** Prometheus base URL, e.g. `https://prometheus.example.test/` (a path prefix is kept). */
  readonly prometheusUrl: string;
  /** The scrape job whose active targets must all be up (matched on the `job` label or the scrape pool). */
  readonly job: string;
}

interface ActiveTarget {
  readonly labels?: Readonly<Record<string, string>>;
  readonly scrapePool?: string;
  readonly scrapeUrl?: string;
  readonly health?: string;
  readonly lastError?: string;
}

/** `<base>/api/v1/targets?state=active`, keeping any path prefix of the base. */
export function prometheusTargetsUrl(prometheusUrl: string): URL {
  const base = parseProbeUrl('probePrometheusTargets', prometheusUrl, ['https:', 'http:']);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.search = '';
  base.hash = '';
  return new URL('api/v1/targets?state=active', base);
}

function activeTargets(body: string): ActiveTarget[] | string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return `a body that is not JSON (${Buffer.byteLength(body)} bytes)`;
  }
  const data = (json as { status?: unknown; data?: { activeTargets?: unknown } } | null)?.data;
  if (!Array.isArray(data?.activeTargets)) return 'JSON without data.activeTargets';
  return data.activeTargets as ActiveTarget[];
}

/**
 * One GET of Prometheus' `/api/v1/targets`: passes when the job has at least one active target
 * and every one of them has health "up". A failure names each target that is not up and its last
 * scrape error.
 */
export async function probePrometheusTargets(probe: PrometheusTargetsProbe): Promise<ProbeResult> {
  const url = prometheusTargetsUrl(probe.prometheusUrl);
  const target = `${url.href} job ${JSON.stringify(probe.job)}`;
  const expected = 'expected every target up';
  let answer;
  try {
    answer = await httpGet(url, { ...probe, headers: { accept: 'application/json' }, maxBodyBytes: MAX_BODY_BYTES });
  } catch (error) {
    return probeFailed(target, `${expected}, got ${describeError(error)}`);
  }
  if (answer.status !== 200) return probeFailed(target, `${expected}, got status ${answer.status}`);
  const targets = activeTargets(answer.body);
  if (typeof targets === 'string') return probeFailed(target, `${expected}, got ${targets}`);
  const ofJob = targets.filter((t) => t.labels?.['job'] === probe.job || t.scrapePool === probe.job);
  if (ofJob.length === 0) {
    const jobs = [...new Set(targets.map((t) => t.labels?.['job'] ?? t.scrapePool ?? '?'))].sort();
    return probeFailed(target, `${expected}, got no active targets for the job (jobs: ${jobs.join(', ') || 'none'})`);
  }
  const down = ofJob.filter((t) => t.health !== 'up');
  if (down.length > 0) {
    const list = down
      .map((t) => `${t.scrapeUrl ?? t.labels?.['instance'] ?? '?'} is ${t.health ?? 'unknown'}${t.lastError ? ` (${t.lastError})` : ''}`)
      .join('; ');
    return probeFailed(target, `${expected}, got ${down.length} of ${ofJob.length} not up: ${list}`);
  }
  return probeOk(target, `${ofJob.length} target${ofJob.length === 1 ? '' : 's'} up`);
}
