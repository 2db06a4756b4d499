/**
 * `homelab synth` when the file system refuses a file (issue 9: a 5000-character path ended in
 * `internal error ENAMETOOLONG` with dist/app half-written): exit 1, the file named, no
 * "internal error", and the previous dist/app/ byte-identical. A real CLI process on a throwaway
 * workspace (fixture-workspace.ts).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '@homelab/core';
import { CLI, REPO_ROOT, createWorkspace } from '../deploy/fixture-workspace.ts';
import { STACK_FRAME } from './run-homelab.ts';

interface Run { code: number | null; stdout: string; stderr: string }

function synth(ws: string): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'synth', '--root', ws], { cwd: REPO_ROOT, env: { ...process.env, HOMELAB_DEBUG: '', HOMELAB_SITE: './site.ts' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('homelab synth: a file the file system cannot hold', { timeout: 240_000 }, () => {
  it('a 5000-character path: exit 1 naming the file, no internal error, the old dist/app/ byte-identical', async () => {
    const ws = createWorkspace();
    const first = await synth(ws);
    expect(first.code, first.stderr).toBe(EXIT.ok);
    const before = tree(join(ws, 'dist'));
    expect(Object.keys(before)).toContain('app/manifest.json');

    const index = join(ws, 'packages', 'app', 'src', 'index.ts');
    const long = `/etc/app/${'a'.repeat(5000)}.conf`;
    writeFileSync(index, readFileSync(index, 'utf8').replace("format: 'text' }]", `format: 'text' }, { path: '${long}', content: 'x\\n', mode: '0644', format: 'text' }]`));
    const r = await synth(ws);
    const output = `${r.stdout}${r.stderr}`;
    expect(r.code, output).toBe(EXIT.failed);
    expect(output).not.toContain('internal error');
    expect(output).not.toMatch(STACK_FRAME);
    // The file is named (shortened: 5000 characters fit no terminal line).
    expect(output).toContain('/etc/app/aaaa');
    expect(output.length).toBeLessThan(20_000);
    expect(tree(join(ws, 'dist'))).toEqual(before);
  });
});
