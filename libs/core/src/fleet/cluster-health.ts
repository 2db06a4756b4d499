/**
 * Is the Proxmox cluster healthy enough to take the next node down? Corosync quorate, every
 * node online (`GET /cluster/status`) and Ceph HEALTH_OK (`GET /cluster/ceph/status`).
 */
import { PveUnreachableError } from '../pve/errors.ts';
import type { PveClient } from '../pve/client.ts';
import { throwIfInterrupted } from './interrupt.ts';

export interface HealthReport {
  readonly healthy: boolean;
  /** What is wrong, one item each; empty when healthy. */
  readonly problems: readonly string[];
}

export class ClusterUnhealthyError extends Error {
  readonly code = 'ClusterUnhealthy';
  constructor(readonly what: string, readonly problems: readonly string[], waitedMs: number) {
    super(`${what} not reached after ${Math.round(waitedMs / 1000)} s: ${problems.join('; ')}`);
    this.name = 'ClusterUnhealthyError';
  }
}

export async function clusterHealth(client: PveClient): Promise<HealthReport> {
  const problems: string[] = [];
  const status = await client.clusterStatus();
  const cluster = status.find((e) => e.type === 'cluster');
  if (!cluster) problems.push('corosync: no cluster entry in /cluster/status (is this node part of a cluster?)');
  else if (!cluster.quorate) problems.push('corosync: the cluster is not quorate');
  const offline = status.filter((e) => e.type === 'node' && !e.online).map((e) => e.name);
  if (offline.length) problems.push(`node${offline.length > 1 ? 's' : ''} offline: ${offline.join(', ')}`);
  const ceph = await client.cephStatus();
  const health = ceph.health?.status ?? 'unknown';
  if (health !== 'HEALTH_OK') {
    const checks = Object.entries(ceph.health?.checks ?? {}).map(([k, c]) => `${k}: ${c.summary?.message ?? c.severity ?? ''}`.trim());
    problems.push(`ceph: ${health}${checks.length ? ` (${checks.join('; ')})` : ''}`);
  }
  return { healthy: problems.length === 0, problems };
}

export interface WaitSettings {
  readonly timeoutMs: number;
  /** @default 10000 */
  readonly pollMs?: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** Called with the problems of each unhealthy poll. */
  readonly onWait?: (problems: readonly string[], elapsedMs: number) => void;
  /** Ends the wait with InterruptedError (SIGINT, SIGTERM, SIGHUP). */
  readonly signal?: AbortSignal;
}

/** One client, or a new one per poll: the gates ask each node that is not rebooting in turn. */
export type ClientSource = PveClient | (() => PveClient);

const pick = (source: ClientSource): PveClient => (typeof source === 'function' ? source() : source);

/**
 * Polls `probe` until it reports no problem. An unreachable API counts as a problem (the node
 * serving it may be the one rebooting); a rejected token or any other API error ends the wait.
 */
export async function waitUntil(what: string, probe: () => Promise<readonly string[]>, settings: WaitSettings): Promise<void> {
  const started = settings.now();
  for (;;) {
    throwIfInterrupted(settings.signal, `waiting for ${what}`);
    let problems: readonly string[];
    try {
      problems = await probe();
    } catch (error) {
      if (!(error instanceof PveUnreachableError)) throw error;
      problems = [error.message];
    }
    if (!problems.length) return;
    const elapsed = settings.now() - started;
    if (elapsed >= settings.timeoutMs) throw new ClusterUnhealthyError(what, problems, elapsed);
    settings.onWait?.(problems, elapsed);
    await settings.sleep(Math.min(settings.pollMs ?? 10_000, Math.max(1, settings.timeoutMs - elapsed)));
  }
}

export async function waitClusterHealthy(client: ClientSource, settings: WaitSettings): Promise<void> {
  await waitUntil('a healthy cluster', async () => (await clusterHealth(pick(client))).problems, settings);
}

/** Seconds the node has been up, or undefined when it is not online. */
export async function nodeUptime(client: PveClient, node: string): Promise<number | undefined> {
  const entry = (await client.clusterResources('node')).find((r) => r.node === node);
  return entry && entry.status === 'online' ? entry.uptime ?? 0 : undefined;
}

/** Waits until `node` is online again with an uptime below `before` (so it did reboot). */
export async function waitNodeRebooted(client: ClientSource, node: string, before: number, settings: WaitSettings): Promise<void> {
  await waitUntil(`${node} back online after its reboot`, async () => {
    const up = await nodeUptime(pick(client), node);
    if (up === undefined) return [`${node} is offline`];
    if (up >= before) return [`${node} has not rebooted yet (up ${up} s)`];
    return [];
  }, settings);
}
