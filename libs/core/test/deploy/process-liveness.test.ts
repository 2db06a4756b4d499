import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, isProcessGroupAlive } from '../../src/index.ts';

/**
 * A real zombie: python forks a child into a process group of its own; the child exits and the
 * parent sleeps without reaping it. Signal 0 to the group still succeeds, yet nothing runs.
 */
async function withZombieGroup(body: (zombiePid: number) => void): Promise<void> {
  const parent = spawn('python3', ['-c', [
    'import os, sys, time',
    'pid = os.fork()',
    'if pid == 0:',
    '    os.setpgid(0, 0)',
    '    os._exit(0)',
    'print(pid, flush=True)',
    'time.sleep(30)',
  ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((r) => parent.once('exit', r));
  try {
    const zombiePid = await new Promise<number>((resolve) => parent.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
    // Wait until the child has exited (its state turns Z).
    for (let i = 0; i < 100 && isProcessAlive(zombiePid); i += 1) await new Promise((r) => setTimeout(r, 20));
    body(zombiePid);
  } finally {
    parent.kill('SIGKILL');
    await exited;
  }
}

describe('process liveness', () => {
  it('a process group whose only member is a zombie is gone, though signal 0 to it still succeeds', async () => {
    await withZombieGroup((zombie) => {
      expect(() => process.kill(-zombie, 0)).not.toThrow();
      expect(isProcessGroupAlive(zombie)).toBe(false);
      expect(isProcessAlive(zombie)).toBe(false);
    });
  });

  it('a running group and a running process are alive; a reaped one is not', async () => {
    const tool = spawn('/usr/bin/sleep', ['30'], { detached: true, stdio: 'ignore' });
    const exited = new Promise((r) => tool.once('exit', r));
    expect(isProcessGroupAlive(tool.pid!)).toBe(true);
    expect(isProcessAlive(tool.pid!)).toBe(true);
    expect(isProcessAlive(process.pid)).toBe(true);
    process.kill(-tool.pid!, 'SIGKILL');
    await exited;
    expect(isProcessGroupAlive(tool.pid!)).toBe(false);
    expect(isProcessAlive(tool.pid!)).toBe(false);
  });

  it('pgid 0, 1 and non-integers are never a tool group (signal 0 to them means "my group" or "everyone")', () => {
    expect(isProcessGroupAlive(0)).toBe(false);
    expect(isProcessGroupAlive(1)).toBe(false);
    expect(isProcessGroupAlive(1.5)).toBe(false);
  });
});
