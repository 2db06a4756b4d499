/**
 * The one wrapper around execa: its messages (unit) and the real process path (tiny bash
 * scripts: streaming, environment, exit codes, spawn errors, interrupts to the process group).
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createExecaSpawner, formatCommand, formatEnvNames, runTool, shellQuote, ToolError, type ToolCall } from '../../src/index.ts';
import { tempDir } from './helpers.ts';

function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/bash\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function call(file: string, extra: Partial<ToolCall> = {}): ToolCall {
  return { service: 'traefik', step: 'infra', label: 'terraform apply', file, args: [], cwd: '/', setEnv: {}, readsEnv: [], mutates: true, ...extra };
}

describe('run-tool: messages', () => {
  it('quotes for display only where needed', () => {
    expect(shellQuote('-input=false')).toBe('-input=false');
    expect(shellQuote('a b')).toBe(`'a b'`);
    expect(shellQuote(`it's`)).toBe(`'it'\\''s'`);
    expect(formatCommand({ file: '/usr/bin/ansible-playbook', args: ['-i', 'inventory.yml', 'playbook.yml', '--skip-tags', 'packages,stack'] }))
      .toBe('/usr/bin/ansible-playbook -i inventory.yml playbook.yml --skip-tags packages,stack');
  });

  it('shows environment variable names, never values', () => {
    expect(formatEnvNames({ setEnv: { TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' }, readsEnv: ['PROXMOX_VE_API_TOKEN'] }))
      .toBe('CHECKPOINT_DISABLE, TF_CLI_CONFIG_FILE (set); PROXMOX_VE_API_TOKEN (read)');
    expect(formatEnvNames({ setEnv: {}, readsEnv: [] })).toBe('(none)');
  });

  it('a failure names the service, step, escaped command, exit reason and the tail of stderr; short is one line', () => {
    const e = new ToolError(call('/usr/bin/terraform', { args: ['apply', '-auto-approve'], cwd: '/work/dist/traefik/terraform' }), {
      exitCode: 1, stdout: '', durationMs: 5,
      stderr: `\u001b[31m╷\u001b[0m\n│ Error: Invalid provider configuration\n│ \n│ Provider "proxmox" requires an endpoint.\n╵\n`,
    });
    expect(e.message.split('\n')[0]).toBe('traefik: infra failed: `/usr/bin/terraform apply -auto-approve` exited with code 1 (in /work/dist/traefik/terraform)');
    expect(e.message).toContain('    │ Error: Invalid provider configuration');
    expect(e.message).not.toContain('\u001b[');
    expect(e.short).toBe('traefik: infra: terraform apply exited with code 1: ╵');
    expect(new ToolError(call('x'), { signal: 'SIGKILL', stdout: '', stderr: '', durationMs: 1 }).short).toBe('traefik: infra: terraform apply was killed by SIGKILL');
  });
});

describe('run-tool: the real process path (execa)', () => {
  it('streams stdout and stderr line by line and returns both', async () => {
    const dir = tempDir();
    const file = script(dir, 'tool', 'echo one; echo warn >&2; echo two');
    const lines: string[] = [];
    const result = await runTool(call(file), { env: { PATH: process.env.PATH }, onLine: (l, s) => lines.push(`${s}:${l}`) });
    expect(lines).toEqual(expect.arrayContaining(['stdout:one', 'stdout:two', 'stderr:warn']));
    expect(lines.filter((l) => l.startsWith('stdout'))).toEqual(['stdout:one', 'stdout:two']);
    expect(result.stdout).toBe('one\ntwo');
    expect(result.exitCode).toBe(0);
  });

  it('gives the tool the deploy environment plus what homelab sets, nothing more, in the cwd asked', async () => {
    const dir = tempDir();
    const file = script(dir, 'tool', 'echo "A=${A-unset} B=${B-unset} LEAK=${LEAK-unset} PWD=$PWD"');
    process.env.LEAK = 'from-the-test-process';
    try {
      const r = await runTool(call(file, { setEnv: { B: 'set-by-homelab' }, cwd: dir }), { env: { A: 'deploy-env', PATH: process.env.PATH } });
      expect(r.stdout).toBe(`A=deploy-env B=set-by-homelab LEAK=unset PWD=${dir}`);
    } finally {
      delete process.env.LEAK;
    }
  });

  it('throws a ToolError with the exit code and stderr', async () => {
    const dir = tempDir();
    const file = script(dir, 'tool', 'echo "Error: no such storage" >&2; exit 3');
    const error = await runTool(call(file, { args: ['apply'] }), { env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).short).toBe('traefik: infra: terraform apply exited with code 3: Error: no such storage');
  });

  it('reports a tool that cannot start', async () => {
    const error = await runTool(call('/nonexistent/terraform'), { env: {} }).catch((e: unknown) => e);
    expect((error as ToolError).short).toBe('traefik: infra: terraform apply could not start (ENOENT)');
  });

  it('on interrupt, sends SIGINT to the tool\'s whole process group and reports it as interrupted', async () => {
    const dir = tempDir();
    const log = join(dir, 'log');
    // The tool and its own child (a node process, like terraform's provider plugins) both see the
    // SIGINT: the group gets it. (A bash `&` child would ignore SIGINT, as non-interactive bash does.)
    const child = `process.on('SIGINT', () => { require('node:fs').appendFileSync(${JSON.stringify(log)}, 'child got INT\\n'); process.exit(130); }); require('node:fs').appendFileSync(${JSON.stringify(log)}, 'child ready\\n'); setTimeout(() => {}, 30000);`;
    const file = script(dir, 'tool', `trap 'echo "tool got INT" >> ${log}; exit 130' INT\n${JSON.stringify(process.execPath)} -e ${shellQuote(child)} &\necho started >> ${log}\nsleep 30 & wait $!`);
    const controller = new AbortController();
    const pending = runTool(call(file), { env: { PATH: process.env.PATH }, signal: controller.signal });
    for (let i = 0; i < 250 && !(readFileSafe(log).includes('started') && readFileSafe(log).includes('child ready')); i++) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const error = (await pending.catch((e: unknown) => e)) as ToolError;
    expect(error.interrupted).toBe(true);
    expect(error.short).toBe('traefik: infra: terraform apply was interrupted (exit code 130)');
    await new Promise((r) => setTimeout(r, 100));
    expect(readFileSafe(log)).toContain('tool got INT');
    expect(readFileSafe(log)).toContain('child got INT');
  });

  it('escalates to SIGTERM when the tool ignores SIGINT past the grace period', async () => {
    const dir = tempDir();
    const file = script(dir, 'tool', `trap '' INT\necho started\nsleep 30 & wait $!`);
    const controller = new AbortController();
    const lines: string[] = [];
    const spawner = createExecaSpawner({ graceMs: 200, killAfterMs: 2000 });
    const started = Date.now();
    const pending = runTool(call(file), { env: { PATH: process.env.PATH }, spawner, signal: controller.signal, onLine: (l) => lines.push(l) });
    for (let i = 0; i < 100 && !lines.includes('started'); i++) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const error = (await pending.catch((e: unknown) => e)) as ToolError;
    expect(error.result.signal).toBe('SIGTERM');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('does not start a command once interrupted', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = (await runTool(call('/bin/true'), { env: {}, signal: controller.signal }).catch((e: unknown) => e)) as ToolError;
    expect(error.interrupted).toBe(true);
  });
});

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
