/**
 * Deploy locks: one file per service in the state directory, created atomically (O_EXCL) and
 * holding pid, host, start time and command. Two deploys of the same service never interleave:
 * the second waits up to a bound, then fails naming the holder. Per service rather than one for
 * the whole homelab, so Nx can deploy independent services in parallel; a multi-service deploy
 * takes all its locks up front, in name order (no deadlock), or none.
 *
 * A lock whose process is dead on this host is stale and is reclaimed. A lock from another host
 * (a shared state directory) cannot be checked and is never reclaimed automatically.
 */
import { hostname } from 'node:os';
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { statePaths } from './state-dir.ts';

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly startedAt: string;
  readonly command: readonly string[];
  readonly service: string;
}

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
  /** Told once when a deploy starts waiting, and when it reclaims a stale lock. */
  readonly onWait?: (message: string) => void;
  readonly now?: () => Date;
  /** Stop waiting when aborted (Ctrl-C while waiting for a lock): throws LockWaitAbortedError. */
  readonly signal?: AbortSignal;
}

export class LockWaitAbortedError extends Error {
  constructor(readonly service: string) {
    super(`${service}: interrupted while waiting for the deploy lock; nothing was changed.`);
    this.name = 'LockWaitAbortedError';
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as { code?: string }).code === 'EPERM';
  }
}

export function describeOwner(owner: LockOwner): string {
  return `pid ${owner.pid} on ${owner.host} since ${owner.startedAt} (${owner.command.join(' ') || 'unknown command'})`;
}

export class DeployLockBusyError extends Error {
  constructor(readonly service: string, readonly path: string, readonly owner: LockOwner | undefined, readonly waitedMs: number) {
    const holder = owner ? describeOwner(owner) : 'an unreadable lock file';
    const waited = waitedMs >= 1000 ? ` after waiting ${Math.round(waitedMs / 1000)} s` : '';
    const fix = owner && owner.host !== hostname()
      ? `If no deploy runs on ${owner.host} any more, remove ${path}.`
      : `Wait for it to finish, or pass --lock-wait <seconds> to wait for it.`;
    super(`${service}: another deploy holds the lock ${path}${waited}: ${holder}. Nothing was changed. ${fix}`);
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
  /** The owner's process is dead on this host. */
  readonly stale: boolean;
}

/** Who holds the lock of `service`, without taking it (for --dry-run). */
export async function inspectDeployLock(stateDir: string, service: string, options: Pick<LockOptions, 'isAlive' | 'host'> = {}): Promise<LockState | undefined> {
  const path = statePaths.lock(stateDir, service);
  const owner = await readOwner(path);
  if (owner === 'absent') return undefined;
  const isAlive = options.isAlive ?? isProcessAlive;
  const stale = owner !== undefined && owner.host === (options.host ?? hostname()) && !isAlive(owner.pid);
  return { path, ...(owner ? { owner } : {}), stale };
}

export interface HeldLock {
  readonly service: string;
  readonly path: string;
  readonly owner: LockOwner;
}

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true });
  try {
    const handle = await open(path, 'wx', 0o644);
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

async function acquireOne(stateDir: string, service: string, options: LockOptions, deadline: number): Promise<HeldLock> {
  const path = statePaths.lock(stateDir, service);
  const now = options.now ?? (() => new Date());
  const owner: LockOwner = {
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    startedAt: now().toISOString(),
    command: [...(options.command ?? process.argv)],
    service,
  };
  const isAlive = options.isAlive ?? isProcessAlive;
  const pollMs = options.pollMs ?? 500;
  const started = Date.now();
  let told = false;
  for (;;) {
    if (await tryCreate(path, owner)) return { service, path, owner };
    const current = await readOwner(path);
    if (current === 'absent') continue;
    if (current && current.host === owner.host && !isAlive(current.pid)) {
      options.onWait?.(`${service}: reclaiming a stale deploy lock: ${describeOwner(current)} is no longer running`);
      await reclaim(path, current, owner);
      continue;
    }
    if (options.signal?.aborted) throw new LockWaitAbortedError(service);
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
  return { held, release };
}
