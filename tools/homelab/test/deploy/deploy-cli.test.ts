/**
 * `homelab deploy` as a real process, with real executables: stub scripts named terraform,
 * ansible-playbook and npx on PATH log their argv and exit as told, so this goes through the
 * real execa path, signals and all. The workspace is a throwaway one (fixture-workspace.ts).
 * The child has no terminal, so a real deploy needs --yes. Deploy validates in process first:
 * the schema checks run for real (the repository's schemas); the tool checks are switched off
 * here, because the stub terraform and ansible-playbook on PATH would stand in for the validators.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, createWorkspace, stubDir } from './fixture-workspace.ts';
import { isProcessGroupAlive } from '@homelab/core';

const TOKEN = 'pve-token-value-never-printed';
let ws: string;
let stubs: string;
let run = 0;

interface Run { code: number | null; stdout: string; stderr: string; pid: number }

function startCli(args: string[], env: Record<string, string>): { child: ReturnType<typeof spawn>; done: Promise<Run> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args, '--root', ws], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, pid: child.pid! })));
  return { child, done };
}

/** A fresh state dir and log per call; every variable deploy needs, unless overridden. */
function envFor(extra: Record<string, string | undefined> = {}): { env: Record<string, string>; state: string; log: string } {
  run += 1;
  const state = join(ws, `state-${run}`);
  const log = join(ws, `log-${run}`);
  const env: Record<string, string> = {
    PATH: stubs, HOME: ws, HOMELAB_SITE: './site.ts', HOMELAB_STATE_DIR: state, STUB_LOG: log,
    // The stubs' own settings: deploy passes a tool only what it needs, and these are the test's.
    HOMELAB_TOOL_ENV: 'STUB_LOG,STUB_FAIL,STUB_PLAN,STUB_SLEEP,STUB_READONLY',
    HOMELAB_SCHEMAS_DIR: join(REPO_ROOT, 'schemas'), HOMELAB_VALIDATE_TOOLS: 'off',
    PROXMOX_VE_ENDPOINT: 'https://pve.invalid:8006', PROXMOX_VE_API_TOKEN: TOKEN, TF_VAR_ssh_public_key: 'ssh-ed25519 AAAA test', IDP_SECRET: 'idp-secret-value',
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return { env, state, log };
}

/** Where a service's tools run: its copy of dist/<svc>/ under the state dir (`<run>`: the run id). */
const runDir = (svc: string, state: string) => `${state.replace(ws, '<ws>')}/runs/${svc}/<run>`;

/** The three Terraform calls of a service, as the stub logs them: state and saved plan under the state dir. */
const tfArgv = (svc: string, state: string) => [
  `terraform ${runDir(svc, state)}/terraform init -input=false -no-color -backend-config=path=${state.replace(ws, '<ws>')}/terraform-state/${svc}.tfstate`,
  `terraform ${runDir(svc, state)}/terraform plan -input=false -no-color -detailed-exitcode -out=${state.replace(ws, '<ws>')}/plans/${svc}.tfplan`,
  `terraform ${runDir(svc, state)}/terraform apply -input=false -no-color ${state.replace(ws, '<ws>')}/plans/${svc}.tfplan`,
];

/** Everything one service's deploy runs: terraform, the playbook, the smoke tests. */
const serviceArgv = (state: string) => (svc: string) => [
  ...tfArgv(svc, state),
  `ansible-playbook ${runDir(svc, state)}/ansible -i inventory.yml playbook.yml`,
  `npx <ws> --no-install vitest run packages/${svc}/smoke`,
];

const logOf = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split('\t')) : []);
const argvOf = (log: string) => logOf(log).filter((l) => l.length > 1).map(([name, cwd, ...args]) => `${name} ${cwd!.replace(ws, '<ws>').replace(/\/runs\/(\w+)\/\d{8}T\d{6}Z-\d+\//, '/runs/$1/<run>/')} ${args.join(' ').replaceAll(ws, '<ws>')}`);

async function waitFor(pred: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(() => {
  ws = createWorkspace();
  stubs = stubDir();
});

describe('homelab deploy (real processes, stub tools on PATH)', () => {
  it('deploys every service in dependency order with the exact argv (--parallel 1: one at a time); a rerun skips them all as unchanged', async () => {
    const { env, state, log } = envFor();
    // A stale lock from a crashed deploy (pid long gone) is reclaimed.
    mkdirSync(join(state, 'locks'), { recursive: true });
    writeFileSync(join(state, 'locks', 'proxy.lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', command: ['homelab', 'deploy'], service: 'proxy' }));

    const first = await startCli(['deploy', '--yes', '--parallel', '1'], env).done;
    expect(first.stderr).toContain('proxy: reclaiming a stale deploy lock: pid 4206649');
    expect(first.code).toBe(0);
    expect(argvOf(log)).toEqual(['proxy', 'idp', 'solo', 'app'].flatMap(serviceArgv(state)));
    expect(argvOf(log).filter((l) => l.includes('-auto-approve'))).toEqual([]);
    const envLog = readFileSync(`${log}.env`, 'utf8').split('\n');
    // Each tool gets only what its service needs: idp's secret reaches idp's playbook and nothing else.
    expect(envLog[0]).toBe('terraform TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 IDP_SECRET= HOMELAB_SMOKE_TARGET=');
    expect(envLog[4]).toBe('npx TF_CLI_CONFIG_FILE= CHECKPOINT_DISABLE= IDP_SECRET= HOMELAB_SMOKE_TARGET=test-lab');
    expect(envLog.filter((l) => l.includes('IDP_SECRET=set'))).toEqual(['ansible-playbook TF_CLI_CONFIG_FILE= CHECKPOINT_DISABLE= IDP_SECRET=set HOMELAB_SMOKE_TARGET=']);
    expect(first.stdout).toContain('[proxy] terraform: ok');
    // The plan is shown before its apply.
    const shown = first.stdout.indexOf('[proxy] Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(shown).toBeGreaterThan(-1);
    expect(first.stdout.indexOf('[proxy] infra: ', shown)).toBe(first.stdout.indexOf(`[proxy] infra: ${stubs}/terraform apply`));
    expect(first.stdout).toMatch(/deploy summary: 4 deployed, 0 unchanged, 0 failed, 0 skipped/);
    expect(first.stdout + first.stderr).not.toContain(TOKEN);
    const record = JSON.parse(readFileSync(join(state, 'deployed', 'idp.json'), 'utf8'));
    expect(record).toMatchObject({ status: 'deployed', package: '@fx/idp', version: '1.0.0', manifest: { service: 'idp' }, plan: { changes: true } });
    expect(record.plan.text).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(readdirSync(join(state, 'locks'))).toEqual([]);
    // The saved plans were written by the stub and removed after their apply.
    expect(readdirSync(join(state, 'plans'))).toEqual([]);

    const second = await startCli(['deploy', '--yes'], env).done;
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('deploy: every service is unchanged since its last deploy; nothing to do.');
    expect(argvOf(log)).toHaveLength(20);

    const forced = await startCli(['deploy', '--service', 'solo', '--force', '--yes'], env).done;
    expect(forced.code).toBe(0);
    expect(argvOf(log).slice(20)).toEqual(serviceArgv(state)('solo'));
  }, 300_000);

  it('a failing apply: its dependents are skipped, the independent service deploys, the summary lists all three kinds', async () => {
    const { env, state, log } = envFor({ STUB_FAIL: 'terraform:apply:*/runs/idp/*' });
    const r = await startCli(['deploy', '--yes'], env).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`idp: infra failed: \`${stubs}/terraform apply -input=false -no-color ${state}/plans/idp\\.tfplan\` exited with code 1 \\(in ${state}/runs/idp/\\d{8}T\\d{6}Z-${r.pid}/terraform\\)`));
    // The failed service's copy is kept for inspection; the deployed ones' are removed.
    expect(r.stderr).toMatch(new RegExp(`\\[idp\\] the files this run applied are kept for inspection in ${state}/runs/idp/\\d{8}T\\d{6}Z-${r.pid}`));
    expect(readdirSync(join(state, 'runs', 'idp'))).toHaveLength(1);
    expect(readdirSync(join(state, 'runs', 'proxy'))).toEqual([]);
    expect(r.stderr).toContain('    Error: stub terraform apply failed');
    expect(r.stdout).toMatch(/deploy summary: 2 deployed, 0 unchanged, 1 failed, 1 skipped\n {2}deployed {3}proxy \(.*\)\n {13}solo \(.*\)\n {2}failed {5}idp: infra: terraform apply exited with code 1: Error: stub terraform apply failed\n {2}skipped {4}app \(depends on idp, which did not deploy\)/);
    expect(argvOf(log).filter((l) => l.includes('/app/'))).toEqual([]);
    expect(JSON.parse(readFileSync(join(state, 'deployed', 'idp.json'), 'utf8'))).toMatchObject({ status: 'failed', failedStep: 'infra' });
    expect(existsSync(join(state, 'deployed', 'app.json'))).toBe(false);
  }, 120_000);

  it('a tool that prints a secret on stderr and fails: the secret is in no file under the state directory and in no output line', async () => {
    const { env, state } = envFor({ STUB_FAIL: 'ansible-playbook:*:*/runs/idp/*' });
    const r = await startCli(['deploy', '--yes'], env).done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[idp] Error: stub ansible-playbook -i failed (IDP_SECRET is [redacted:IDP_SECRET])');
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
    const leaks = files(state).filter((f) => readFileSync(f, 'utf8').includes('idp-secret-value'));
    expect(leaks).toEqual([]);
    expect(`${r.stdout}\n${r.stderr}`).not.toContain('idp-secret-value');
    expect(JSON.parse(readFileSync(join(state, 'deployed', 'idp.json'), 'utf8')).error).toBe('idp: config: ansible-playbook exited with code 1: Error: stub ansible-playbook -i failed (IDP_SECRET is [redacted:IDP_SECRET])');
    expect(readFileSync(join(state, 'history.jsonl'), 'utf8')).toContain('[redacted:IDP_SECRET]');
    const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
    expect([mode(state), mode(join(state, 'deployed')), mode(join(state, 'deployed', 'idp.json')), mode(join(state, 'history.jsonl'))]).toEqual(['700', '700', '600', '600']);
  }, 180_000);

  it('the state directory becomes unwritable between apply and record: the record error names the file, the summary, later services skipped, exit 1, locks gone', async () => {
    const { env, state, log } = envFor();
    env.STUB_READONLY = `${state} ${join(state, 'deployed')}`;
    try {
      const r = await startCli(['deploy', '--yes'], env).done;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`proxy: record: ${state}/deployed/proxy\\.json: cannot write the deploy record: permission denied \\(E(ACCES|PERM)\\); proxy was changed, but the outcome could not be recorded`));
      expect(r.stderr).toContain(`fix: Make ${state}/deployed writable by this user`);
      expect(r.stderr).not.toContain('internal error');
      expect(r.stdout).toMatch(/deploy summary: 0 deployed, 0 unchanged, 1 failed, 3 skipped/);
      expect(r.stdout).toContain(`solo (not started: the state directory could not be written (${state}/deployed/proxy.json))`);
      // proxy ran to its end (the record is the last step); nothing of the others started.
      expect(argvOf(log).filter((l) => !l.includes('/runs/proxy/') && !l.includes('packages/proxy/smoke'))).toEqual([]);
      expect(readdirSync(join(state, 'locks'))).toEqual([]);
      expect(JSON.parse(readFileSync(join(state, 'deployed', 'proxy.json'), 'utf8')).status).toBe('in-progress');
    } finally {
      for (const d of [state, join(state, 'deployed')]) {
        if (process.getuid?.() === 0) spawnSync('chattr', ['-i', d]);
        chmodSync(d, 0o700);
      }
    }
  }, 180_000);

  it('a missing tool: named in the preflight, nothing runs', async () => {
    const partial = stubDir(['terraform', 'npx']);
    const { env, log } = envFor({ PATH: partial });
    const r = await startCli(['deploy', '--yes'], env).done;
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('deploy: preflight failed; nothing was changed.');
    expect(r.stderr).toContain('ansible-playbook is not on PATH (needed by proxy, idp, solo, app)');
    expect(logOf(log)).toEqual([]);
  }, 120_000);

  it('missing secrets: all of them named in one error, nothing runs', async () => {
    const { env, log } = envFor({ IDP_SECRET: undefined, PROXMOX_VE_API_TOKEN: undefined, TF_VAR_ssh_public_key: '' });
    const r = await startCli(['deploy', '--yes'], env).done;
    expect(r.code).toBe(3);
    expect(r.stderr.match(/error MissingEnv/g)).toHaveLength(1);
    expect(r.stderr).toContain('2 environment variables are not set:');
    expect(r.stderr).toMatch(/IDP_SECRET: secret: idp signing key \(config: idp\)/);
    // The Proxmox token is checked apart: it may come from the token stack's stored output.
    expect(r.stderr).toMatch(/error ProviderTokenMissing at env\n\s+proxy, idp, solo, app need the Proxmox API token PROXMOX_VE_API_TOKEN: it is not exported, none is stored in .*, and no service of this homelab creates it \(none provides the hypervisor\)\n\s+received: .*\n\s+fix: Export PROXMOX_VE_API_TOKEN/);
    expect(r.stderr).toMatch(/TF_VAR_ssh_public_key \(set but empty\)/);
    expect(logOf(log)).toEqual([]);
  }, 120_000);

  it('--dry-run prints the ordered commands with cwd and env names, never values, and runs nothing', async () => {
    const { env, state, log } = envFor();
    const r = await startCli(['deploy', '--service', 'proxy', '--service', 'idp', '--dry-run'], env).done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`[proxy] 1. infra: ${stubs}/terraform init -input=false -no-color -backend-config=path=${state}/terraform-state/proxy.tfstate\n      cwd: ${ws}/dist/proxy/terraform\n      env: CHECKPOINT_DISABLE, TF_CLI_CONFIG_FILE, TF_DATA_DIR, TF_IN_AUTOMATION (set); PROXMOX_VE_API_TOKEN, PROXMOX_VE_ENDPOINT, TF_VAR_ssh_public_key (read)`);
    expect(r.stdout).toContain(`[idp] 9. config: ${stubs}/ansible-playbook -i inventory.yml playbook.yml\n      cwd: ${ws}/dist/idp/ansible\n      env: ANSIBLE_SSH_COMMON_ARGS, PYTHONUNBUFFERED (set); IDP_SECRET (read)`);
    expect(r.stdout).not.toContain(TOKEN);
    expect(r.stdout).not.toContain('idp-secret-value');
    expect(logOf(log)).toEqual([]);
    expect(existsSync(state)).toBe(false);
  }, 120_000);

  it('--infra-only: without the config step\'s secret, only terraform runs; the record says infrastructure; plan shows idp as not deployed; a full deploy then runs the rest', async () => {
    const { env, state, log } = envFor({ IDP_SECRET: undefined });
    const r = await startCli(['deploy', '--service', 'idp', '--service', 'proxy', '--infra-only', '--yes'], env).done;
    expect(r.code, r.stderr).toBe(0);
    expect(argvOf(log)).toEqual([...tfArgv('proxy', state), ...tfArgv('idp', state)]);
    expect(r.stdout).toContain('deploy summary: 0 deployed, 2 infrastructure only, 0 unchanged, 0 failed, 0 skipped');
    expect(JSON.parse(readFileSync(join(state, 'deployed', 'idp.json'), 'utf8')).status).toBe('infrastructure');
    const plan = await startCli(['plan', '--service', 'idp'], env).done;
    expect(plan.stdout).toContain('only its infrastructure is deployed (deploy --infra-only at');
    const full = await startCli(['deploy', '--service', 'idp', '--service', 'proxy', '--yes'], { ...env, IDP_SECRET: 'idp-secret-value' }).done;
    expect(full.code, full.stderr).toBe(0);
    expect(argvOf(log).slice(6)).toEqual([...serviceArgv(state)('proxy'), ...serviceArgv(state)('idp')]);
  }, 180_000);

  it('Ctrl-C mid-apply: a concurrent deploy is refused meanwhile; the tool gets SIGINT, the lock is released, the record says failed, exit 130', async () => {
    const { env, state, log } = envFor({ STUB_SLEEP: 'terraform:apply' });
    const first = startCli(['deploy', '--service', 'proxy', '--yes'], env);
    // Synth, validation and plan come first; on a loaded machine that takes a while.
    await waitFor(() => argvOf(log).some((l) => l.includes(' apply ')), 150_000);
    expect(readdirSync(join(state, 'locks'))).toEqual(['proxy.lock']);

    // A second deploy of the same service at the same time: refused, naming the holder.
    const second = await startCli(['deploy', '--service', 'proxy', '--yes'], { ...env, STUB_SLEEP: '' }).done;
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(new RegExp(`proxy: another deploy holds the lock ${state}/locks/proxy\\.lock: pid ${first.child.pid} on ${hostname()} since \\S+ \\(.*deploy --service proxy.*\\)\\. Nothing was changed\\.`));

    first.child.kill('SIGINT');
    const r = await first.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('deploy: SIGINT received: stopping the running tool (SIGINT)');
    expect(r.stderr).toContain('[proxy] terraform: interrupt received, stopping');
    expect(r.stderr).toContain(`proxy: infra failed: \`${stubs}/terraform apply -input=false -no-color ${state}/plans/proxy.tfplan\` was interrupted (exit code 130)`);
    expect(r.stdout).toMatch(/deploy summary \(interrupted\): 0 deployed, 0 unchanged, 1 failed, 0 skipped/);
    expect(logOf(log).map((l) => l[0])).toContain('INT terraform');
    expect(readdirSync(join(state, 'locks'))).toEqual([]);
    const record = JSON.parse(readFileSync(join(state, 'deployed', 'proxy.json'), 'utf8'));
    expect(record.status).toBe('failed');
    expect(record.failedStep).toBe('infra');
    // Nothing after the interrupted apply ran.
    expect(argvOf(log).filter((l) => l.startsWith('ansible-playbook'))).toEqual([]);
  }, 300_000);
});

describe('homelab deploy: killed with SIGKILL (real signal)', () => {
  it('kill -9 mid-apply leaves the in-progress record; the rerun says the last deploy did not finish and deploys the service again', async () => {
    const { env, state, log } = envFor({ STUB_SLEEP: 'terraform:apply' });
    const first = startCli(['deploy', '--service', 'proxy', '--yes', '--skip-smoke'], env);
    await waitFor(() => existsSync(`${log}.sleeping`), 150_000);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.code).toBeNull();
    // The tool runs in a group of its own and outlives homelab (docs/deploy.md, Ctrl-C); end it here.
    const toolPid = Number(readFileSync(`${log}.sleeping`, 'utf8').trim());
    try { process.kill(-toolPid, 'SIGKILL'); } catch { /* gone already */ }
    await waitFor(() => !isProcessGroupAlive(toolPid), 30_000);
    const left = JSON.parse(readFileSync(join(state, 'deployed', 'proxy.json'), 'utf8'));
    expect(left).toMatchObject({ status: 'in-progress', startedStep: 'infra', pid: first.child.pid, plan: { changes: true } });
    expect(left.plan.text).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');

    const rerun = await startCli(['deploy', '--service', 'proxy', '--yes', '--skip-smoke'], { ...env, STUB_SLEEP: '' }).done;
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain(`[proxy] the last deploy did not finish: in progress since ${left.at} (pid ${first.child.pid} on ${hostname()}), before infra`);
    expect(JSON.parse(readFileSync(join(state, 'deployed', 'proxy.json'), 'utf8')).status).toBe('deployed');
  }, 300_000);
});

describe('homelab deploy: show the plan, confirm, validate first (real processes, stub tools on PATH)', () => {
  it('--dry-run with every secret unset, on a fresh checkout: warnings name each variable and who reads it, every command of every service is printed, exit 0, no tool runs, nothing is written', async () => {
    const fresh = createWorkspace();
    const { env, state, log } = envFor({ IDP_SECRET: undefined, PROXMOX_VE_API_TOKEN: undefined, PROXMOX_VE_ENDPOINT: undefined, TF_VAR_ssh_public_key: undefined });
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'deploy', '--dry-run', '--root', fresh], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stderr).toContain('warning MissingEnv at env');
    expect(stderr).toContain('3 environment variables are not set:');
    expect(stderr).toMatch(/IDP_SECRET: secret: idp signing key \(config: idp\)/);
    expect(stderr).toContain('warning ProviderTokenMissing at env');
    expect(stdout).toContain('token: proxy, idp, solo, app: PROXMOX_VE_API_TOKEN comes from nowhere: not exported and none stored');
    expect(stderr).toMatch(/PROXMOX_VE_ENDPOINT: Proxmox API endpoint \(provider\) \(infra: proxy, idp, solo, app\)/);
    expect(stderr).toMatch(/TF_VAR_ssh_public_key: Terraform variable ssh_public_key.*\(infra: proxy, idp, solo, app\)/);
    // every service: init, plan, apply, playbook, smoke
    const numbered = stdout.split('\n').filter((l) => /^\[\w+\] \d+\. /.test(l)).map((l) => l.replace(/^\[(\w+)\] \d+\. (\w+): \S+ (\S+).*$/, '$1 $2 $3'));
    expect(numbered).toEqual(['proxy', 'idp', 'solo', 'app'].flatMap((s) => [`${s} infra init`, `${s} infra plan`, `${s} infra apply`, `${s} config -i`, `${s} smoke --no-install`]));
    expect(stdout).toContain('[app] dist/app/ is stale; deploy would re-synthesize it first');
    expect(logOf(log)).toEqual([]);
    expect(existsSync(state)).toBe(false);
    expect(existsSync(join(fresh, 'dist'))).toBe(false);
  }, 120_000);

  it('a real deploy without a terminal and without --yes is refused before any command of any service (exit 3)', async () => {
    const { env, state, log } = envFor();
    const r = await startCli(['deploy'], env).done;
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('error ConfirmationRequired at --yes');
    expect(r.stderr).toContain('add --yes to apply without a terminal');
    expect(logOf(log)).toEqual([]);
    expect(existsSync(state)).toBe(false);
  }, 120_000);

  it('a plan without changes: apply does not run, the playbook does, and the record says so', async () => {
    const { env, state, log } = envFor({ STUB_PLAN: 'none' });
    const r = await startCli(['deploy', '--service', 'proxy', '--yes', '--skip-smoke'], env).done;
    expect(r.code).toBe(0);
    expect(argvOf(log)).toEqual([...tfArgv('proxy', state).slice(0, 2), `ansible-playbook ${runDir('proxy', state)}/ansible -i inventory.yml playbook.yml`]);
    expect(r.stdout).toContain('[proxy] infra: the plan has no changes; terraform apply skipped');
    expect(JSON.parse(readFileSync(join(state, 'deployed', 'proxy.json'), 'utf8')).plan).toEqual({ changes: false, text: 'terraform: ok\nNo changes. Your infrastructure matches the configuration.' });
  }, 120_000);

  it('generated files that fail validation: deploy refuses with the problems (exit 1), nothing runs, dry run alike', async () => {
    const broken = createWorkspace({ invalidRules: true });
    for (const args of [['deploy', '--yes'], ['deploy', '--dry-run']]) {
      const { env, state, log } = envFor();
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args, '--root', broken], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => { stderr += d; });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(1);
      expect(stderr).toMatch(/dist\/app\/files\/.*rules\.yml/);
      expect(stderr).toContain('expr');
      expect(stderr).toMatch(/deploy: validation found \d+ problems? in the generated files; nothing was deployed\./);
      expect(logOf(log)).toEqual([]);
      expect(existsSync(state)).toBe(false);
    }
  }, 180_000);

  it('an unknown HOMELAB_TF_BACKEND: a setup error naming the variable, the value and the fix (exit 4), nothing runs', async () => {
    const { env, state, log } = envFor({ HOMELAB_TF_BACKEND: 's3' });
    const r = await startCli(['deploy', '--dry-run'], env).done;
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('HOMELAB_TF_BACKEND="s3" (environment) is not a Terraform backend homelab knows; it knows local, pg, http.');
    expect(r.stderr).toContain('fix: Set HOMELAB_TF_BACKEND to local');
    expect(r.stderr).not.toContain('internal error');
    expect(logOf(log)).toEqual([]);
    expect(existsSync(state)).toBe(false);
  }, 120_000);

  it('the Terraform state goes to the state directory under HOME, never into the checkout', async () => {
    const home = mkdtempSync(join(tmpdir(), 'homelab-deploy-home-'));
    const { env, log } = envFor({ HOME: home, HOMELAB_STATE_DIR: undefined, XDG_STATE_HOME: undefined });
    const r = await startCli(['deploy', '--service', 'proxy', '--yes', '--skip-smoke'], env).done;
    expect(r.code).toBe(0);
    const init = logOf(log).find((l) => l[0] === 'terraform' && l[2] === 'init')!;
    const statePath = init.find((a) => a.startsWith('-backend-config=path='))!.slice('-backend-config=path='.length);
    expect(statePath).toBe(join(home, '.local/state/homelab/terraform-state/proxy.tfstate'));
    expect(statePath.startsWith(ws)).toBe(false);
    expect(statePath.startsWith(REPO_ROOT)).toBe(false);
    expect(existsSync(join(home, '.local/state/homelab/deployed/proxy.json'))).toBe(true);
    // Nothing in the synthesized Terraform names a state path.
    expect(readFileSync(join(ws, 'dist/proxy/terraform/cdk.tf.json'), 'utf8')).not.toContain('tfstate');
  }, 120_000);
});
