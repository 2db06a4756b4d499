/**
 * Errors of the Proxmox VE API client. Each message says what was asked, what went wrong and
 * how to fix it; none contains the token.
 */

/** Base class: `code` is stable, for tests and summaries. */
export class PveError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'PveError';
  }
}

/** The endpoint or token variables are missing or malformed. Lists every problem at once. */
export class PveNotConfiguredError extends PveError {
  constructor(readonly problems: readonly string[]) {
    super('PveNotConfigured', `the Proxmox API is not configured:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PveNotConfiguredError';
  }
}

/** Connection refused, unknown host, no route, or no answer within the timeout. */
export class PveUnreachableError extends PveError {
  constructor(readonly endpoint: string, readonly reason: string, endpointEnv: string) {
    super('PveUnreachable', `cannot reach the Proxmox API at ${endpoint}: ${reason}. Check ${endpointEnv} (it must be the URL of a cluster node, e.g. https://192.0.2.10:8006/) and that the node is up.`);
    this.name = 'PveUnreachableError';
  }
}

/** The server's certificate is not trusted. */
export class PveTlsError extends PveError {
  constructor(readonly endpoint: string, reason: string, caEnv: string, insecureEnv: string) {
    super('PveTls', `the TLS certificate of ${endpoint} is not trusted: ${reason}. Set ${caEnv}=/path/to/pve-root-ca.pem (copy /etc/pve/pve-root-ca.pem from a node) or pass --ca-file; only if you accept the risk, set ${insecureEnv}=true or pass --insecure.`);
    this.name = 'PveTlsError';
  }
}

/** HTTP 401: the token was rejected. */
export class PveAuthError extends PveError {
  constructor(readonly endpoint: string, statusText: string, tokenEnv: string) {
    super('PveAuth', `the Proxmox API at ${endpoint} rejected the API token (HTTP 401 ${statusText}). Check ${tokenEnv}: it must be <user>@<realm>!<tokenid>=<secret> for a token that exists and has not expired.`);
    this.name = 'PveAuthError';
  }
}

/** Any other non-2xx answer. PVE puts its reason in the HTTP status line; parameter errors in `errors`. */
export class PveApiError extends PveError {
  constructor(readonly method: string, readonly path: string, readonly status: number, readonly statusText: string, readonly details: Readonly<Record<string, string>> = {}) {
    const extra = Object.entries(details).map(([k, v]) => `${k}: ${v}`).join('; ');
    const hint = status === 403 ? ' The token lacks a permission: grant its role the privilege named above (privilege separation applies to tokens).' : '';
    super(status === 403 ? 'PveForbidden' : 'PveApi', `${method} ${path} failed: HTTP ${status} ${statusText}${extra ? ` (${extra})` : ''}.${hint}`);
    this.name = 'PveApiError';
  }
}

/** A task (UPID) ended with an exit status other than OK. */
export class PveTaskFailedError extends PveError {
  constructor(readonly upid: string, readonly exitstatus: string) {
    super('PveTaskFailed', `task ${upid} failed: ${exitstatus}`);
    this.name = 'PveTaskFailedError';
  }
}

/** A task was still running when the wait ran out. */
export class PveTaskTimeoutError extends PveError {
  constructor(readonly upid: string, readonly waitedMs: number) {
    super('PveTaskTimeout', `task ${upid} was still running after ${Math.round(waitedMs / 1000)} s; it goes on in the background (see the node's task log).`);
    this.name = 'PveTaskTimeoutError';
  }
}
