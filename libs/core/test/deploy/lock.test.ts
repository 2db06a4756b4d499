import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { acquireDeployLocks, DeployLockBusyError, inspectDeployLock, isProcessAlive, isProcessGroupAlive, LockWaitAbortedError, statePaths, waitForLocksFree } from '../../src/index.ts';
import { tempDir } from './helpers.ts';

/** A pid that surely ran and has exited: a finished child's. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

function plantLock(stateDir: string, service: string, owner: { pid: number; host?: string; startedAt?: string; toolPgid?: number }): string {
  const path = statePaths.lock(stateDir, service);
  mkdirSync(join(stateDir, 'locks'), { recursive: true });
  writeFileSync(path, JSON.stringify({
    pid: owner.pid, host: owner.host ?? hostname(), startedAt: owner.startedAt ?? '2026-01-01T00:00:00.000Z', command: ['homelab', 'deploy'], service,
    ...(owner.toolPgid !== undefined ? { toolPgid: owner.toolPgid } : {}),
  }));
  return path;
}

describe('deploy locks', () => {
  it('holds pid, host, start time and command in the state dir, and release removes it', async () => {
    const state = tempDir();
    const locks = await acquireDeployLocks(state, ['traefik'], { command: ['homelab', 'deploy', '--service', 'traefik'] });
    const owner = JSON.parse(readFileSync(statePaths.lock(state, 'traefik'), 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, host: hostname(), command: ['homelab', 'deploy', '--service', 'traefik'], service: 'traefik' });
    expect(Date.parse(owner.startedAt)).not.toBeNaN();
    await locks.release();
    await locks.release();
    expect(existsSync(statePaths.lock(state, 'traefik'))).toBe(false);
  });

  it('a second acquire fails at once with a message naming the holder', async () => {
    const state = tempDir();
    const first = await acquireDeployLocks(state, ['traefik']);
    const error = await acquireDeployLocks(state, ['traefik']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeployLockBusyError);
    expect((error as Error).message).toMatch(new RegExp(`^traefik: another deploy holds the lock .*traefik\\.lock: pid ${process.pid} on ${hostname()} since \\S+ \\(.*\\)\\. Nothing was changed\\. Wait for it to finish, or pass --lock-wait <seconds> to wait for it\\.$`));
    await first.release();
  });

  it('waits up to the bound, then fails saying how long it waited', async () => {
    const state = tempDir();
    const first = await acquireDeployLocks(state, ['a']);
    const waits: string[] = [];
    const started = Date.now();
    const error = await acquireDeployLocks(state, ['a'], { waitMs: 1200, pollMs: 50, onWait: (m) => waits.push(m) }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1150);
    expect((error as Error).message).toContain('after waiting 1 s');
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatch(/^a: waiting for the deploy lock held by pid \d+/);
    await first.release();
  });

  it('takes the lock as soon as the holder releases it', async () => {
    const state = tempDir();
    const first = await acquireDeployLocks(state, ['a']);
    setTimeout(() => void first.release(), 150);
    const second = await acquireDeployLocks(state, ['a'], { waitMs: 5000, pollMs: 25 });
    expect(second.held.map((h) => h.service)).toEqual(['a']);
    await second.release();
  });

  it('Ctrl-C while waiting for a lock stops the wait', async () => {
    const state = tempDir();
    const first = await acquireDeployLocks(state, ['a']);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await acquireDeployLocks(state, ['a'], { waitMs: 60_000, pollMs: 20, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockWaitAbortedError);
    expect((error as Error).message).toBe('a: interrupted while waiting for the deploy lock; nothing was changed.');
    await first.release();
  });

  it('reclaims a stale lock whose process is dead on this host', async () => {
    const state = tempDir();
    const pid = deadPid();
    expect(isProcessAlive(pid)).toBe(false);
    plantLock(state, 'traefik', { pid });
    expect(await inspectDeployLock(state, 'traefik')).toMatchObject({ stale: true, owner: { pid } });
    const notes: string[] = [];
    const locks = await acquireDeployLocks(state, ['traefik'], { onWait: (m) => notes.push(m) });
    expect(notes[0]).toMatch(new RegExp(`traefik: reclaiming a stale deploy lock: pid ${pid} on .* is no longer running`));
    expect(JSON.parse(readFileSync(statePaths.lock(state, 'traefik'), 'utf8')).pid).toBe(process.pid);
    await locks.release();
  });

  it('never reclaims a lock from another host: it cannot tell whether that deploy still runs', async () => {
    const state = tempDir();
    const path = plantLock(state, 'traefik', { pid: deadPid(), host: 'other-laptop' });
    const error = await acquireDeployLocks(state, ['traefik']).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`on other-laptop since 2026-01-01T00:00:00.000Z`);
    expect((error as Error).message).toContain(`If no deploy runs on other-laptop any more, remove ${path}.`);
  });

  it('takes all the locks of a multi-service deploy or none', async () => {
    const state = tempDir();
    const held = await acquireDeployLocks(state, ['b']);
    await expect(acquireDeployLocks(state, ['c', 'a', 'b'])).rejects.toBeInstanceOf(DeployLockBusyError);
    expect(existsSync(statePaths.lock(state, 'a'))).toBe(false);
    expect(existsSync(statePaths.lock(state, 'c'))).toBe(false);
    await held.release();
  });

  it('release leaves a lock alone that is no longer ours', async () => {
    const state = tempDir();
    const mine = await acquireDeployLocks(state, ['a']);
    plantLock(state, 'a', { pid: 1, startedAt: '2030-01-01T00:00:00.000Z' });
    await mine.release();
    expect(existsSync(statePaths.lock(state, 'a'))).toBe(true);
  });

  it('records the running tool\'s process group in the lock (replacing the file) and clears it; release still removes the lock', async () => {
    const state = tempDir();
    const locks = await acquireDeployLocks(state, ['a', 'b']);
    locks.setToolGroup('a', 4242);
    expect(JSON.parse(readFileSync(statePaths.lock(state, 'a'), 'utf8'))).toMatchObject({ pid: process.pid, service: 'a', toolPgid: 4242 });
    expect(JSON.parse(readFileSync(statePaths.lock(state, 'b'), 'utf8')).toolPgid).toBeUndefined();
    locks.setToolGroup('a', undefined);
    expect(JSON.parse(readFileSync(statePaths.lock(state, 'a'), 'utf8')).toolPgid).toBeUndefined();
    locks.setToolGroup('a', 4243);
    await locks.release();
    expect(existsSync(statePaths.lock(state, 'a'))).toBe(false);
    expect(existsSync(statePaths.lock(state, 'b'))).toBe(false);
  });

  it('a lock whose pid is dead while its tool\'s process group still runs is live (an orphan): never reclaimed, refused naming the group and how to stop it; reclaimed once the group is gone', async () => {
    const state = tempDir();
    // A real tool in a process group of its own, as run-tool.ts starts them.
    const tool = spawn('/usr/bin/sleep', ['60'], { detached: true, stdio: 'ignore' });
    const exited = new Promise((r) => tool.once('exit', r));
    const pgid = tool.pid!;
    const pid = deadPid();
    try {
      expect(isProcessGroupAlive(pgid)).toBe(true);
      plantLock(state, 'traefik', { pid, toolPgid: pgid });
      expect(await inspectDeployLock(state, 'traefik')).toMatchObject({ stale: false, liveness: 'orphan' });
      const error = await acquireDeployLocks(state, ['traefik']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeployLockBusyError);
      expect((error as Error).message).toContain(`traefik: a deploy that is gone left its tool running: pid ${pid} on ${hostname()}`);
      expect((error as Error).message).toContain(`pid ${pid} is dead, process group ${pgid} still runs`);
      expect((error as Error).message).toContain(`Stop it with \`kill -INT -- -${pgid}\``);
      expect(JSON.parse(readFileSync(statePaths.lock(state, 'traefik'), 'utf8')).pid).toBe(pid);
      expect(await waitForLocksFree(state, ['traefik'], { waitMs: 300, pollMs: 50 })).toHaveLength(1);
    } finally {
      process.kill(-pgid, 'SIGKILL');
      await exited;
    }
    expect(isProcessGroupAlive(pgid)).toBe(false);
    expect(await inspectDeployLock(state, 'traefik')).toMatchObject({ stale: true, liveness: 'stale' });
    const notes: string[] = [];
    const locks = await acquireDeployLocks(state, ['traefik'], { onWait: (m) => notes.push(m) });
    expect(notes[0]).toContain(`and its tool's process group ${pgid} is gone`);
    await locks.release();
  });

  it('waitForLocksFree returns at once when no live lock is held, and as soon as the holder releases', async () => {
    const state = tempDir();
    plantLock(state, 'dead', { pid: deadPid() });
    expect(await waitForLocksFree(state, ['dead', 'none'])).toEqual([]);
    const held = await acquireDeployLocks(state, ['dep']);
    setTimeout(() => void held.release(), 150);
    const started = Date.now();
    expect(await waitForLocksFree(state, ['dep'], { waitMs: 5000, pollMs: 25 })).toEqual([]);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('a synth holds the lock only while it writes: a deploy (or another synth) waits for it without --lock-wait; a dependency check ignores it', async () => {
    const state = tempDir();
    const synth = await acquireDeployLocks(state, ['a'], { purpose: 'synth' });
    expect(JSON.parse(readFileSync(statePaths.lock(state, 'a'), 'utf8')).purpose).toBe('synth');
    expect(await waitForLocksFree(state, ['a'])).toEqual([]);
    setTimeout(() => void synth.release(), 300);
    const started = Date.now();
    const deploy = await acquireDeployLocks(state, ['a'], { pollMs: 25 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(JSON.parse(readFileSync(statePaths.lock(state, 'a'), 'utf8')).purpose).toBeUndefined();
    // A deploy's lock is not waited for without --lock-wait, not even by a synth.
    await expect(acquireDeployLocks(state, ['a'], { purpose: 'synth' })).rejects.toBeInstanceOf(DeployLockBusyError);
    expect(await waitForLocksFree(state, ['a'])).toHaveLength(1);
    await deploy.release();
  });
});
