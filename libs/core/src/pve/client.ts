/**
 * A small Proxmox VE REST client: API-token auth, explicit TLS, timeouts, and waiting for the
 * task (UPID) an action starts. Only the requests homelab makes; each one is checked in tests
 * against the PVE 9.1.3 API schema (path, method, parameters).
 */
import { readFileSync } from 'node:fs';
import { PVE_CA_FILE_ENV, PVE_INSECURE_ENV, type PveSettings } from './config.ts';
import {
  PveApiError, PveAuthError, PveNotConfiguredError, PveTaskFailedError, PveTaskTimeoutError, PveTlsError, PveUnreachableError,
} from './errors.ts';
import { nodeTransport, TransportError, type PveTransport } from './transport.ts';
import type { PveDisk, PveUsbDevice } from './hardware.ts';
import type { CephStatus, ClusterResource, ClusterStatusEntry, GuestConfig, GuestCurrentStatus, GuestType, TaskStatus } from './types.ts';

export type PveParams = Readonly<Record<string, string | number | boolean | undefined>>;
export type PveMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface PveClientOptions {
  /** @default nodeTransport (node:http/https) */
  readonly transport?: PveTransport;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface WaitOptions {
  /** @default 300000 (5 min) */
  readonly timeoutMs?: number;
  /** First poll interval; doubles up to 5 s. @default 500 */
  readonly pollMs?: number;
  /** Called after every poll that found the task still running. */
  readonly onPoll?: (elapsedMs: number, status: TaskStatus) => void;
}

export interface ShutdownOptions {
  /** Seconds to wait for a clean shutdown. @default - PVE's default (60 s for containers) */
  readonly timeoutSec?: number;
  /** Stop hard once the timeout has passed. @default false */
  readonly forceStop?: boolean;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED', 'UNABLE_TO_GET_ISSUER_CERT',
]);

const BOOLEAN_FIELDS = ['quorate', 'online', 'local', 'template'] as const;

/** PVE answers booleans as 0/1; turn the fields homelab reads into booleans. */
function booleans<T>(item: T): T {
  if (!item || typeof item !== 'object') return item;
  const copy: Record<string, unknown> = { ...(item as Record<string, unknown>) };
  for (const key of BOOLEAN_FIELDS) if (key in copy) copy[key] = copy[key] === 1 || copy[key] === true || copy[key] === '1';
  return copy as T;
}

function encodeParams(params: PveParams): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params).sort(([a], [b]) => a.localeCompare(b))) {
    if (value === undefined) continue;
    search.append(key, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  return search;
}

/** `/nodes/{node}/...` with each segment encoded. */
function pathOf(...segments: readonly (string | number)[]): string {
  return `/${segments.map((s) => encodeURIComponent(String(s))).join('/')}`;
}

export class PveClient {
  private readonly transport: PveTransport;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly ca: string | undefined;

  constructor(readonly settings: PveSettings, options: PveClientOptions = {}) {
    this.transport = options.transport ?? nodeTransport;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = options.now ?? Date.now;
    if (settings.caFile) {
      try {
        this.ca = readFileSync(settings.caFile, 'utf8');
      } catch (error) {
        throw new PveNotConfiguredError([`the CA file ${settings.caFile} (${PVE_CA_FILE_ENV} or --ca-file) cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`]);
      }
    }
  }

  /** The API URL for messages, without credentials. */
  get apiUrl(): string {
    return this.settings.baseUrl.href.replace(/\/$/, '');
  }

  async request<T>(method: PveMethod, path: string, params: PveParams = {}): Promise<T> {
    const url = new URL(path.replace(/^\/+/, ''), this.settings.baseUrl);
    const encoded = encodeParams(params);
    const hasBody = method === 'POST' || method === 'PUT';
    if (!hasBody && [...encoded].length) url.search = encoded.toString();
    const headers: Record<string, string> = { Authorization: `PVEAPIToken=${this.settings.token}`, Accept: 'application/json' };
    if (hasBody) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    let res;
    try {
      res = await this.transport({
        method, url, headers, timeoutMs: this.settings.timeoutMs, insecure: this.settings.insecure,
        ...(hasBody ? { body: encoded.toString() } : {}),
        ...(this.ca ? { ca: this.ca } : {}),
      });
    } catch (error) {
      const code = error instanceof TransportError ? error.code : (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
      const message = error instanceof Error ? error.message : String(error);
      if (TLS_CODES.has(code)) throw new PveTlsError(this.apiUrl, `${code}: ${message}`, PVE_CA_FILE_ENV, PVE_INSECURE_ENV);
      const reason = code === 'ECONNREFUSED' ? 'connection refused'
        : code === 'ENOTFOUND' ? 'host name not found'
        : code === 'ETIMEDOUT' ? `no answer within ${this.settings.timeoutMs} ms`
        : code === 'EHOSTUNREACH' || code === 'ENETUNREACH' ? 'no route to host'
        : `${code}: ${message}`;
      throw new PveUnreachableError(this.apiUrl, reason, this.settings.env.endpoint);
    }
    if (res.status === 401) throw new PveAuthError(this.apiUrl, res.statusText, this.settings.env.apiToken);
    let json: { data?: unknown; errors?: Record<string, string> } = {};
    try {
      json = res.body ? JSON.parse(res.body) as typeof json : {};
    } catch {
      if (res.status >= 200 && res.status < 300) throw new PveApiError(method, path, res.status, `answer is not JSON: ${res.body.slice(0, 120)}`);
    }
    if (res.status < 200 || res.status >= 300) throw new PveApiError(method, path, res.status, res.statusText, json.errors ?? {});
    return json.data as T;
  }

  /** Every guest (`type: vm` gives both `qemu` and `lxc`), node, storage or SDN resource. */
  async clusterResources(type?: 'vm' | 'node' | 'storage' | 'sdn'): Promise<ClusterResource[]> {
    const items = await this.request<ClusterResource[]>('GET', '/cluster/resources', { type });
    return (items ?? []).map(booleans);
  }

  async clusterStatus(): Promise<ClusterStatusEntry[]> {
    return ((await this.request<ClusterStatusEntry[]>('GET', '/cluster/status')) ?? []).map(booleans);
  }

  async cephStatus(): Promise<CephStatus> {
    return (await this.request<CephStatus>('GET', '/cluster/ceph/status')) ?? {};
  }

  async guestStatus(node: string, type: GuestType, vmid: number): Promise<GuestCurrentStatus> {
    return this.request<GuestCurrentStatus>('GET', pathOf('nodes', node, type, vmid, 'status', 'current'));
  }

  // ---- drift: a guest's configuration
  /**
   * `GET /nodes/{node}/{qemu|lxc}/{vmid}/config`: the configuration as it applies now (pending
   * changes not included, `current` left unset), keys as PVE writes them (`net0`, `scsi0`, `mp0`).
   */
  async guestConfig(node: string, type: GuestType, vmid: number): Promise<GuestConfig> {
    return (await this.request<GuestConfig>('GET', pathOf('nodes', node, type, vmid, 'config'))) ?? {};
  }
  // ---- end drift

  /** Starts a guest; returns the task's UPID. */
  async start(node: string, type: GuestType, vmid: number): Promise<string> {
    return this.request<string>('POST', pathOf('nodes', node, type, vmid, 'status', 'start'));
  }

  /** Stops a guest at once (like pulling the plug); returns the task's UPID. */
  async stop(node: string, type: GuestType, vmid: number): Promise<string> {
    return this.request<string>('POST', pathOf('nodes', node, type, vmid, 'status', 'stop'));
  }

  /** Asks the guest to shut down cleanly; returns the task's UPID. */
  async shutdown(node: string, type: GuestType, vmid: number, options: ShutdownOptions = {}): Promise<string> {
    return this.request<string>('POST', pathOf('nodes', node, type, vmid, 'status', 'shutdown'), {
      timeout: options.timeoutSec,
      forceStop: options.forceStop,
    });
  }

  async taskStatus(node: string, upid: string): Promise<TaskStatus> {
    return this.request<TaskStatus>('GET', pathOf('nodes', node, 'tasks', upid, 'status'));
  }

  /** Polls until the task stops; throws unless it ended OK (or with warnings only). */
  async waitForTask(node: string, upid: string, options: WaitOptions = {}): Promise<TaskStatus> {
    const timeoutMs = options.timeoutMs ?? 300_000;
    let pollMs = options.pollMs ?? 500;
    const started = this.now();
    for (;;) {
      const status = await this.taskStatus(node, upid);
      if (status.status === 'stopped') {
        const exit = status.exitstatus ?? '';
        if (exit === 'OK' || exit.startsWith('WARNINGS')) return status;
        throw new PveTaskFailedError(upid, exit || 'no exit status');
      }
      const elapsed = this.now() - started;
      if (elapsed >= timeoutMs) throw new PveTaskTimeoutError(upid, elapsed);
      options.onPoll?.(elapsed, status);
      await this.sleep(Math.min(pollMs, Math.max(0, timeoutMs - elapsed)));
      pollMs = Math.min(pollMs * 2, 5_000);
    }
  }

  // ---------------------------------------------------------------- hardware (homelab discover)

  /** The node's disks (`GET /nodes/{node}/disks/list`, Sys.Audit); SMART is skipped: discover needs ids, not health. */
  async disks(node: string): Promise<PveDisk[]> {
    // PVE answers the booleans as 0/1.
    type Raw = Omit<PveDisk, 'gpt' | 'mounted'> & { readonly gpt: unknown; readonly mounted: unknown };
    const items = await this.request<Raw[]>('GET', pathOf('nodes', node, 'disks', 'list'), { skipsmart: true });
    return (items ?? []).map((d) => ({ ...d, gpt: d.gpt === 1 || d.gpt === true, mounted: d.mounted === 1 || d.mounted === true }));
  }

  /** The node's USB devices (`GET /nodes/{node}/hardware/usb`; PVE asks Sys.Modify on / for it). */
  async usbDevices(node: string): Promise<PveUsbDevice[]> {
    return (await this.request<PveUsbDevice[]>('GET', pathOf('nodes', node, 'hardware', 'usb'))) ?? [];
  }
}
