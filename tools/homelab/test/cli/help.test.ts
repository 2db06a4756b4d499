/** `homelab --help` and each command's --help, through the installed bin. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT_CODE_TABLE } from '@homelab/core';
import { REPO_ROOT, STACK_FRAME, homelab } from './run-homelab.ts';

const COMMANDS = ['plan', 'synth', 'validate', 'deploy', 'group', 'patch', 'status', 'adopt', 'drift', 'assumptions', 'rules'];

// Each test starts a real process; on a loaded machine that takes long.
describe('homelab --help', { timeout: 120_000 }, () => {
  it('lists every command and the exit-code table, exit 0', async () => {
    const r = await homelab(['--help']);
    expect(r.code, r.stderr).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^ {2}${c}\\b`, 'm'));
    for (const e of EXIT_CODE_TABLE) expect(r.stdout).toMatch(new RegExp(`^ +${e.code} +${e.name} +\\S`, 'm'));
    expect(r.stderr).toBe('');
  });

  it('works from another folder inside the repository', async () => {
    const r = await homelab(['--help'], { cwd: join(REPO_ROOT, 'packages', 'arr') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: homelab /m);
  });

  it('homelab alone: the help on stderr, exit 2 (a script that forgot the command fails)', async () => {
    const r = await homelab([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: homelab /m);
  });

  it('deploy --help: every deploy flag, --yes among them, and the environment', async () => {
    const r = await homelab(['deploy', '--help']);
    expect(r.code, r.stderr).toBe(0);
    for (const flag of ['--service <name>', '--dry-run', '--force', '--skip-smoke', '--lock-wait <seconds>', '--json', '-y, --yes', '--root <dir>']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('apply without asking (required without a terminal)');
    expect(r.stdout).toContain('HOMELAB_STATE_DIR');
  });

  it.each([
    [['plan', '--help'], ['--service <name>', '--json']],
    [['synth', '--help'], ['--service <name>', '--dry-run', '--json']],
    [['validate', '--help'], ['--service <name>', '--json']],
    [['group', 'stop', '--help'], ['<group>', '--timeout <seconds>', '--force', '--parallel <n>', '--dry-run']],
    [['patch', 'talos', '--help'], ['--image <installer>', '--health-timeout <seconds>']],
    [['status', '--help'], ['--service <name>', '--json', '--ca-file <pem>', '--insecure']],
    [['assumptions', '--help'], ['--json']],
    [['rules', '--help'], ['--json']],
  ])('%j lists its own flags', async (args, flags) => {
    const r = await homelab(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: homelab ${args.slice(0, -1).join(' ')} `, 'm'));
    for (const f of flags) expect(r.stdout).toContain(f);
  });

  it('--root: the repository named, not the current folder', async () => {
    const elsewhere = await homelab(['--root', join(REPO_ROOT, 'packages'), 'assumptions']);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain(`homelab: libs/site: the site module does not load: Cannot find module '${join(REPO_ROOT, 'packages', 'libs/site/src/index.ts')}'`);
    expect(elsewhere.stderr).not.toMatch(STACK_FRAME);
    const named = await homelab(['assumptions', '--root', REPO_ROOT], { cwd: '/' });
    expect(named.code, named.stderr).toBe(0);
    expect(named.stdout).toMatch(/^nodes\.\S+ = /m);
  });
});
