/**
 * `homelab patch` and `homelab group stop` under real signals, as a real process (the installed
 * bin): SIGINT, SIGTERM and SIGHUP (a dropped SSH session) interrupt the running tool's process
 * group, start nothing further, release the locks, print a summary and exit 130. A stand-in ssh
 * sleeps until interrupted and logs the signal; group stop talks to the Proxmox test server, whose
 * shutdown task never ends.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '@homelab/core';
import { createWorkspace } from '../deploy/fixture-workspace.ts';
import { startPveTestServer, defaultCluster, type PveTestServer } from '../../../../libs/core/test/pve/pve-test-server.ts';
import { HOMELAB_BIN, REPO_ROOT, STACK_FRAME } from './run-homelab.ts';

async function until(what: string, pred: () => boolean): Promise<void> {
  for (let i = 0; i < 2400 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!pred()) throw new Error(`timed out waiting for ${what}`);
}

/** An ssh that logs its argv, then sleeps until a signal, and logs which one. */
function sleepingSsh(log: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-ssh-'));
  writeFileSync(join(dir, 'ssh'), `#!/bin/bash
echo "start $*" >> ${JSON.stringify(log)}
for sig in INT TERM HUP; do trap "echo \\"$sig ssh\\" >> ${JSON.stringify(log)}; exit 130" $sig; done
/usr/bin/sleep 60 & wait $!
`);
  chmodSync(join(dir, 'ssh'), 0o755);
  return dir;
}

function spawnBin(args: string[], env: Record<string, string>) {
  const child = spawn(HOMELAB_BIN, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exit, out: () => stdout, err: () => stderr };
}

const servers: PveTestServer[] = [];
afterEach(async () => { for (const s of servers.splice(0)) await s.close(); });

describe('fleet operations and signals (real process, real signals)', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s during patch lxc: the running ssh is interrupted, nothing further starts, the locks are released, a summary, exit 130', async (signal) => {
    const ws = createWorkspace();
    const log = join(ws, 'ssh.log');
    const state = join(ws, 'state');
    const env = {
      PATH: `${sleepingSsh(log)}:${dirname(process.execPath)}:/usr/bin:/bin`, HOME: ws, HOMELAB_SITE: './site.ts', HOMELAB_STATE_DIR: state,
      HOMELAB_SCHEMAS_DIR: join(REPO_ROOT, 'schemas'), HOMELAB_DEBUG: '',
    };
    const run = spawnBin(['patch', 'lxc', '--parallel', '1', '--root', ws], env);
    await until('the first ssh to start', () => existsSync(log) && readFileSync(log, 'utf8').includes('start'));
    const locks = readdirSync(join(state, 'locks')).sort();
    expect(locks).toContain('@fleet.lock');
    expect(JSON.parse(readFileSync(join(state, 'locks', '@fleet.lock'), 'utf8')).pid).toBe(run.child.pid);

    run.child.kill(signal);
    const code = await run.exit;
    expect(code, `${run.out()}\n${run.err()}`).toBe(EXIT.interrupted);
    const sshLog = readFileSync(log, 'utf8').trim().split('\n');
    // The tool got SIGINT (forwarded to its process group) whatever homelab received; no second ssh started.
    expect(sshLog.filter((l) => l.startsWith('start'))).toHaveLength(1);
    expect(sshLog).toContain('INT ssh');
    expect(run.err()).toContain(`homelab patch lxc: ${signal} received: interrupting the running step`);
    expect(run.out()).toMatch(new RegExp(`^patch lxc: interrupted \\(${signal}\\): 0 done, 1 failed or interrupted, 3 not started$`, 'm'));
    expect(run.err()).toContain(`homelab: patch lxc: interrupted by ${signal}; the locks are released.`);
    expect(readdirSync(join(state, 'locks'))).toEqual([]);
    expect(run.err()).not.toMatch(STACK_FRAME);
  }, 120_000);

  it('SIGHUP during group stop: no further guest is stopped, the locks are released, the unfinished task is named, exit 130', async () => {
    const ws = createWorkspace();
    const state = join(ws, 'state');
    const server = await startPveTestServer(defaultCluster({
      taskPolls: 1_000_000,
      guests: [
        { vmid: 102, node: 'n2', type: 'lxc', name: 'app', status: 'running', tags: 'homelab;svc-app;v1.0.0' },
        { vmid: 103, node: 'n2', type: 'lxc', name: 'solo', status: 'running', tags: 'homelab;svc-solo;v1.0.0' },
      ],
    }));
    servers.push(server);
    const env = {
      PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: ws, HOMELAB_SITE: './site.ts', HOMELAB_STATE_DIR: state,
      HOMELAB_SCHEMAS_DIR: join(REPO_ROOT, 'schemas'), HOMELAB_DEBUG: '',
      PROXMOX_VE_ENDPOINT: server.endpoint, PROXMOX_VE_API_TOKEN: defaultCluster().token,
    };
    const run = spawnBin(['group', 'stop', 'apps', '--parallel', '1', '--root', ws], env);
    await until('the first shutdown to be sent', () => server.requests.some((q) => q.method === 'POST'));
    expect(readdirSync(join(state, 'locks')).sort()).toEqual(['@fleet.lock', 'app.lock', 'solo.lock']);
    run.child.kill('SIGHUP');
    const code = await run.exit;
    expect(code, `${run.out()}\n${run.err()}`).toBe(EXIT.interrupted);
    expect(server.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
    expect(run.err()).toMatch(/the stop task was sent before the interrupt; Proxmox may still be carrying it out/);
    expect(run.out()).toMatch(/^group stop apps: interrupted \(SIGHUP\): 0 done, 0 failed, 1 sent but not waited for, 1 not started$/m);
    expect(readdirSync(join(state, 'locks'))).toEqual([]);
    expect(run.err()).not.toMatch(STACK_FRAME);
  }, 120_000);
});
