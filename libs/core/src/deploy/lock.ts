/**
 * Deploy locks: one file per service in the state directory, created atomically (O_EXCL) and
 * holding pid, host, start time and command. Two deploys of the same service never interleave:
 * the second waits up to a bound, then fails naming the holder. Per service rather than one for
 * the whole homelab, so Nx can deploy independent services in parallel; a multi-service deploy
 * takes all its locks up front, in name order (no deadlock), or none.
 *
 * Each tool runs in a process group of its own (run-tool.ts), so a `kill -9` of homelab leaves
 * the tool running. While a tool runs, its process group id is in the lock (`toolPgid`, the file
 * replaced atomically), and the lock is live while homelab's pid OR any process of that group
 * lives: a rerun refuses, naming the orphaned group and how to stop it, instead of starting a
 * second apply beside it. A lock whose pid is dead and whose tool group is gone (or had none) is
 * stale and is reclaimed. A lock from another host (a shared state directory) cannot be checked
 * and is never reclaimed automatically.
 */
import { hostname } from 'node:os';
import { renameSync, writeFileSync } from 'node:fs';
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { statePaths } from './state-dir.ts';
import { isProcessAlive, isProcessGroupAlive } from './process-liveness.ts';

export { isProcessAlive, isProcessGroupAlive } from './process-liveness.ts';

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly startedAt: string;
  readonly command: readonly string[];
  readonly service: string;
  /**
   * The process group of the tool this deploy is running right now (each tool is the leader of
   * a group of its own), while it runs.
   */
  readonly toolPgid?: number;
  /** Who holds it: a deploy (absent: a deploy), or a synth rewriting dist/<svc>/ for a moment. */
  readonly purpose?: LockPurpose;
}

export type LockPurpose = 'deploy' | 'synth';

/** How long anyone waits at least for a synth's lock: it holds it only while it writes dist/. */
export const SYNTH_LOCK_WAIT_MS = 30_000;

export const isSynthLock = (owner: LockOwner | undefined): boolean => owner?.purpose === 'synth';

export interface LockOptions {
  /**
   * How long to wait for a held lock before failing.
   * @default 0 - fail at once
   */
  readonly waitMs?: number;
  /** @default 500 */
  readonly pollMs?: number;
  /** @default process.pid */
  readonly pid?: number;
  /** @default os.hostname() */
  readonly host?: string;
  /** @default process.argv */
  readonly command?: readonly string[];
  /** Whether a pid runs on this host. @default signal 0 */
  readonly isAlive?: (pid: number) => boolean;
  /** Whether any process of a process group runs on this host. @default signal 0 to -pgid */
  readonly isGroupAlive?: (pgid: number) => boolean;
  /** Told once when a deploy starts waiting, and when it reclaims a stale lock. */
  readonly onWait?: (message: string) => void;
  readonly now?: () => Date;
  /** Stop waiting when aborted (Ctrl-C while waiting for a lock): throws LockWaitAbortedError. */
  readonly signal?: AbortSignal;
  /** @default 'deploy' */
  readonly purpose?: LockPurpose;
}

export class LockWaitAbortedError extends Error {
  constructor(readonly service: string) {
    super(`${service}: interrupted while waiting for the deploy lock; nothing was changed.`);
    this.name = 'LockWaitAbortedError';
  }
}

export function describeOwner(owner: LockOwner): string {
  const tool = owner.toolPgid !== undefined ? `; its tool runs in process group ${owner.toolPgid}` : '';
  return `pid ${owner.pid} on ${owner.host} since ${owner.startedAt} (${owner.command.join(' ') || 'unknown command'}${tool})`;
}

/**
 * What a lock file says about its holder on this host:
 * - `live`: homelab's pid runs (or the lock is unreadable, or from another host: cannot tell);
 * - `orphan`: homelab's pid is dead but the tool it started still runs in its process group;
 * - `stale`: both are gone: safe to reclaim.
 */
export type LockLiveness = 'live' | 'orphan' | 'stale';

export function lockLiveness(owner: LockOwner | undefined, options: Pick<LockOptions, 'isAlive' | 'isGroupAlive' | 'host'> = {}): LockLiveness {
  if (!owner || owner.host !== (options.host ?? hostname())) return 'live';
  if ((options.isAlive ?? isProcessAlive)(owner.pid)) return 'live';
  if (owner.toolPgid !== undefined && (options.isGroupAlive ?? isProcessGroupAlive)(owner.toolPgid)) return 'orphan';
  return 'stale';
}

/** How to stop a tool that a killed deploy left running (Terraform saves its state on SIGINT). */
export function orphanFix(pgid: number): string {
  return `Stop it with \`kill -INT -- -${pgid}\` (Terraform then saves its state; \`kill -TERM -- -${pgid}\` if it does not stop), wait until \`pgrep -g ${pgid}\` lists nothing, then deploy again: the lock is reclaimed once the group is gone.`;
}

export class DeployLockBusyError extends Error {
  constructor(readonly service: string, readonly path: string, readonly owner: LockOwner | undefined, readonly waitedMs: number) {
    const holder = owner ? describeOwner(owner) : 'an unreadable lock file';
    const waited = waitedMs >= 1000 ? ` after waiting ${Math.round(waitedMs / 1000)} s` : '';
    const orphan = owner?.toolPgid !== undefined && owner.host === hostname() && !isProcessAlive(owner.pid) && isProcessGroupAlive(owner.toolPgid);
    const fix = owner && owner.host !== hostname()
      ? `If no deploy runs on ${owner.host} any more, remove ${path}.`
      : orphan ? orphanFix(owner.toolPgid!)
        : `Wait for it to finish, or pass --lock-wait <seconds> to wait for it.`;
    const what = orphan
      ? `a deploy that is gone left its tool running: ${holder}; pid ${owner.pid} is dead, process group ${owner.toolPgid} still runs, and it holds the lock ${path}${waited}`
      : `another deploy holds the lock ${path}${waited}: ${holder}`;
    super(`${service}: ${what}. Nothing was changed. ${fix}`);
    this.name = 'DeployLockBusyError';
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined | 'absent'> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockOwner;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return 'absent';
    return undefined; // half-written or corrupt: treated as held until it is readable or old
  }
}

export interface LockState {
  readonly path: string;
  readonly owner?: LockOwner;
  /** The owner's process is dead on this host and so is its tool's process group. */
  readonly stale: boolean;
  readonly liveness: LockLiveness;
}

/** Who holds the lock of `service`, without taking it (for --dry-run, synth, dependencies). */
export async function inspectDeployLock(stateDir: string, service: string, options: Pick<LockOptions, 'isAlive' | 'isGroupAlive' | 'host'> = {}): Promise<LockState | undefined> {
  const path = statePaths.lock(stateDir, service);
  const owner = await readOwner(path);
  if (owner === 'absent') return undefined;
  const liveness = lockLiveness(owner, options);
  return { path, ...(owner ? { owner } : {}), stale: liveness === 'stale', liveness };
}

/** One line naming who holds a lock, for refusals outside deploy (synth, a dependent's preflight). */
export function describeHolder(lock: LockState): string {
  if (!lock.owner) return `an unreadable lock file ${lock.path}`;
  if (lock.liveness === 'orphan') return `the tool (process group ${lock.owner.toolPgid}) of a deploy that is gone: ${describeOwner(lock.owner)}; ${orphanFix(lock.owner.toolPgid!)}`;
  return describeOwner(lock.owner);
}

/**
 * Waits until none of `services` has a live deploy lock (for a dependency being deployed by
 * another run; a synth's lock does not count), up to `waitMs`; returns the locks still held then
 * (empty: all free). Takes no lock.
 */
export async function waitForLocksFree(stateDir: string, services: readonly string[], options: LockOptions = {}): Promise<LockState[]> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  const pollMs = options.pollMs ?? 500;
  let told = false;
  for (;;) {
    const held: LockState[] = [];
    for (const s of services) {
      const lock = await inspectDeployLock(stateDir, s, options);
      if (lock && !lock.stale && !isSynthLock(lock.owner)) held.push(lock);
    }
    if (!held.length || Date.now() >= deadline) return held;
    if (options.signal?.aborted) throw new LockWaitAbortedError(held[0]!.owner?.service ?? services[0]!);
    if (!told) {
      for (const lock of held) options.onWait?.(`waiting for the deploy of ${lock.owner?.service ?? lock.path} to finish, held by ${describeHolder(lock)} (up to ${Math.round((deadline - Date.now()) / 1000)} s)`);
      told = true;
    }
    await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
  }
}

export interface HeldLock {
  readonly service: string;
  readonly path: string;
  readonly owner: LockOwner;
}

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(owner)}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Moves a stale lock aside atomically. If, between reading it and moving it, another deploy
 * reclaimed it and took a fresh one, the moved file is that fresh lock: put it back.
 */
async function reclaim(path: string, stale: LockOwner, owner: LockOwner): Promise<void> {
  const aside = `${path}.stale-${owner.pid}-${Date.now()}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readOwner(aside);
  if (moved !== 'absent' && moved !== undefined && (moved.pid !== stale.pid || moved.startedAt !== stale.startedAt)) {
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}

async function acquireOne(stateDir: string, service: string, options: LockOptions, until: number): Promise<HeldLock> {
  let deadline = until;
  const path = statePaths.lock(stateDir, service);
  const now = options.now ?? (() => new Date());
  const owner: LockOwner = {
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    startedAt: now().toISOString(),
    command: [...(options.command ?? process.argv)],
    service,
    ...(options.purpose === 'synth' ? { purpose: 'synth' as const } : {}),
  };
  const isAlive = options.isAlive ?? isProcessAlive;
  const pollMs = options.pollMs ?? 500;
  const started = Date.now();
  let told = false;
  for (;;) {
    if (await tryCreate(path, owner)) return { service, path, owner };
    const current = await readOwner(path);
    if (current === 'absent') continue;
    if (current && lockLiveness(current, { isAlive, host: owner.host, ...(options.isGroupAlive ? { isGroupAlive: options.isGroupAlive } : {}) }) === 'stale') {
      const tool = current.toolPgid !== undefined ? ` and its tool's process group ${current.toolPgid} is gone` : '';
      options.onWait?.(`${service}: reclaiming a stale deploy lock: ${describeOwner(current)} is no longer running${tool}`);
      await reclaim(path, current, owner);
      continue;
    }
    if (options.signal?.aborted) throw new LockWaitAbortedError(service);
    // A synth holds the lock only while it writes dist/: worth a short wait even without --lock-wait.
    if (isSynthLock(current)) deadline = Math.max(deadline, started + SYNTH_LOCK_WAIT_MS);
    if (Date.now() >= deadline) throw new DeployLockBusyError(service, path, current, Date.now() - started);
    if (!told) {
      options.onWait?.(`${service}: waiting for the deploy lock held by ${current ? describeOwner(current) : 'an unreadable lock file'} (up to ${Math.round((deadline - Date.now()) / 1000)} s)`);
      told = true;
    }
    await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
  }
}

export interface DeployLocks {
  readonly held: readonly HeldLock[];
  /** Removes the lock files this process holds (only if they are still ours). Idempotent. */
  release(): Promise<void>;
  /**
   * Records (or, with undefined, clears) the process group of the tool now running for
   * `service` in its lock file, replacing the file atomically (write aside, rename). Synchronous,
   * so it is on disk before the tool can do anything: a `kill -9` of homelab a moment later
   * still leaves a lock that names the orphan.
   */
  setToolGroup(service: string, pgid: number | undefined): void;
}

function rewriteOwner(lock: HeldLock, owner: LockOwner): void {
  const aside = `${lock.path}.update-${owner.pid}`;
  writeFileSync(aside, `${JSON.stringify(owner)}\n`, { mode: 0o600 });
  renameSync(aside, lock.path);
}

async function releaseOne(lock: HeldLock): Promise<void> {
  const current = await readOwner(lock.path);
  if (current !== 'absent' && current !== undefined && current.pid === lock.owner.pid && current.startedAt === lock.owner.startedAt) {
    await unlink(lock.path).catch(() => undefined);
  }
}

/** Takes the locks of every service (sorted), waiting up to `waitMs` in all; all or none. */
export async function acquireDeployLocks(stateDir: string, services: readonly string[], options: LockOptions = {}): Promise<DeployLocks> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  const held: HeldLock[] = [];
  const release = async (): Promise<void> => {
    const all = held.splice(0);
    await Promise.all(all.map(releaseOne));
  };
  try {
    for (const service of [...new Set(services)].sort()) held.push(await acquireOne(stateDir, service, options, deadline));
  } catch (error) {
    await release();
    throw error;
  }
  const setToolGroup = (service: string, pgid: number | undefined): void => {
    const i = held.findIndex((h) => h.service === service);
    if (i < 0) return;
    const owner: { -readonly [K in keyof LockOwner]: LockOwner[K] } = { ...held[i]!.owner };
    if (pgid === undefined) delete owner.toolPgid;
    else owner.toolPgid = pgid;
    rewriteOwner(held[i]!, owner);
    held[i] = { ...held[i]!, owner };
  };
  return { held, release, setToolGroup };
}
