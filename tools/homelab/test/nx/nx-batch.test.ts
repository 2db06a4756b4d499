/**
 * synth and validate through Nx run every task of a run in one process (the homelab executor's
 * batch implementation), and Nx still treats each task as its own: each project's dist/<service>/
 * is written as one process per task writes it, cached and restored per project, and a change
 * to one package re-runs the projects `nx affected` names and no other. Run for real in a
 * throwaway copy of the workspace, as the dry-run harness does.
 *
 * Slow (each Nx start builds the project graph): one copy, one describe, steps in sequence.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDeployLocks } from '@homelab/core';
import { commitAll, throwawayWorkspace } from '../dry-run/throwaway-workspace.ts';

const SOURCE = fileURLToPath(new URL('../../../../', import.meta.url));
const RUN_TIMEOUT_MS = 15 * 60_000;
const STEP_TIMEOUT_MS = RUN_TIMEOUT_MS + 60_000;
const EXECUTOR = '@homelab/tools:homelab';

let copy: string;
let scratch: string;
let env: NodeJS.ProcessEnv;
let services: string[];

interface Run { readonly status: number | null; readonly output: string }

function nx(...args: string[]): Run {
  const r = spawnSync(join(copy, 'node_modules', '.bin', 'nx'), args, { cwd: copy, env, encoding: 'utf8', timeout: RUN_TIMEOUT_MS, maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, output: stripVTControlCharacters(`${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `\n(spawn: ${r.error.message})` : ''}`) };
}

/** Every file under dist/<service>/ with the digest of its content. */
function distOf(service: string): Record<string, string> {
  const base = join(copy, 'dist', service);
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else out[relative(base, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(base);
  return out;
}

/** The tasks Nx started (`> nx run @homelab/arr:synth`), without those it replayed from the cache. */
function ranTasks(output: string, target: string): string[] {
  const re = new RegExp(`^> nx run @homelab/([a-z0-9-]+):${target}(?!.*\\[(local|remote) cache\\])`, 'gm');
  return [...new Set([...output.matchAll(re)].map((m) => m[1]!))].sort();
}

/** The environment of the runs: nothing of the caller's Nx settings, Nx's own state inside the copy. */
function isolatedEnv(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(NX_|HOMELAB_)/.test(k)) out[k] = v;
  return {
    ...out,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_CACHE_DIRECTORY: join(copy, '.nx', 'cache'),
    NX_WORKSPACE_DATA_DIRECTORY: join(copy, '.nx', 'workspace-data'),
    HOMELAB_STATE_DIR: join(scratch, 'state'),
    // Which process runs what, not what the validators think: schema checks only (a warning outside CI).
    HOMELAB_VALIDATE_TOOLS: 'off',
    CI: '',
  };
}

let firstRun: Record<string, Record<string, string>> = {};

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'homelab-nx-batch-'));
  copy = throwawayWorkspace(SOURCE);
  rmSync(join(copy, 'dist'), { recursive: true, force: true });
  env = isolatedEnv();
  services = readdirSync(join(copy, 'packages')).filter((d) => existsSync(join(copy, 'packages', d, 'src', 'index.ts'))).sort();
}, 5 * 60_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('synth and validate through Nx, every task of a run in one process', () => {
  it('nx run-many -t synth: one process for every service; each dist/<service>/ written', () => {
    const r = nx('run-many', '-t', 'synth', '--output-style=stream');
    expect(r.status, r.output.slice(-4000)).toBe(0);
    expect(r.output).toContain(`Running ${services.length} tasks with ${EXECUTOR}`);
    expect(ranTasks(r.output, 'synth')).toEqual(services);
    for (const s of services) {
      expect(existsSync(join(copy, 'dist', s, 'manifest.json')), s).toBe(true);
      firstRun[s] = distOf(s);
    }
  }, STEP_TIMEOUT_MS);

  it('writes the same files as one process per task (--batch=false)', () => {
    const some = ['arr', 'authentik', 'traefik'];
    for (const s of some) rmSync(join(copy, 'dist', s), { recursive: true });
    const r = nx('run-many', '-t', 'synth', `--projects=${some.join(',')}`, '--batch=false', '--skip-nx-cache', '--output-style=stream');
    expect(r.status, r.output.slice(-4000)).toBe(0);
    expect(r.output).not.toContain(`tasks with ${EXECUTOR}`);
    expect(ranTasks(r.output, 'synth')).toEqual(some);
    for (const s of some) expect(distOf(s), s).toEqual(firstRun[s]);
  }, STEP_TIMEOUT_MS);

  it('cached per project: with dist/ gone, a second run runs nothing and restores each project\'s files', () => {
    rmSync(join(copy, 'dist'), { recursive: true });
    const r = nx('run-many', '-t', 'synth', '--output-style=stream');
    expect(r.status, r.output.slice(-4000)).toBe(0);
    expect(r.output).not.toContain(`tasks with ${EXECUTOR}`);
    expect(ranTasks(r.output, 'synth')).toEqual([]);
    expect(r.output).toMatch(new RegExp(`${services.length}/${services.length} hit`));
    for (const s of services) expect(distOf(s), s).toEqual(firstRun[s]);
  }, STEP_TIMEOUT_MS);

  it('a change to one package: nx affected re-runs synth of the projects it names, in one process; the others keep their files', () => {
    const pkgFile = join(copy, 'packages', 'arr', 'package.json');
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string };
    writeFileSync(pkgFile, `${JSON.stringify({ ...pkg, version: '9.9.9-batch-test' }, null, 2)}\n`);
    commitAll(copy, 'bump arr');
    const shown = nx('show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD');
    expect(shown.status, shown.output).toBe(0);
    const affected = shown.output.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('@homelab/')).map((l) => l.slice('@homelab/'.length)).sort();
    expect(affected).toContain('arr');
    expect(affected).not.toContain('traefik');
    const untouched = services.filter((s) => !affected.includes(s));
    const mtimes = new Map(untouched.map((s) => [s, statSync(join(copy, 'dist', s, 'manifest.json')).mtimeMs]));

    const r = nx('affected', '-t', 'synth', '--base=HEAD~1', '--head=HEAD', '--output-style=stream');
    expect(r.status, r.output.slice(-4000)).toBe(0);
    expect(ranTasks(r.output, 'synth')).toEqual(affected);
    if (affected.length > 1) expect(r.output).toContain(`Running ${affected.length} tasks with ${EXECUTOR}`);
    expect((JSON.parse(readFileSync(join(copy, 'dist', 'arr', 'manifest.json'), 'utf8')) as { version: string }).version).toBe('9.9.9-batch-test');
    for (const s of untouched) {
      expect(statSync(join(copy, 'dist', s, 'manifest.json')).mtimeMs, s).toBe(mtimes.get(s));
      expect(distOf(s), s).toEqual(firstRun[s]);
    }
  }, STEP_TIMEOUT_MS);

  it('validate: synth and validate of each project in one process, each task with its own report', () => {
    const some = ['proxmox', 'traefik'];
    const r = nx('run-many', '-t', 'validate', `--projects=${some.join(',')}`, '--skip-nx-cache', '--output-style=stream');
    expect(r.status, r.output.slice(-4000)).toBe(0);
    expect(r.output).toContain(`Running 4 tasks with ${EXECUTOR}`);
    expect(ranTasks(r.output, 'validate')).toEqual(some);
    for (const s of some) {
      const own = r.output.split(`> nx run @homelab/${s}:validate`)[1]?.split('> nx run ')[0] ?? '';
      expect(own, s).toMatch(/^Validation: \d+ checks on generated files/m);
    }
  }, STEP_TIMEOUT_MS);

  it('a task that fails fails alone: synth of a service whose deploy holds its lock is refused, the others are written', async () => {
    const locks = await acquireDeployLocks(join(scratch, 'state'), ['traefik'], { purpose: 'deploy' });
    try {
      const before = distOf('traefik');
      const r = nx('run-many', '-t', 'synth', '--projects=traefik,proxmox', '--skip-nx-cache', '--output-style=stream');
      expect(r.status, r.output.slice(-4000)).not.toBe(0);
      expect(r.output).toMatch(/synth: traefik: dist\/traefik\/ is not rewritten while a deploy of it holds its lock/);
      const failed = (r.output.split('Failed tasks:')[1] ?? '').split('\n').map((l) => l.trim()).filter((l) => l.startsWith('- ')).map((l) => l.slice(2));
      expect(failed).toEqual(['@homelab/traefik:synth']);
      expect(distOf('traefik')).toEqual(before);
    } finally {
      await locks.release();
    }
  }, STEP_TIMEOUT_MS);
});
