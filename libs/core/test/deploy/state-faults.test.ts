/**
 * The deploy state directory under faults: the in-progress record written before the first
 * change, a corrupt record, a state directory that is a file, one that becomes unwritable after
 * an apply (made read-only by the stand-in tool itself: chmod, and as root chattr +i, because
 * root ignores modes), and the modes of everything deploy writes. Real files throughout.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deployServices, EXIT, readDeployRecord, statePaths } from '../../src/index.ts';
import { PROVIDER_ENV, deploySetup, fakeSpawner, unitOf } from './helpers.ts';

const ENV = { PATH: '/fake/bin', PROXMOX_VE_ENDPOINT: 'https://pve.invalid:8006', PROXMOX_VE_API_TOKEN: 'pve-token-value' };
const provider = PROVIDER_ENV;

const setup = () => deploySetup(ENV);

const isRoot = process.getuid?.() === 0;
const frozen: string[] = [];
/** What an operator (or a full disk) does to a directory: no more writes in it, for root too. */
function makeReadOnly(dir: string): void {
  chmodSync(dir, 0o500);
  if (isRoot) execFileSync('chattr', ['+i', dir]);
  frozen.push(dir);
}
afterEach(() => {
  for (const dir of frozen.splice(0)) {
    if (isRoot) execFileSync('chattr', ['-i', dir]);
    chmodSync(dir, 0o700);
  }
});

const mode = (path: string) => `0${(statSync(path).mode & 0o777).toString(8)}`;

describe('deploy state: the in-progress record', () => {
  it('is on disk, fsynced, before the first change; a deploy killed there leaves it, and the rerun redeploys saying the last run did not finish', async () => {
    const { root, stateDir, out, options } = setup();
    const seen: string[] = [];
    const snapshot = join(root, 'killed-here.json');
    const fake = fakeSpawner((call) => {
      const record = statePaths.record(stateDir, 'proxy');
      if (call.args[0] === 'plan') seen.push(`plan: ${existsSync(record) ? 'record' : 'no record'}`);
      if (call.args[0] === 'apply') {
        seen.push(`apply: ${JSON.parse(readFileSync(record, 'utf8')).status}`);
        copyFileSync(record, snapshot); // what a kill -9 at this moment leaves behind
      }
      return undefined;
    });
    const first = await deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: fake.spawner }));
    expect(first.exitCode).toBe(EXIT.ok);
    expect(seen).toEqual(['plan: no record', 'apply: in-progress']);
    const left = JSON.parse(readFileSync(snapshot, 'utf8'));
    expect(left).toMatchObject({ status: 'in-progress', startedStep: 'infra', pid: process.pid, service: 'proxy', plan: { changes: true } });
    // No temporary file is left beside the record.
    expect(readdirSync(join(stateDir, 'deployed'))).toEqual(['proxy.json']);

    copyFileSync(snapshot, statePaths.record(stateDir, 'proxy'));
    const rerun = fakeSpawner();
    const second = await deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: rerun.spawner }));
    expect(second.services[0]!.status).toBe('deployed');
    expect(rerun.argv().some((a) => a.includes(' apply '))).toBe(true);
    expect(out.all()).toContain(`[proxy] the last deploy did not finish: in progress since ${left.at} (pid ${process.pid} on ${left.host}), before infra; it was interrupted or killed (or still runs, holding the lock), so proxy is deployed again`);
    expect((await readDeployRecord(stateDir, 'proxy'))!.status).toBe('deployed');
  });

  it('an in-progress dependency blocks its dependents like a failed one, saying it did not finish', async () => {
    const { root, stateDir, out, options } = setup();
    const fake = fakeSpawner((call) => {
      if (call.args[0] === 'apply') copyFileSync(statePaths.record(stateDir, 'proxy'), join(root, 'p.json'));
      return undefined;
    });
    await deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: fake.spawner }));
    copyFileSync(join(root, 'p.json'), statePaths.record(stateDir, 'proxy'));
    const app = fakeSpawner();
    const summary = await deployServices([unitOf(root, 'app', { env: provider, deps: ['proxy'] })], options({ spawner: app.spawner }));
    expect(summary.exitCode).toBe(EXIT.refused);
    expect(app.calls).toEqual([]);
    expect(out.all()).toMatch(/app depends on proxy, whose last deploy did not finish \(in progress since .*: interrupted, or still running\)/);
  });
});

describe('deploy state: errors name the file and end cleanly', () => {
  it.each([
    ['not JSON', '{"schema": 1, "service": "proxy",', /deployed\/proxy\.json: is not a homelab deploy record of proxy: not JSON/],
    ['a foreign schema', '{"schema": 9, "service": "proxy"}', /deployed\/proxy\.json: is not a homelab deploy record of proxy: its schema is 9, this homelab reads schema 1/],
    ['no manifest', '{"schema": 1, "service": "proxy", "status": "deployed", "version": "1", "at": "x"}', /its manifest is missing/],
  ])('a corrupt record (%s): named in the preflight with the fix; nothing runs; exit 3', async (_what, content, message) => {
    const { root, stateDir, out, options } = setup();
    mkdirSync(join(stateDir, 'deployed'), { recursive: true });
    writeFileSync(statePaths.record(stateDir, 'proxy'), content);
    const fake = fakeSpawner();
    const summary = await deployServices([unitOf(root, 'proxy', { env: provider }), unitOf(root, 'app', { env: provider, deps: ['proxy'] })], options({ spawner: fake.spawner }));
    expect(summary.exitCode).toBe(EXIT.refused);
    expect(summary.result).toBe('preflight');
    expect(fake.calls).toEqual([]);
    const text = out.all();
    expect(text).toMatch(message);
    expect(text).toContain(`Move it away (mv ${statePaths.record(stateDir, 'proxy')} ${statePaths.record(stateDir, 'proxy')}.broken)`);
    expect(text).not.toContain('internal error');
  });

  it('a state directory that is a regular file: the preflight names it (a dry run too); nothing runs; exit 3', async () => {
    const { root, stateDir, out, options } = setup();
    writeFileSync(stateDir, 'not a directory\n');
    for (const dryRun of [false, true]) {
      const fake = fakeSpawner();
      const summary = await deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: fake.spawner, dryRun }));
      expect(summary.exitCode).toBe(EXIT.refused);
      expect(fake.calls).toEqual([]);
      expect(summary.problems.map((p) => p.code)).toContain('StateDirNotDirectory');
    }
    expect(out.all()).toContain(`${stateDir} is a regular file, but deploy keeps its state there and needs a directory`);
    expect(out.all()).toContain(`fix: Move the file away (mv ${stateDir} ${stateDir}.old), or set HOMELAB_STATE_DIR to a directory`);
    expect(readFileSync(stateDir, 'utf8')).toBe('not a directory\n');
  });

  it('a subdirectory that is a file, and a state directory this user cannot write: both named in the preflight at once', async () => {
    const { root, stateDir, out, options } = setup();
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(join(stateDir, 'deployed'), '');
    const locked = join(root, 'elsewhere');
    mkdirSync(locked);
    makeReadOnly(locked);
    const fake = fakeSpawner();
    const summary = await deployServices([unitOf(root, 'proxy', { env: provider })], options({
      spawner: fake.spawner, env: { ...ENV, HOMELAB_TF_STATE_DIR: join(locked, 'tfstate') },
    }));
    expect(summary.exitCode).toBe(EXIT.refused);
    expect(fake.calls).toEqual([]);
    expect(summary.problems.map((p) => `${p.code} ${p.path}`)).toEqual(expect.arrayContaining([
      `StateDirNotDirectory ${join(stateDir, 'deployed')}`, `StateDirNotWritable ${locked}`,
    ]));
    expect(out.all()).toContain(`${locked} is not writable by this user (deploy must create ${join(locked, 'tfstate')} in it)`);
  });

  it('the state directory becomes unwritable after an apply: the record error names the file, the run ends with the summary, later services are skipped, exit 1, locks released', async () => {
    const { root, stateDir, out, options } = setup();
    const fake = fakeSpawner((call) => {
      if (call.service === 'proxy' && call.args[0] === 'apply') {
        makeReadOnly(join(stateDir, 'deployed'));
        makeReadOnly(stateDir);
      }
      return undefined;
    });
    const units = [unitOf(root, 'proxy', { env: provider }), unitOf(root, 'solo', { env: provider }), unitOf(root, 'app', { env: provider, deps: ['proxy'] })];
    const summary = await deployServices(units, options({ spawner: fake.spawner }));
    expect(summary.exitCode).toBe(EXIT.failed);
    expect(summary.result).toBe('failed');
    expect(Object.fromEntries(summary.services.map((s) => [s.service, s.status]))).toEqual({ proxy: 'failed', solo: 'skipped', app: 'skipped' });
    const record = statePaths.record(stateDir, 'proxy');
    expect(summary.services[0]).toMatchObject({ step: 'record' });
    expect(summary.services[0]!.reason).toMatch(new RegExp(`^proxy: record: ${record}: cannot write the deploy record: permission denied \\(E(ACCES|PERM)\\)$`));
    const text = out.all();
    expect(text).toContain('proxy was changed, but the outcome could not be recorded; its record (if it could be written before the change) says in-progress, so the next deploy redeploys proxy');
    expect(text).toContain(`fix: Make ${join(stateDir, 'deployed')} writable by this user`);
    expect(text).toMatch(/deploy summary: 0 deployed, 0 unchanged, 1 failed, 2 skipped/);
    expect(text).toContain(`solo (not started: the state directory could not be written (${record}))`);
    expect(text).not.toContain('internal error');
    expect(fake.calls.filter((c) => c.service !== 'proxy' && c.step !== 'record')).toEqual([]);
    // The record that is there tells the truth: the apply started and did not finish recording.
    expect(JSON.parse(readFileSync(record, 'utf8')).status).toBe('in-progress');
    expect(readdirSync(join(stateDir, 'locks'))).toEqual([]);
  });
});

describe('deploy state: permissions', () => {
  it('state files are 0600 and state directories 0700; looser existing ones are tightened, and said so', async () => {
    const { root, stateDir, out, options } = setup();
    // An older homelab (or a umask of 022) left these world-readable.
    mkdirSync(join(stateDir, 'deployed'), { recursive: true, mode: 0o755 });
    chmodSync(stateDir, 0o755);
    chmodSync(join(stateDir, 'deployed'), 0o755);
    writeFileSync(statePaths.history(stateDir), '', { mode: 0o644 });
    chmodSync(statePaths.history(stateDir), 0o644);
    const fake = fakeSpawner((call) => {
      // Terraform writes its state and saved plan with the umask's mode.
      if (call.args[0] === 'apply') writeFileSync(join(stateDir, 'terraform-state', 'proxy.tfstate'), '{}', { mode: 0o644 });
      if (call.args[0] === 'plan') writeFileSync(statePaths.plan(stateDir, 'proxy'), 'plan', { mode: 0o644 });
      if (call.args[0] === 'apply') expect(mode(statePaths.plan(stateDir, 'proxy'))).toBe('0600');
      return undefined;
    });
    const summary = await deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: fake.spawner }));
    expect(summary.exitCode).toBe(EXIT.ok);
    for (const dir of [stateDir, 'deployed', 'locks', 'plans', 'terraform', 'terraform-state']) expect([dir, mode(join(stateDir, dir === stateDir ? '' : dir))]).toEqual([dir, '0700']);
    for (const file of [statePaths.record(stateDir, 'proxy'), statePaths.history(stateDir), join(stateDir, 'terraform-state', 'proxy.tfstate')]) expect([file, mode(file)]).toEqual([file, '0600']);
    expect(out.all()).toContain(`note: ${stateDir} was 0755; tightened to 0700 (state files are private to this user)`);
    expect(out.all()).toContain(`note: ${statePaths.history(stateDir)} was 0644; tightened to 0600`);
    rmSync(root, { recursive: true, force: true });
  });
});
