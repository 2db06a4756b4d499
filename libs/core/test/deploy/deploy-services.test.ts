/**
 * The deploy runner at the process boundary: a fake spawner records the exact argv, cwd and env
 * names of every external command and returns scripted results.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEPENDENCY_BEING_DEPLOYED, EXIT, acquireDeployLocks, deployServices, readDeployRecord, statePaths,
  type DeployUnit,
} from '../../src/index.ts';
import { FAKE_PLAN, PROVIDER_ENV, deploySetup, fakeSpawner, fakeTools, sinks, unitOf } from './helpers.ts';

const SECRET_VALUE = 's3cr3t-value-never-printed';
const ENV = {
  PATH: '/fake/bin', PROXMOX_VE_ENDPOINT: 'https://pve.invalid:8006', PROXMOX_VE_API_TOKEN: SECRET_VALUE, APP_TOKEN: SECRET_VALUE,
  TF_VAR_ssh_public_key: 'ssh-ed25519 AAAA test',
};
const provider = PROVIDER_ENV;

function setup() {
  const s = deploySetup(ENV);
  return { ...s, tf: infraArgv(s.stateDir) };
}

/** The three Terraform commands of a service: state and saved plan in the state directory, apply of that plan. */
function infraArgv(stateDir: string, bin = '/fake/bin/tofu') {
  return (svc: string) => [
    `${svc}: ${bin} init -input=false -no-color -backend-config=path=${stateDir}/terraform-state/${svc}.tfstate`,
    `${svc}: ${bin} plan -input=false -no-color -detailed-exitcode -out=${stateDir}/plans/${svc}.tfplan`,
    `${svc}: ${bin} apply -input=false -no-color ${stateDir}/plans/${svc}.tfplan`,
  ];
}

/** proxy <- idp <- app, and solo (depends on proxy only): an independent branch. */
function fleet(root: string, over: Partial<Record<string, { content?: string }>> = {}): DeployUnit[] {
  return [
    unitOf(root, 'proxy', { env: provider, smoke: true, ...over.proxy }),
    unitOf(root, 'idp', { deps: ['proxy'], env: provider, ...over.idp }),
    unitOf(root, 'app', { deps: ['proxy', 'idp'], env: [...provider, { name: 'APP_TOKEN', description: 'secret: api token', step: 'config' }], ...over.app }),
    unitOf(root, 'solo', { deps: ['proxy'], env: provider, ...over.solo }),
  ];
}

describe('deployServices: the exact commands', () => {
  it('runs init, plan, apply of the saved plan, ansible-playbook and the smoke tests with the exact argv, cwd and env names, in dependency order', async () => {
    const { root, stateDir, options, tf } = setup();
    // The tools run in a copy of dist/<svc>/ (the run directory): it holds the files when they run.
    const present: string[] = [];
    const fake = fakeSpawner((call) => {
      if (call.step === 'infra' || call.step === 'config') present.push(`${call.service} ${readdirSync(call.cwd).sort().join(',')}`);
      return call.args[0] === 'rev-parse' ? { stdout: 'abc123def456\n' } : undefined;
    });
    const summary = await deployServices(fleet(root), options({ spawner: fake.spawner }));
    expect(summary.exitCode).toBe(EXIT.ok);
    expect(fake.argv()).toEqual([
      ...tf('proxy'),
      'proxy: /fake/bin/ansible-playbook -i inventory.yml playbook.yml',
      'proxy: /fake/bin/npx --no-install vitest run packages/proxy/smoke',
      ...tf('idp'),
      'idp: /fake/bin/ansible-playbook -i inventory.yml playbook.yml',
      ...tf('solo'),
      'solo: /fake/bin/ansible-playbook -i inventory.yml playbook.yml',
      ...tf('app'),
      'app: /fake/bin/ansible-playbook -i inventory.yml playbook.yml',
    ]);
    expect(fake.argv().filter((a) => a.includes('-auto-approve'))).toEqual([]);
    const [init, , apply, play, smoke] = fake.calls.filter((c) => c.service === 'proxy');
    const run = new RegExp(`^${stateDir}/runs/proxy/\\d{8}T\\d{6}Z-${process.pid}/`);
    expect(init!.cwd).toMatch(new RegExp(`${run.source}terraform$`));
    expect(present.filter((p) => p.startsWith('proxy '))).toEqual([...Array(3).fill('proxy cdk.tf.json'), 'proxy inventory.yml,playbook.yml']);
    // Removed after the service deployed.
    expect(readdirSync(join(stateDir, 'runs', 'proxy'))).toEqual([]);
    expect(apply!.setEnv).toEqual(['CHECKPOINT_DISABLE', 'TF_CLI_CONFIG_FILE', 'TF_DATA_DIR', 'TF_IN_AUTOMATION']);
    expect(apply!.readsEnv).toEqual(['PROXMOX_VE_API_TOKEN', 'PROXMOX_VE_ENDPOINT']);
    expect(play!.cwd).toBe(join(dirname(init!.cwd), 'ansible'));
    expect(play!.setEnv).toEqual(['ANSIBLE_SSH_COMMON_ARGS', 'PYTHONUNBUFFERED']);
    expect(smoke!.cwd).toBe(root);
    expect(smoke!.setEnv).toEqual(['HOMELAB_SMOKE_TARGET']);
    const appPlay = fake.calls.find((c) => c.service === 'app' && c.step === 'config')!;
    expect(appPlay.readsEnv).toEqual(['APP_TOKEN']);
    // git, for the record, without streaming
    expect(fake.calls.filter((c) => c.step === 'record').map((c) => c.argv.join(' '))).toEqual([
      '/fake/bin/git rev-parse HEAD', '/fake/bin/git status --porcelain --untracked-files=no',
    ]);
  });

  it('passes the values of TF_CLI_CONFIG_FILE=/dev/null and CHECKPOINT_DISABLE=1, and keeps an operator\'s existing config file', async () => {
    const { root, options } = setup();
    const seen: Record<string, string>[] = [];
    const fake = fakeSpawner((call) => { if (call.step === 'infra') seen.push({ ...call.setEnv }); return undefined; });
    await deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: fake.spawner }));
    expect(seen[0]).toMatchObject({ TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' });

    const mine = join(root, 'my.tfrc');
    (await import('node:fs')).writeFileSync(mine, '');
    const seen2: Record<string, string>[] = [];
    const fake2 = fakeSpawner((call) => { if (call.step === 'infra') seen2.push({ ...call.setEnv }); return undefined; });
    await deployServices([unitOf(root, 'other', { env: provider })], options({ spawner: fake2.spawner, env: { ...ENV, TF_CLI_CONFIG_FILE: mine } }));
    expect(seen2[0]).not.toHaveProperty('TF_CLI_CONFIG_FILE');
  });

  it('uses terraform when tofu is absent, and HOMELAB_TF_BIN when set', async () => {
    const { root, options } = setup();
    const a = fakeSpawner();
    await deployServices([unitOf(root, 'x', { env: provider })], options({ spawner: a.spawner, findExecutable: fakeTools(['tofu']) }));
    expect(a.argv()[0]).toMatch(/^x: \/fake\/bin\/terraform init -input=false -no-color /);
    const b = fakeSpawner();
    await deployServices([unitOf(root, 'y', { env: provider })], options({ spawner: b.spawner, env: { ...ENV, HOMELAB_TF_BIN: 'terraform' } }));
    expect(b.argv()[0]).toMatch(/^y: \/fake\/bin\/terraform init -input=false -no-color /);
  });

  it('streams each output line with the service as prefix', async () => {
    const { root, out, options } = setup();
    const fake = fakeSpawner();
    const spawner: typeof fake.spawner = async (call, o) => {
      if (call.step === 'infra' && call.args[0] === 'apply') { o.onLine?.('Apply complete! Resources: 1 added.', 'stdout'); o.onLine?.('Warning: something', 'stderr'); }
      return fake.spawner(call, o);
    };
    await deployServices([unitOf(root, 'traefik', { env: provider })], options({ spawner }));
    expect(out.lines).toContain('[traefik] Apply complete! Resources: 1 added.');
    expect(out.errors).toContain('[traefik] Warning: something');
  });
});

describe('deployServices: failures and skips', () => {
  it('skips the dependents of a failed service, deploys the independent branch, and lists deployed / failed / skipped', async () => {
    const { root, stateDir, out, options } = setup();
    const fake = fakeSpawner((call) => (call.service === 'idp' && call.args[0] === 'apply'
      ? { exitCode: 1, stderr: 'Error: creating container: 500 storage local-lvm is full\n' } : undefined));
    const summary = await deployServices(fleet(root), options({ spawner: fake.spawner }));
    expect(summary.exitCode).toBe(EXIT.failed);
    expect(summary.result).toBe('failed');
    expect(Object.fromEntries(summary.services.map((s) => [s.service, s.status]))).toEqual({ proxy: 'deployed', idp: 'failed', solo: 'deployed', app: 'skipped' });
    expect(fake.calls.some((c) => c.service === 'app')).toBe(false);
    // The failure names the package, the step, the command and the tool's stderr.
    const idp = summary.services.find((s) => s.service === 'idp')!;
    expect(idp.error).toContain(`idp: infra failed: \`/fake/bin/tofu apply -input=false -no-color ${stateDir}/plans/idp.tfplan\` exited with code 1`);
    expect(idp.error).toContain('Error: creating container: 500 storage local-lvm is full');
    expect(idp.reason).toBe('idp: infra: tofu apply exited with code 1: Error: creating container: 500 storage local-lvm is full');
    const text = out.all();
    expect(text).toMatch(/deploy summary: 2 deployed, 0 unchanged, 1 failed, 1 skipped/);
    expect(text).toContain('skipped    app (depends on idp, which did not deploy)');
    // The record is true: idp failed after its apply started; app has none.
    expect((await readDeployRecord(stateDir, 'idp'))).toMatchObject({ status: 'failed', failedStep: 'infra' });
    expect(await readDeployRecord(stateDir, 'app')).toBeUndefined();
    expect((await readDeployRecord(stateDir, 'solo'))?.status).toBe('deployed');
  });

  it('a failed init changes nothing, so the last record stays as it was', async () => {
    const { root, stateDir, options } = setup();
    await deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: fakeSpawner().spawner }));
    const before = await readDeployRecord(stateDir, 'proxy');
    const fake = fakeSpawner((call) => (call.args[0] === 'init' ? { exitCode: 1, stderr: 'Error: Failed to query available provider packages' } : undefined));
    const summary = await deployServices([unitOf(root, 'proxy', { env: provider, content: 'v2' })], options({ spawner: fake.spawner }));
    expect(summary.services[0]).toMatchObject({ status: 'failed', step: 'infra' });
    expect(await readDeployRecord(stateDir, 'proxy')).toEqual(before);
  });

  it('a failed smoke test fails the service (recorded as failed, keeping the last good deploy)', async () => {
    const { root, stateDir, options } = setup();
    await deployServices([unitOf(root, 'proxy', { env: provider, smoke: true })], options({ spawner: fakeSpawner().spawner }));
    const fake = fakeSpawner((call) => (call.step === 'smoke' ? { exitCode: 1, stderr: 'FAIL https://proxy.example.test/ answered 502' } : undefined));
    const summary = await deployServices([unitOf(root, 'proxy', { env: provider, smoke: true, content: 'v2' })], options({ spawner: fake.spawner }));
    expect(summary.services[0]).toMatchObject({ status: 'failed', step: 'smoke' });
    const record = (await readDeployRecord(stateDir, 'proxy'))!;
    expect(record.status).toBe('failed');
    expect(record.lastDeployed?.manifest.artifacts.find((a) => a.file === 'terraform/cdk.tf.json')).toBeDefined();
  });

  it('a tool that cannot start fails its service with the reason', async () => {
    const { root, options } = setup();
    const fake = fakeSpawner((call) => (call.step === 'config' ? { exitCode: undefined, spawnError: 'ENOENT' } : undefined));
    const summary = await deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: fake.spawner }));
    expect(summary.services[0]!.reason).toBe('proxy: config: ansible-playbook could not start (ENOENT)');
  });
});

describe('deployServices: preflight before anything changes', () => {
  it('names every missing secret and provider variable in ONE error, and runs nothing', async () => {
    const { root, out, options } = setup();
    const fake = fakeSpawner();
    const env = { PATH: '/fake/bin', APP_TOKEN: '' };
    const summary = await deployServices(fleet(root), options({ spawner: fake.spawner, env }));
    expect(summary.exitCode).toBe(EXIT.refused);
    expect(fake.calls).toEqual([]);
    const missing = summary.problems.filter((p) => p.code === 'MissingEnv');
    expect(missing).toHaveLength(1);
    expect(missing[0]!.message).toMatch(/^3 environment variables are not set:/);
    for (const name of ['APP_TOKEN (set but empty)', 'PROXMOX_VE_API_TOKEN', 'PROXMOX_VE_ENDPOINT']) expect(missing[0]!.message).toContain(name);
    expect(out.all()).toContain('preflight failed; nothing was changed');
  });

  it.each([
    ['tofu and terraform', ['tofu', 'terraform'], /neither tofu nor terraform is on PATH/],
    ['ansible-playbook', ['ansible-playbook'], /ansible-playbook is not on PATH \(needed by proxy\)/],
    ['npx (smoke)', ['npx'], /npx is not on PATH \(needed by proxy\)/],
  ])('MissingTool: %s', async (_label, missing, message) => {
    const { root, options } = setup();
    const fake = fakeSpawner();
    const summary = await deployServices([unitOf(root, 'proxy', { env: provider, smoke: true })], options({ spawner: fake.spawner, findExecutable: fakeTools(missing) }));
    expect(summary.exitCode).toBe(EXIT.refused);
    expect(summary.problems.map((p) => p.code)).toEqual(['MissingTool']);
    expect(summary.problems[0]!.message).toMatch(message);
    expect(fake.calls).toEqual([]);
  });

  it('MissingTool: talosctl only for a service with Talos configs; a missing HOMELAB_TF_BIN is named', async () => {
    const { root, options } = setup();
    const s = await deployServices([unitOf(root, 'k8s', { env: provider, talos: true })], options({ spawner: fakeSpawner().spawner, findExecutable: fakeTools(['talosctl']) }));
    expect(s.problems[0]!.message).toBe('talosctl is not on PATH (needed by k8s)');
    const t = await deployServices([unitOf(root, 'x', { env: provider })], options({ spawner: fakeSpawner().spawner, env: { ...ENV, HOMELAB_TF_BIN: 'tofu-1.9' }, findExecutable: fakeTools(['tofu-1.9']) }));
    expect(t.problems[0]).toMatchObject({ code: 'MissingTool', path: 'HOMELAB_TF_BIN' });
  });

  it('HOMELAB_ANSIBLE_PLAYBOOK_BIN pins the playbook runner (npm puts /usr/bin first on PATH); a pin that finds nothing is named', async () => {
    const { root, options } = setup();
    const a = fakeSpawner();
    await deployServices([unitOf(root, 'x', { env: provider })], options({ spawner: a.spawner, env: { ...ENV, HOMELAB_ANSIBLE_PLAYBOOK_BIN: 'ansible-playbook-2.17' } }));
    expect(a.argv().find((l) => l.includes('playbook.yml'))).toMatch(/^x: \/fake\/bin\/ansible-playbook-2\.17 -i inventory\.yml playbook\.yml/);
    const b = await deployServices([unitOf(root, 'y', { env: provider })], options({ spawner: fakeSpawner().spawner, env: { ...ENV, HOMELAB_ANSIBLE_PLAYBOOK_BIN: 'ansible-gone' }, findExecutable: fakeTools(['ansible-gone']) }));
    expect(b.problems).toEqual([expect.objectContaining({ code: 'MissingTool', path: 'HOMELAB_ANSIBLE_PLAYBOOK_BIN', received: 'ansible-gone' })]);
    expect(b.exitCode).toBe(3);
  });

  it('refuses a service whose dependency (outside this deploy) last failed', async () => {
    const { root, options } = setup();
    await deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: fakeSpawner((c) => (c.args[0] === 'apply' ? { exitCode: 1 } : undefined)).spawner }));
    const fake = fakeSpawner();
    const summary = await deployServices([unitOf(root, 'idp', { deps: ['proxy'], env: provider })], options({ spawner: fake.spawner }));
    expect(summary.problems.map((p) => p.code)).toEqual(['DependencyFailed']);
    expect(fake.calls).toEqual([]);
  });
});

describe('deployServices: resume and record', () => {
  it('records package, version, artifact hashes, time and commit; a rerun skips unchanged services unless --force', async () => {
    const { root, stateDir, out, options } = setup();
    const git = (c: { args: readonly string[] }) => (c.args[0] === 'rev-parse' ? { stdout: '0123456789abcdef0123456789abcdef01234567\n' } : undefined);
    const now = () => new Date('2026-01-02T03:04:05.000Z');
    await deployServices(fleet(root), options({ spawner: fakeSpawner(git).spawner, now }));
    const record = (await readDeployRecord(stateDir, 'proxy'))!;
    expect(record).toMatchObject({
      schema: 1, service: 'proxy', package: '@t/proxy', version: '1.0.0', status: 'deployed',
      at: '2026-01-02T03:04:05.000Z', commit: '0123456789abcdef0123456789abcdef01234567', dirty: false,
    });
    expect(record.manifest.artifacts.map((a) => a.sha256)).toHaveLength(3);
    expect(record.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(statePaths.history(stateDir), 'utf8').trim().split('\n')).toHaveLength(4);

    // Rerun after app changed: only app runs.
    const rerun = fakeSpawner();
    const summary = await deployServices(fleet(root, { app: { content: 'v2' } }), options({ spawner: rerun.spawner }));
    expect(Object.fromEntries(summary.services.map((s) => [s.service, s.status]))).toEqual({ proxy: 'unchanged', idp: 'unchanged', solo: 'unchanged', app: 'deployed' });
    expect(new Set(rerun.calls.filter((c) => c.step !== 'record').map((c) => c.service))).toEqual(new Set(['app']));
    expect(out.all()).toContain('[proxy] unchanged: deployed 1.0.0 at 2026-01-02T03:04:05.000Z from 0123456789ab; skipping (--force redeploys it)');

    const all = fakeSpawner();
    const nothing = await deployServices(fleet(root, { app: { content: 'v2' } }), options({ spawner: all.spawner }));
    expect(nothing.exitCode).toBe(0);
    expect(all.calls).toEqual([]);
    const forced = fakeSpawner();
    await deployServices(fleet(root, { app: { content: 'v2' } }), options({ spawner: forced.spawner, force: true }));
    expect(new Set(forced.calls.filter((c) => c.step !== 'record').map((c) => c.service))).toEqual(new Set(['proxy', 'idp', 'solo', 'app']));
  });

  it('a rerun after a failure resumes: deployed services are skipped, the failed one and its dependents run', async () => {
    const { root, options } = setup();
    await deployServices(fleet(root), options({ spawner: fakeSpawner((c) => (c.service === 'idp' && c.args[0] === 'apply' ? { exitCode: 1 } : undefined)).spawner }));
    const rerun = fakeSpawner();
    const summary = await deployServices(fleet(root), options({ spawner: rerun.spawner }));
    expect(Object.fromEntries(summary.services.map((s) => [s.service, s.status]))).toEqual({ proxy: 'unchanged', idp: 'deployed', solo: 'unchanged', app: 'deployed' });
  });
});

describe('deployServices: --dry-run', () => {
  it('runs the preflight and prints the ordered commands with argv, cwd and env NAMES, running nothing', async () => {
    const { root, stateDir, out, options } = setup();
    const fake = fakeSpawner();
    const summary = await deployServices(fleet(root), options({ spawner: fake.spawner, dryRun: true }));
    expect(summary.result).toBe('dry-run');
    expect(summary.exitCode).toBe(0);
    expect(fake.calls).toEqual([]);
    expect(existsSync(stateDir)).toBe(false);
    const text = out.all();
    expect(text).toContain(`[proxy] 1. infra: /fake/bin/tofu init -input=false -no-color -backend-config=path=${stateDir}/terraform-state/proxy.tfstate`);
    expect(text).toContain(`      cwd: ${join(root, 'dist/proxy/terraform')}`);
    expect(text).toContain('      env: CHECKPOINT_DISABLE, TF_CLI_CONFIG_FILE, TF_DATA_DIR, TF_IN_AUTOMATION (set); PROXMOX_VE_API_TOKEN, PROXMOX_VE_ENDPOINT (read)');
    expect(text).toContain(`[proxy] 2. infra: /fake/bin/tofu plan -input=false -no-color -detailed-exitcode -out=${stateDir}/plans/proxy.tfplan`);
    expect(text).toContain('then: the plan is shown; Apply these changes to proxy? [y/N]');
    expect(text).toContain(`[proxy] 3. infra: /fake/bin/tofu apply -input=false -no-color ${stateDir}/plans/proxy.tfplan`);
    // proxy 5 (3 infra, playbook, smoke), idp, solo and app 4 each
    expect(text).toContain('[app] 17. config: /fake/bin/ansible-playbook -i inventory.yml playbook.yml');
    expect(text).toContain('      env: ANSIBLE_SSH_COMMON_ARGS, PYTHONUNBUFFERED (set); APP_TOKEN (read)');
    expect(text).not.toContain(SECRET_VALUE);
    expect(text).not.toContain('pve.invalid');
    expect(text).not.toContain('-auto-approve');
    expect(summary.commands).toHaveLength(17);
  });

  it('missing secrets and tools are warnings: every variable named with the step and services that read it, every command of every service printed, exit 0, nothing run or written', async () => {
    const { root, stateDir, out, options } = setup();
    const fake = fakeSpawner();
    const summary = await deployServices(fleet(root), options({
      spawner: fake.spawner, dryRun: true, yes: false, env: { PATH: '/fake/bin' }, findExecutable: fakeTools(['tofu', 'terraform', 'ansible-playbook']),
    }));
    expect(summary.exitCode).toBe(EXIT.ok);
    expect(fake.calls).toEqual([]);
    expect(existsSync(stateDir)).toBe(false);
    expect(summary.problems.map((p) => `${p.severity} ${p.code}`).sort()).toEqual(['warning MissingEnv', 'warning MissingTool', 'warning MissingTool']);
    const env = summary.problems.find((p) => p.code === 'MissingEnv')!;
    expect(env.message).toContain('APP_TOKEN: secret: api token (config: app)');
    expect(env.message).toContain('PROXMOX_VE_API_TOKEN: Proxmox API token (provider) (infra: proxy, idp, solo, app)');
    expect(env.message).toContain('PROXMOX_VE_ENDPOINT: Proxmox API endpoint (provider) (infra: proxy, idp, solo, app)');
    // bare names for the tools this machine lacks; all 17 commands, in order
    expect(summary.commands.map((c) => `${c.service} ${c.file} ${c.args[0]}`)).toEqual([
      'proxy tofu init', 'proxy tofu plan', 'proxy tofu apply', 'proxy ansible-playbook -i', 'proxy /fake/bin/npx --no-install',
      ...['idp', 'solo', 'app'].flatMap((s) => [`${s} tofu init`, `${s} tofu plan`, `${s} tofu apply`, `${s} ansible-playbook -i`]),
    ]);
    const text = out.all();
    expect(text).toContain('preflight found 3 warnings (what this machine lacks or the site has not measured; a real deploy refuses until it is there)');
    expect(text).toContain('warning MissingEnv at env');
    expect(text).toContain('[app] 17. config: ansible-playbook -i inventory.yml playbook.yml');
  });

  it('what is not only missing on this machine (a held lock) still refuses, with the commands printed and missing env as a warning', async () => {
    const { root, stateDir, out, options } = setup();
    const held = await acquireDeployLocks(stateDir, ['proxy']);
    try {
      const summary = await deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: fakeSpawner().spawner, dryRun: true, env: { PATH: '/fake/bin' } }));
      expect(summary.exitCode).toBe(EXIT.refused);
      expect(summary.problems.map((p) => `${p.severity ?? 'error'} ${p.code}`).sort()).toEqual(['error DeployLockHeld', 'warning MissingEnv']);
      expect(out.all()).toContain(`[proxy] 3. infra: /fake/bin/tofu apply -input=false -no-color ${stateDir}/plans/proxy.tfplan`);
    } finally {
      await held.release();
    }
  });
});

describe('deployServices: plan, confirm, apply the saved plan', () => {
  it('without --yes and without a way to ask (no terminal): refused in preflight, before any command of any service', async () => {
    const { root, stateDir, out, options } = setup();
    const fake = fakeSpawner();
    const summary = await deployServices(fleet(root), options({ spawner: fake.spawner, yes: false }));
    expect(summary.exitCode).toBe(EXIT.refused);
    expect(summary.result).toBe('preflight');
    expect(summary.problems.map((p) => p.code)).toEqual(['ConfirmationRequired']);
    expect(summary.problems[0]!.fix).toContain('add --yes to apply without a terminal');
    expect(fake.calls).toEqual([]);
    expect(existsSync(stateDir)).toBe(false);
    expect(out.all()).toContain('preflight failed; nothing was changed');
  });

  it('keeps the plan text in the record and removes the saved plan after the apply', async () => {
    const { root, stateDir, options } = setup();
    await deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: fakeSpawner().spawner }));
    const record = (await readDeployRecord(stateDir, 'proxy'))!;
    expect(record.plan).toEqual({ changes: true, text: FAKE_PLAN.stdout });
    expect(existsSync(statePaths.plan(stateDir, 'proxy'))).toBe(false);
    expect(existsSync(join(stateDir, 'terraform-state'))).toBe(true);
  });

  it('a plan without changes (exit 0 under -detailed-exitcode): apply does not run, the playbook still does', async () => {
    const { root, stateDir, out, options } = setup();
    const fake = fakeSpawner((c) => (c.args[0] === 'plan' ? { exitCode: 0, stdout: 'No changes. Your infrastructure matches the configuration.\n' } : undefined));
    const summary = await deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: fake.spawner }));
    expect(summary.exitCode).toBe(EXIT.ok);
    expect(fake.argv().map((a) => a.split(' ')[2])).toEqual(['init', 'plan', '-i']);
    expect(out.all()).toContain('[proxy] infra: the plan has no changes; tofu apply skipped');
    expect((await readDeployRecord(stateDir, 'proxy'))!.plan).toEqual({ changes: false, text: 'No changes. Your infrastructure matches the configuration.\n' });
  });

  it('a plan that fails (exit 1) fails the service and applies nothing', async () => {
    const { root, options } = setup();
    const fake = fakeSpawner((c) => (c.args[0] === 'plan' ? { exitCode: 1, stderr: 'Error: Invalid reference' } : undefined));
    const summary = await deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: fake.spawner }));
    expect(summary.services[0]).toMatchObject({ status: 'failed', step: 'infra', reason: 'proxy: infra: tofu plan exited with code 1: Error: Invalid reference' });
    expect(fake.argv().map((a) => a.split(' ')[2])).toEqual(['init', 'plan']);
  });

  it('in a terminal: asks after the plan ran and before the apply; "no" applies nothing of that service and skips its dependents (exit 3)', async () => {
    const { root, stateDir, options } = setup();
    const events: string[] = [];
    const fake = fakeSpawner((c) => { events.push(`${c.service} ${c.args[0]}`); return undefined; });
    const confirm = async (q: string) => { events.push(`ask ${q}`); return !q.includes(' idp?'); };
    const summary = await deployServices(fleet(root), options({ spawner: fake.spawner, yes: false, confirm }));
    expect(summary.exitCode).toBe(EXIT.refused);
    expect(summary.result).toBe('declined');
    expect(Object.fromEntries(summary.services.map((s) => [s.service, s.status]))).toEqual({ proxy: 'deployed', idp: 'declined', solo: 'deployed', app: 'skipped' });
    expect(events.filter((e) => !e.includes('rev-parse') && !e.includes('status'))).toEqual([
      'proxy init', 'proxy plan', 'ask Apply these changes to proxy? [y/N]', 'proxy apply', 'proxy -i', 'proxy --no-install',
      'idp init', 'idp plan', 'ask Apply these changes to idp? [y/N]',
      'solo init', 'solo plan', 'ask Apply these changes to solo? [y/N]', 'solo apply', 'solo -i',
    ]);
    expect(await readDeployRecord(stateDir, 'idp')).toBeUndefined();
    expect(existsSync(statePaths.plan(stateDir, 'idp'))).toBe(false);
  });

  it('asks before the playbook when there is no Terraform change to apply, and not at all when nothing would change', async () => {
    const { root, options } = setup();
    const asked: string[] = [];
    const confirm = async (q: string) => { asked.push(q); return true; };
    const noChanges = fakeSpawner((c) => (c.args[0] === 'plan' ? { exitCode: 0 } : undefined));
    await deployServices([unitOf(root, 'cfg', { env: provider }), unitOf(root, 'infra-only', { env: provider, config: false })], options({ spawner: noChanges.spawner, yes: false, confirm }));
    expect(asked).toEqual(['Apply these changes to cfg? [y/N]']);
    expect(noChanges.argv().filter((a) => a.startsWith('infra-only')).map((a) => a.split(' ')[2])).toEqual(['init', 'plan']);
  });

  it('with --yes nobody is asked', async () => {
    const { root, options } = setup();
    const asked: string[] = [];
    const summary = await deployServices(fleet(root), options({ spawner: fakeSpawner().spawner, yes: true, confirm: async (q) => { asked.push(q); return false; } }));
    expect(summary.exitCode).toBe(EXIT.ok);
    expect(asked).toEqual([]);
  });
});

describe('deployServices: locks', () => {
  it('a second concurrent deploy of the same service fails at once, naming the holder; nothing of it runs', async () => {
    const { root, stateDir, options } = setup();
    let releaseApply!: () => void;
    const applying = new Promise<void>((r) => { releaseApply = r; });
    let started!: () => void;
    const inApply = new Promise<void>((r) => { started = r; });
    const first = fakeSpawner(async (c) => { if (c.args[0] === 'apply') { started(); await applying; } return undefined; });
    const a = deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: first.spawner }));
    await inApply;
    const second = fakeSpawner();
    const out2 = sinks();
    const b = await deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: second.spawner, out: out2.out, err: out2.err }));
    expect(b.result).toBe('locked');
    expect(b.exitCode).toBe(EXIT.refused);
    expect(second.calls).toEqual([]);
    expect(out2.all()).toMatch(new RegExp(`proxy: another deploy holds the lock .*proxy\\.lock: pid ${process.pid} on .* since .*Nothing was changed\\. .*--lock-wait`));
    releaseApply();
    expect((await a).exitCode).toBe(0);
    expect(readdirSync(join(stateDir, 'locks'))).toEqual([]);
  });

  it('with --lock-wait the second waits, then finds the service deployed meanwhile and skips it (never interleaves)', async () => {
    const { root, options } = setup();
    let releaseApply!: () => void;
    const applying = new Promise<void>((r) => { releaseApply = r; });
    let started!: () => void;
    const inApply = new Promise<void>((r) => { started = r; });
    const order: string[] = [];
    const first = fakeSpawner(async (c) => { order.push(`A ${c.args[0]}`); if (c.args[0] === 'apply') { started(); await applying; } return undefined; });
    const a = deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: first.spawner }));
    await inApply;
    const out2 = sinks();
    const second = fakeSpawner(async (c) => { order.push(`B ${c.args[0]}`); return undefined; });
    const b = deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: second.spawner, lock: { waitMs: 10_000, pollMs: 20 }, out: out2.out, err: out2.err }));
    await new Promise((r) => setTimeout(r, 100));
    expect(out2.all()).toMatch(/proxy: waiting for the deploy lock held by pid/);
    releaseApply();
    await a;
    const result = await b;
    expect(result.services[0]!.status).toBe('unchanged');
    expect(order.filter((o) => o.startsWith('B') && !o.includes('rev-parse') && !o.includes('status'))).toEqual([]);
  });
});

describe('deployServices: a dependency another deploy is applying', () => {
  it('refuses its dependents (DependencyBeingDeployed, naming the dependency and the holder), the dry run too; nothing of them runs', async () => {
    const { root, options } = setup();
    let releaseApply!: () => void;
    const applying = new Promise<void>((r) => { releaseApply = r; });
    let started!: () => void;
    const inApply = new Promise<void>((r) => { started = r; });
    const first = fakeSpawner(async (c) => { if (c.args[0] === 'apply') { started(); await applying; } return undefined; });
    const a = deployServices([unitOf(root, 'proxy', { env: provider })], options({ spawner: first.spawner }));
    await inApply;
    for (const dryRun of [false, true]) {
      const out2 = sinks();
      const second = fakeSpawner();
      const b = await deployServices([unitOf(root, 'idp', { deps: ['proxy'], env: provider })], options({ spawner: second.spawner, dryRun, out: out2.out, err: out2.err }));
      expect(b.exitCode).toBe(EXIT.refused);
      const problem = b.problems.find((p) => p.code === DEPENDENCY_BEING_DEPLOYED)!;
      expect(problem).toMatchObject({ path: 'idp.dependsOn', received: 'proxy' });
      expect(problem.message).toMatch(new RegExp(`^idp depends on proxy, which another deploy is applying right now: pid ${process.pid} on `));
      expect(second.argv()).toEqual([]);
    }
    releaseApply();
    expect((await a).exitCode).toBe(EXIT.ok);
  });
});

describe('deployServices: interrupt', () => {
  it('Ctrl-C mid-apply: the tool is told, the rest is skipped, the locks are released, the service is recorded as failed', async () => {
    const { root, stateDir, out, options } = setup();
    const interrupt = new AbortController();
    const fake = fakeSpawner(async (call, o) => {
      if (call.service === 'proxy' && call.args[0] === 'apply') {
        setTimeout(() => interrupt.abort(), 10);
        await new Promise<void>((r) => o.signal!.addEventListener('abort', () => r(), { once: true }));
        return { exitCode: undefined, signal: 'SIGINT', interrupted: true, stderr: 'Interrupt received.\nStopping operation...' };
      }
      return undefined;
    });
    const summary = await deployServices(fleet(root), options({ spawner: fake.spawner, signal: interrupt.signal }));
    expect(summary.result).toBe('interrupted');
    expect(summary.exitCode).toBe(130);
    expect(Object.fromEntries(summary.services.map((s) => [s.service, s.status]))).toEqual({ proxy: 'failed', idp: 'skipped', solo: 'skipped', app: 'skipped' });
    expect(summary.services[0]!.reason).toBe('proxy: infra: tofu apply was interrupted (ended by SIGINT): Stopping operation...');
    expect(existsSync(statePaths.plan(stateDir, 'proxy'))).toBe(false);
    const record = (await readDeployRecord(stateDir, 'proxy'))!;
    expect(record.status).toBe('failed');
    expect(record.failedStep).toBe('infra');
    expect(readdirSync(join(stateDir, 'locks'))).toEqual([]);
    expect(fake.calls.filter((c) => c.step !== 'record').map((c) => c.argv[1])).toEqual(['init', 'plan', 'apply']);
    expect(out.all()).toContain('deploy: interrupted');
  });
});
