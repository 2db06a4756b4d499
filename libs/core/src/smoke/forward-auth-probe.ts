import type { ProbeConnectOptions } from './connect-options.ts';
import { describeError, orList, parseProbeUrl } from './private/errors.ts';
import { headerValue, httpGet } from './private/http-get.ts';
import { probeFailed, probeOk, type ProbeResult } from './probe-result.ts';

/** Statuses with which Authentik's forward auth sends an unauthenticated browser to log in. */
export const FORWARD_AUTH_STATUSES: readonly number[] = [302, 303, 307];

/** Path prefix of Authentik's embedded outpost, served on the protected host itself. */
export const AUTHENTIK_OUTPOST_PATH = '/outpost.goauthentik.io/';

export interface ForwardAuthProbe extends ProbeConnectOptions {
  /** A URL behind forward auth. */
  readonly url: string;
  /** The Authentik host, e.g. `auth.example.test` (a URL is accepted; its host is used). */
  readonly authHost: string;
}

function hostOf(authHost: string): string {
  return (authHost.includes('://') ? new URL(authHost).hostname : authHost.replace(/\/.*$/, '')).toLowerCase();
}

/**
 * One GET of `probe.url` without credentials, as a browser: passes when the answer is a redirect
 * (302, 303 or 307) to `https://<authHost>/...` or to Authentik's outpost path
 * (`/outpost.goauthentik.io/...`) on the protected or the auth host. A 200 means the backend
 * answered without authentication and fails.
 */
export async function probeForwardAuth(probe: ForwardAuthProbe): Promise<ProbeResult> {
  const url = parseProbeUrl('probeForwardAuth', probe.url, ['https:', 'http:']);
  const target = url.href;
  const authHost = hostOf(probe.authHost);
  const expected = `expected a redirect (${orList(FORWARD_AUTH_STATUSES)}) to https://${authHost}/ (forward auth)`;
  let answer;
  try {
    answer = await httpGet(url, { ...probe, headers: { accept: 'text/html' } });
  } catch (error) {
    return probeFailed(target, `${expected}, got ${describeError(error)}`);
  }
  if (!FORWARD_AUTH_STATUSES.includes(answer.status)) {
    const from = answer.status >= 200 && answer.status < 300 ? ' from the backend (not protected)' : '';
    return probeFailed(target, `${expected}, got ${answer.status}${from}`);
  }
  const location = headerValue(answer.headers, 'location');
  if (location === undefined) return probeFailed(target, `${expected}, got ${answer.status} without a Location header`);
  let resolved: URL;
  try {
    resolved = new URL(location, url);
  } catch {
    return probeFailed(target, `${expected}, got ${answer.status} to an invalid Location ${JSON.stringify(location)}`);
  }
  const toAuthHost = resolved.protocol === 'https:' && resolved.hostname === authHost;
  const toOutpost =
    resolved.pathname.startsWith(AUTHENTIK_OUTPOST_PATH) && (resolved.hostname === url.hostname || resolved.hostname === authHost);
  if (!toAuthHost && !toOutpost) return probeFailed(target, `${expected}, got ${answer.status} to ${resolved.href}`);
  return probeOk(target, `${answer.status} to ${resolved.href}`);
}
