/**
 * The installed bin runs main.ts in its own process (no child in between): the pid deploy
 * records in its lock is the bin's pid, and Ctrl-C sent to that pid reaches deploy's handler,
 * which stops the running tool, releases the lock and exits 130. Stub tools on PATH
 * (../deploy/fixture-workspace.ts) stand in for terraform and ansible-playbook.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '@homelab/core';
import { createWorkspace, stubDir } from '../deploy/fixture-workspace.ts';
import { HOMELAB_BIN, REPO_ROOT, STACK_FRAME } from './run-homelab.ts';

/** Polls the file system (what the test waits for happens in another process). */
async function until(what: string, pred: () => boolean): Promise<void> {
  for (let i = 0; i < 2400 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!pred()) throw new Error(`timed out waiting for ${what}`);
}

describe('homelab bin and signals', () => {
  it('SIGINT to the bin reaches deploy: the tool is stopped, the lock released, exit 130', async () => {
    const ws = createWorkspace();
    const stubs = stubDir();
    const state = join(ws, 'state');
    const log = join(ws, 'log');
    const env = {
      // The stubs first (they shadow npx too); node for the bin's #! line.
      PATH: `${stubs}:${dirname(process.execPath)}`, HOME: ws, HOMELAB_SITE: './site.ts', HOMELAB_STATE_DIR: state, STUB_LOG: log, STUB_SLEEP: 'terraform:apply',
      HOMELAB_SCHEMAS_DIR: join(REPO_ROOT, 'schemas'), HOMELAB_VALIDATE_TOOLS: 'off', HOMELAB_DEBUG: '',
      // Deploy passes each tool only what it needs; the stubs' settings are the test's own.
      HOMELAB_TOOL_ENV: 'STUB_LOG,STUB_SLEEP',
      PROXMOX_VE_ENDPOINT: 'https://pve.invalid:8006', PROXMOX_VE_API_TOKEN: 'token-never-printed', TF_VAR_ssh_public_key: 'ssh-ed25519 AAAA test', IDP_SECRET: 'x',
    };
    const child = spawn(HOMELAB_BIN, ['deploy', '--service', 'proxy', '--yes', '--root', ws], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

    const lock = join(state, 'locks', 'proxy.lock');
    await until('the apply to start', () => existsSync(log) && readFileSync(log, 'utf8').includes('\tapply'));
    expect(JSON.parse(readFileSync(lock, 'utf8')).pid).toBe(child.pid);

    child.kill('SIGINT');
    const code = await exit;
    expect(code, `${stdout}\n${stderr}`).toBe(EXIT.interrupted);
    expect(stderr).toContain('deploy: SIGINT received');
    expect(readFileSync(log, 'utf8')).toMatch(/^INT terraform/m);
    expect(readdirSync(join(state, 'locks'))).toEqual([]);
    expect(stderr).not.toMatch(STACK_FRAME);
  }, 300_000);
});
