import type { ProbeConnectOptions } from './connect-options.ts';
import { describeError, orList, parseProbeUrl } from './private/errors.ts';
import { headerValue, httpGet } from './private/http-get.ts';
import { probeFailed, probeOk, type ProbeResult } from './probe-result.ts';

/** Statuses that count as an HTTP→HTTPS redirect. */
export const REDIRECT_STATUSES: readonly number[] = [301, 302, 307, 308];

export interface RedirectProbe extends ProbeConnectOptions {
  /** A plain `http://` URL. */
  readonly url: string;
  /**
   * Where the redirect must point.
   * @default - the https:// form of `url`: same host and path, default port
   */
  readonly expectLocation?: string;
}

/** The https:// form of an http:// URL: same host, path and query, port 443. */
export function httpsFormOf(url: URL): URL {
  const https = new URL(url.href);
  https.protocol = 'https:';
  https.port = '';
  https.hash = '';
  return https;
}

/**
 * One plain-HTTP GET of `probe.url`: passes when the answer is a redirect (301, 302, 307 or 308)
 * whose Location, resolved against the URL, is the https:// form of it.
 */
export async function probeRedirect(probe: RedirectProbe): Promise<ProbeResult> {
  const url = parseProbeUrl('probeRedirect', probe.url, ['http:']);
  const target = url.href;
  const want =
    probe.expectLocation === undefined
      ? httpsFormOf(url)
      : parseProbeUrl('probeRedirect (expectLocation)', probe.expectLocation, ['https:', 'http:']);
  const expected = `expected a redirect (${orList(REDIRECT_STATUSES)}) to ${want.href}`;
  let answer;
  try {
    answer = await httpGet(url, probe);
  } catch (error) {
    return probeFailed(target, `${expected}, got ${describeError(error)}`);
  }
  if (!REDIRECT_STATUSES.includes(answer.status)) return probeFailed(target, `${expected}, got ${answer.status}`);
  const location = headerValue(answer.headers, 'location');
  if (location === undefined) return probeFailed(target, `${expected}, got ${answer.status} without a Location header`);
  let resolved: URL;
  try {
    resolved = new URL(location, url);
  } catch {
    return probeFailed(target, `${expected}, got ${answer.status} to an invalid Location ${JSON.stringify(location)}`);
  }
  if (resolved.href !== want.href) return probeFailed(target, `${expected}, got ${answer.status} to ${resolved.href}`);
  return probeOk(target, `${answer.status} to ${resolved.href}`);
}
