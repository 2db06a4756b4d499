/**
 * One deploy at a time, for real (issue 9, section 2): `homelab deploy` and `homelab synth` as
 * real processes, real signals (SIGHUP, SIGKILL), and stand-in tools (fixture-workspace.ts) that
 * hold at a chosen step until the test releases them (`STUB_HOLD_AT`, `STUB_HOLD`), so every
 * overlap happens at a known moment instead of after a guessed sleep.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive, isProcessGroupAlive } from '@homelab/core';
import { CLI, REPO_ROOT, createWorkspace, stubDir } from './fixture-workspace.ts';

let ws: string;
let stubs: string;
let run = 0;

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

function startCli(args: string[], env: Record<string, string>): { child: ReturnType<typeof spawn>; done: Promise<Run> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args, '--root', ws], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  const done = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** A fresh state dir, log and hold file per call; every variable deploy needs. */
function envFor(extra: Record<string, string> = {}): { env: Record<string, string>; state: string; log: string; hold: string } {
  run += 1;
  const state = join(ws, `state-${run}`);
  const log = join(ws, `log-${run}`);
  const hold = join(ws, `hold-${run}`);
  const env: Record<string, string> = {
    PATH: stubs, HOME: ws, HOMELAB_SITE: './site.ts', HOMELAB_STATE_DIR: state, STUB_LOG: log, STUB_HOLD: hold,
    HOMELAB_SCHEMAS_DIR: join(REPO_ROOT, 'schemas'), HOMELAB_VALIDATE_TOOLS: 'off',
    PROXMOX_VE_ENDPOINT: 'https://pve.invalid:8006', PROXMOX_VE_API_TOKEN: 'pve-token', TF_VAR_ssh_public_key: 'ssh-ed25519 AAAA test', IDP_SECRET: 'idp-secret',
    // Tools get only what their service needs (tool-env.ts): the stand-ins' controls are passed on by name.
    HOMELAB_TOOL_ENV: 'STUB_LOG,STUB_FAIL,STUB_PLAN,STUB_SLEEP,STUB_HOLD,STUB_HOLD_AT,STUB_HOLD_CHECK,STUB_HOLD_EXIT',
    ...extra,
  };
  return { env, state, log, hold };
}

const lines = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
/** The tool calls the stand-ins logged: `name cwd args...`. */
const calls = (log: string) => lines(log).filter((l) => l.includes('\t')).map((l) => l.split('\t'));
/** The pid of the stand-in holding at `name` (it leads its own process group). */
const holder = (log: string, name: string) => Number(lines(log).find((l) => l.startsWith(`HOLD ${name} `))?.split(' ')[2]);

async function waitFor(pred: () => boolean, ms = 150_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lockFile = (state: string, svc: string) => join(state, 'locks', `${svc}.lock`);
const readLock = (state: string, svc: string) => JSON.parse(readFileSync(lockFile(state, svc), 'utf8')) as { pid: number; toolPgid?: number };
const record = (state: string, svc: string) => JSON.parse(readFileSync(join(state, 'deployed', `${svc}.json`), 'utf8')) as { status: string; failedStep?: string };

beforeAll(() => {
  ws = createWorkspace();
  stubs = stubDir();
});

describe('homelab deploy: one deploy at a time, for real (real processes and signals)', () => {
  it('SIGHUP mid-apply (a dropped SSH session): the tool is stopped, the service recorded failed, the lock released, the summary printed, exit 130', async () => {
    const { env, state, log } = envFor({ STUB_HOLD_AT: 'terraform:apply' });
    const first = startCli(['deploy', '--service', 'proxy', '--yes', '--skip-smoke'], env);
    await waitFor(() => holder(log, 'terraform') > 0);
    const tool = holder(log, 'terraform');
    // The lock names the running tool's process group while it runs.
    await waitFor(() => readLock(state, 'proxy').toolPgid !== undefined, 10_000);
    expect(readLock(state, 'proxy')).toMatchObject({ pid: first.child.pid, toolPgid: tool });

    first.child.kill('SIGHUP');
    const r = await first.done;
    expect(r.signal).toBeNull();
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('deploy: SIGHUP received: stopping the running tool (SIGINT)');
    expect(lines(log)).toContain('INT terraform');
    expect(isProcessAlive(tool)).toBe(false);
    expect(r.stdout).toMatch(/deploy summary \(interrupted\): 0 deployed, 0 unchanged, 1 failed, 0 skipped/);
    expect(existsSync(lockFile(state, 'proxy'))).toBe(false);
    expect(record(state, 'proxy')).toMatchObject({ status: 'failed', failedStep: 'infra' });
    expect(calls(log).filter((c) => c[0] === 'ansible-playbook')).toEqual([]);
  }, 300_000);

  it('kill -9 of homelab mid-apply: a rerun refuses while the orphaned tool runs, naming its process group and how to stop it; once the orphan exited, the rerun reclaims the lock', async () => {
    const { env, state, log, hold } = envFor({ STUB_HOLD_AT: 'terraform:apply' });
    const first = startCli(['deploy', '--service', 'proxy', '--yes', '--skip-smoke'], env);
    await waitFor(() => holder(log, 'terraform') > 0);
    const pgid = holder(log, 'terraform');
    await waitFor(() => readLock(state, 'proxy').toolPgid === pgid, 10_000);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    // The trade-off of the tool's own process group: it keeps running.
    expect(isProcessGroupAlive(pgid)).toBe(true);
    const applies = () => calls(log).filter((c) => c[0] === 'terraform' && c[2] === 'apply').length;
    expect(applies()).toBe(1);

    const refused = await startCli(['deploy', '--service', 'proxy', '--yes', '--skip-smoke'], { ...env, STUB_HOLD_AT: '' }).done;
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`proxy: a deploy that is gone left its tool running: pid ${first.child.pid} on ${hostname()}`);
    expect(refused.stderr).toContain(`pid ${first.child.pid} is dead, process group ${pgid} still runs, and it holds the lock ${lockFile(state, 'proxy')}`);
    expect(refused.stderr).toContain(`Stop it with \`kill -INT -- -${pgid}\``);
    expect(refused.stderr).not.toContain('reclaiming');
    expect(applies()).toBe(1);
    expect(readLock(state, 'proxy').pid).toBe(first.child.pid);

    // The orphan finishes; once its group is gone the lock is stale.
    writeFileSync(hold, '');
    await waitFor(() => !isProcessGroupAlive(pgid), 60_000);
    const rerun = await startCli(['deploy', '--service', 'proxy', '--yes', '--skip-smoke'], { ...env, STUB_HOLD_AT: '' }).done;
    expect(rerun.stderr).toContain(`proxy: reclaiming a stale deploy lock: pid ${first.child.pid} on ${hostname()}`);
    expect(rerun.stderr).toContain(`and its tool's process group ${pgid} is gone`);
    expect(rerun.code).toBe(0);
    expect(applies()).toBe(2);
    expect(existsSync(lockFile(state, 'proxy'))).toBe(false);
  }, 300_000);

  it('homelab synth while a deploy\'s playbook runs: refused (exit 3, naming the holder); the playbook runs from its own run directory, which survives; removed after success', async () => {
    const { env, state, log, hold } = envFor({ STUB_HOLD_AT: 'ansible-playbook:-i', STUB_HOLD_CHECK: 'playbook.yml' });
    const deploy = startCli(['deploy', '--service', 'proxy', '--yes', '--skip-smoke'], env);
    await waitFor(() => holder(log, 'ansible-playbook') > 0);
    const playbookCwd = calls(log).find((c) => c[0] === 'ansible-playbook')![1]!;
    expect(playbookCwd).toMatch(new RegExp(`^${state}/runs/proxy/[0-9TZ]+-${deploy.child.pid}/ansible$`));
    // Terraform ran from the same copy.
    expect(calls(log).filter((c) => c[0] === 'terraform').map((c) => c[1])).toEqual(Array(3).fill(playbookCwd.replace(/ansible$/, 'terraform')));

    const synth = await startCli(['synth'], env).done;
    expect(synth.code).toBe(3);
    expect(synth.stdout + synth.stderr).toContain(`synth: proxy: dist/proxy/ is not rewritten while a deploy of it holds its lock ${lockFile(state, 'proxy')}: pid ${deploy.child.pid} on ${hostname()}`);
    expect(synth.stdout + synth.stderr).toContain('synth: nothing was written.');
    const single = await startCli(['synth', '--service', 'proxy'], env).done;
    expect(single.code).toBe(3);
    expect(existsSync(join(playbookCwd, 'playbook.yml'))).toBe(true);

    writeFileSync(hold, '');
    const r = await deploy.done;
    expect(r.code).toBe(0);
    expect(lines(log)).not.toContain('CWD-GONE ansible-playbook');
    expect(existsSync(join(state, 'runs', 'proxy'))).toBe(true);
    expect(readdirSync(join(state, 'runs', 'proxy'))).toEqual([]);
    // With the deploy gone, synth writes again.
    expect((await startCli(['synth', '--service', 'proxy'], env).done).code).toBe(0);
  }, 300_000);

  it('a dependency another deploy is applying blocks its dependent (exit 3, naming the dependency and the holder); with --lock-wait the dependent waits and deploys after it', async () => {
    const { env, state, log, hold } = envFor({ STUB_HOLD_AT: 'terraform:apply' });
    const proxy = startCli(['deploy', '--service', 'proxy', '--yes', '--skip-smoke'], env);
    await waitFor(() => holder(log, 'terraform') > 0);
    const quiet = { ...env, STUB_HOLD_AT: '' };

    const refused = await startCli(['deploy', '--service', 'idp', '--yes', '--skip-smoke'], quiet).done;
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('error DependencyBeingDeployed at idp.dependsOn');
    expect(refused.stderr).toContain(`idp depends on proxy, which another deploy is applying right now: pid ${proxy.child.pid} on ${hostname()}`);
    expect(calls(log).filter((c) => c[1]!.includes('/idp/'))).toEqual([]);

    const waiting = startCli(['deploy', '--service', 'idp', '--yes', '--skip-smoke', '--lock-wait', '120'], quiet);
    let waitingErr = '';
    waiting.child.stderr!.on('data', (d) => { waitingErr += d; });
    await waitFor(() => waitingErr.includes('deploy: waiting for the deploy of proxy to finish'));
    expect(calls(log).filter((c) => c[1]!.includes('/idp/'))).toEqual([]);
    writeFileSync(hold, '');
    expect((await proxy.done).code).toBe(0);
    const r = await waiting.done;
    expect(r.code).toBe(0);
    const order = calls(log).map((c) => `${c[0]} ${c[1]!.includes('/idp/') ? 'idp' : 'proxy'} ${c[2]}`);
    expect(order).toEqual([
      'terraform proxy init', 'terraform proxy plan', 'terraform proxy apply', 'ansible-playbook proxy -i',
      'terraform idp init', 'terraform idp plan', 'terraform idp apply', 'ansible-playbook idp -i',
    ]);
    expect(record(state, 'idp').status).toBe('deployed');
  }, 300_000);

  it('--lock-wait on a service another deploy is applying: decided by the record that deploy wrote when it finished (failed: deploy it), never by the one read before the wait', async () => {
    const { env, state, log, hold } = envFor();
    expect((await startCli(['deploy', '--service', 'proxy', '--yes', '--skip-smoke'], env).done).code).toBe(0);
    expect(record(state, 'proxy').status).toBe('deployed');

    // A forced redeploy that will fail after holding in apply.
    const first = startCli(['deploy', '--service', 'proxy', '--yes', '--skip-smoke', '--force'], { ...env, STUB_HOLD_AT: 'terraform:apply', STUB_HOLD_EXIT: '1' });
    await waitFor(() => holder(log, 'terraform') > 0);
    // The record still says deployed, with this very manifest: read now, it would say "unchanged".
    const second = startCli(['deploy', '--service', 'proxy', '--yes', '--skip-smoke', '--lock-wait', '120'], env);
    let secondErr = '';
    second.child.stderr!.on('data', (d) => { secondErr += d; });
    let secondDone = false;
    void second.done.then(() => { secondDone = true; });
    await waitFor(() => secondErr.includes('proxy: waiting for the deploy lock held by') || secondDone);
    expect(secondDone).toBe(false);

    writeFileSync(hold, '');
    expect((await first.done).code).toBe(1);
    expect(record(state, 'proxy').status).toBe('failed');
    const r = await second.done;
    expect(r.stdout).not.toMatch(/\[proxy\] unchanged/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/deploy summary: 1 deployed, 0 unchanged, 0 failed, 0 skipped/);
    expect(record(state, 'proxy').status).toBe('deployed');
    expect(calls(log).filter((c) => c[0] === 'terraform' && c[2] === 'apply')).toHaveLength(3);
  }, 300_000);

  it('two synths of the same services at once both write (one waits for the other\'s short lock)', async () => {
    const { env, state } = envFor();
    const [a, b] = await Promise.all([startCli(['synth'], env).done, startCli(['synth'], env).done]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(readdirSync(join(state, 'locks'))).toEqual([]);
    expect(existsSync(join(ws, 'dist', 'proxy', 'ansible', 'playbook.yml'))).toBe(true);
  }, 120_000);
});
