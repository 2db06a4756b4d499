import type { ProbeConnectOptions } from './connect-options.ts';
import { SMOKE_DEFAULTS } from './defaults.ts';
import { describeError, orList, parseProbeUrl } from './private/errors.ts';
import { headerValue, httpGet } from './private/http-get.ts';
import { probeFailed, probeOk, type ProbeResult } from './probe-result.ts';

/** Largest body kept for an `expectBody` check. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpsProbe extends ProbeConnectOptions {
  /** The URL to GET; `https://` normally, `http://` is accepted too. No redirects are followed. */
  readonly url: string;
  /**
   * The status, or any of the statuses, that counts as a pass.
   * @default 200
   */
  readonly expectStatus?: number | readonly number[];
  /**
   * Response headers that must be present, each containing the given substring
   * (header names are case-insensitive), e.g. `{ 'content-type': 'text/html' }`.
   * @default - no header check
   */
  readonly expectHeaders?: Readonly<Record<string, string>>;
  /**
   * A substring the body must contain (the first MiB is searched).
   * @default - no body check
   */
  readonly expectBody?: string;
}

/** One GET of `probe.url`: passes when the status, headers and body are as expected. */
export async function probeHttps(probe: HttpsProbe): Promise<ProbeResult> {
  const url = parseProbeUrl('probeHttps', probe.url, ['https:', 'http:']);
  const target = url.href;
  const statuses = [probe.expectStatus ?? SMOKE_DEFAULTS.expectStatus].flat();
  const expected = `expected status ${orList(statuses)}`;
  let answer;
  try {
    answer = await httpGet(url, { ...probe, maxBodyBytes: probe.expectBody === undefined ? 0 : MAX_BODY_BYTES });
  } catch (error) {
    return probeFailed(target, `${expected}, got ${describeError(error)}`);
  }
  if (!statuses.includes(answer.status)) return probeFailed(target, `${expected}, got ${answer.status}`);

  for (const [name, substring] of Object.entries(probe.expectHeaders ?? {})) {
    const value = headerValue(answer.headers, name);
    if (value === undefined) {
      return probeFailed(target, `expected header ${name} containing ${JSON.stringify(substring)}, got status ${answer.status} without that header`);
    }
    if (!value.includes(substring)) {
      return probeFailed(target, `expected header ${name} containing ${JSON.stringify(substring)}, got ${JSON.stringify(value)}`);
    }
  }
  if (probe.expectBody !== undefined && !answer.body.includes(probe.expectBody)) {
    const size = Buffer.byteLength(answer.body);
    return probeFailed(target, `expected the body to contain ${JSON.stringify(probe.expectBody)}, got status ${answer.status} and ${size} bytes without it`);
  }
  return probeOk(target, `status ${answer.status}`);
}
