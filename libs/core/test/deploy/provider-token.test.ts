/**
 * The Proxmox token without a manual copy: the token stack runs with the administrator
 * credential (given to its tools under the provider's name, to no other stack's), its output is
 * read after the apply (never printed, never in argv), stored 0600 and handed to every later
 * stack of this run and of later runs; without any token, preflight refuses before anything runs.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  deployServices, EXIT, providerTokenPath, PROVIDER_TOKEN_MISSING, type DeployEnv, type DeployServicesOptions, type DeployUnit, type EnvRequirement,
} from '../../src/index.ts';
import { fakeSpawner, fakeTools, sinks, tempDir, unitOf } from './helpers.ts';

const ADMIN = 'root@pam!homelab=canary-admin-token-1111';
const ISSUED = 'terraform@pve!homelab=canary-issued-token-2222';
const OPERATOR = 'terraform@pve!homelab=canary-operator-token-3333';
const NAMES = { tokenEnv: 'PROXMOX_VE_API_TOKEN', adminEnv: 'PROXMOX_VE_ADMIN_API_TOKEN' };
const BASE_ENV = { PATH: '/usr/bin:/bin', HOME: '/root', PROXMOX_VE_ENDPOINT: 'https://pve.invalid:8006' };

const infra = (name: string, supplied = false): EnvRequirement => ({ name, description: name, step: 'infra', ...(supplied ? { supplied: 'provider-token' as const } : {}) });

function issuer(root: string): DeployUnit {
  const u = unitOf(root, 'proxmox', { env: [infra(NAMES.adminEnv), infra('PROXMOX_VE_ENDPOINT')] });
  return { ...u, manifest: { ...u.manifest, env: [NAMES.adminEnv, 'PROXMOX_VE_ENDPOINT'] }, providerToken: { role: 'issues', ...NAMES, output: 'terraform_api_token' }, withheldEnv: [NAMES.adminEnv] };
}
function user(root: string, name: string): DeployUnit {
  const u = unitOf(root, name, { deps: ['proxmox'], env: [infra(NAMES.tokenEnv, true), infra('PROXMOX_VE_ENDPOINT')], smoke: true });
  return { ...u, manifest: { ...u.manifest, env: [NAMES.tokenEnv, 'PROXMOX_VE_ENDPOINT'] }, providerToken: { role: 'uses', ...NAMES, issuer: 'proxmox' }, withheldEnv: [NAMES.adminEnv] };
}

/** A fake tofu whose `output` prints the issued token and whose apply echoes its token; every tool's environment is kept per call. */
function setup() {
  const root = tempDir();
  mkdirSync(join(root, 'packages', 'a', 'smoke'), { recursive: true });
  const stateDir = join(root, 'state');
  const envs: { service: string; label: string; env: DeployEnv }[] = [];
  const fake = fakeSpawner((call, options) => {
    envs.push({ service: call.service, label: call.label, env: options.env });
    if (call.args[0] === 'output') return { stdout: `${ISSUED}\n` };
    // A provider that quotes its credential in an error: deploy must redact it.
    if (call.args[0] === 'apply') return { stdout: `applied; authorization: PVEAPIToken=${options.env[NAMES.tokenEnv] ?? ''}\n` };
    return undefined;
  });
  const out = sinks();
  const options = (env: DeployEnv, extra: Partial<DeployServicesOptions> = {}): DeployServicesOptions => ({
    root, stateDir, env: { ...BASE_ENV, ...env }, siteName: 'lab', out: out.out, err: out.err, yes: true,
    spawner: fake.spawner, findExecutable: fakeTools(), ...extra,
  });
  const tokenOf = (service: string, label: string) => envs.find((e) => e.service === service && e.label === label)?.env[NAMES.tokenEnv];
  return { root, stateDir, envs, fake, out, options, tokenOf };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('provider token: the token stack issues it, the later stacks receive it', () => {
  it('on a fresh cluster: proxmox runs with the admin token as the provider token, its output reaches a and b, and the admin token reaches no other tool', async () => {
    const t = setup();
    const summary = await deployServices([issuer(t.root), user(t.root, 'a'), user(t.root, 'b')], t.options({ [NAMES.adminEnv]: ADMIN }));
    expect(summary.result).toBe('ok');
    // The output is read right after the apply, with the name of the output only.
    expect(t.fake.argv().filter((l) => l.startsWith('proxmox:'))).toEqual([
      'proxmox: /fake/bin/tofu init -input=false -no-color -backend-config=path=' + join(t.stateDir, 'terraform-state', 'proxmox.tfstate'),
      'proxmox: /fake/bin/tofu plan -input=false -no-color -detailed-exitcode -out=' + join(t.stateDir, 'plans', 'proxmox.tfplan'),
      'proxmox: /fake/bin/tofu apply -input=false -no-color ' + join(t.stateDir, 'plans', 'proxmox.tfplan'),
      'proxmox: /fake/bin/tofu output -no-color -raw terraform_api_token',
      'proxmox: /fake/bin/ansible-playbook -i inventory.yml playbook.yml',
    ]);
    expect(t.tokenOf('proxmox', 'tofu apply')).toBe(ADMIN);
    for (const s of ['a', 'b']) for (const label of ['tofu init', 'tofu plan', 'tofu apply']) expect(t.tokenOf(s, label)).toBe(ISSUED);
    // The administrator credential by its own name: nobody. By value: only proxmox's Terraform.
    for (const e of t.envs) expect(e.env[NAMES.adminEnv]).toBeUndefined();
    const withAdmin = t.envs.filter((e) => Object.values(e.env).includes(ADMIN)).map((e) => `${e.service}: ${e.label}`);
    expect([...new Set(withAdmin)]).toEqual(['proxmox: tofu init', 'proxmox: tofu plan', 'proxmox: tofu apply', 'proxmox: tofu output terraform_api_token']);
    // Stored 0600 in a 0700 directory; never printed; in no argv; in no other state file.
    const path = providerTokenPath(t.stateDir);
    expect(readFileSync(path, 'utf8')).toBe(`${ISSUED}\n`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    expect(t.out.all()).not.toContain(ISSUED);
    expect(t.out.all()).not.toContain(ADMIN);
    expect(t.out.all()).toContain(`token: a, b: PROXMOX_VE_API_TOKEN comes from the proxmox stack's output, read after its apply in this run and stored in ${path}`);
    expect(t.fake.calls.flatMap((c) => c.argv).join(' ')).not.toMatch(/canary/);
    for (const f of filesUnder(t.stateDir).filter((f) => f !== path)) expect(readFileSync(f, 'utf8'), f).not.toMatch(/canary/);
  });

  it('a later run without the token stack: a gets the stored token; an exported token wins over it, and deploy says so', async () => {
    const t = setup();
    mkdirSync(dirname(providerTokenPath(t.stateDir)), { recursive: true, mode: 0o700 });
    writeFileSync(providerTokenPath(t.stateDir), `${ISSUED}\n`, { mode: 0o600 });
    const stored = await deployServices([user(t.root, 'a')], t.options({}));
    expect(stored.result).toBe('ok');
    expect(t.tokenOf('a', 'tofu apply')).toBe(ISSUED);
    expect(t.out.all()).toContain(`token: a: PROXMOX_VE_API_TOKEN comes from the token stored in ${providerTokenPath(t.stateDir)}`);
    // A tool that echoes its token: redacted like every other secret.
    expect(t.out.all()).not.toContain(ISSUED);

    const u = setup();
    mkdirSync(dirname(providerTokenPath(u.stateDir)), { recursive: true });
    writeFileSync(providerTokenPath(u.stateDir), `${ISSUED}\n`);
    const exported = await deployServices([user(u.root, 'a')], u.options({ [NAMES.tokenEnv]: OPERATOR }));
    expect(exported.result).toBe('ok');
    expect(u.tokenOf('a', 'tofu apply')).toBe(OPERATOR);
    expect(u.out.all()).toContain('token: a: PROXMOX_VE_API_TOKEN comes from $PROXMOX_VE_API_TOKEN as exported (it wins over a stored token)');
  });

  it('no token exported, none stored and no token stack before it: preflight refuses, names the fix, runs nothing', async () => {
    const t = setup();
    const summary = await deployServices([user(t.root, 'a'), user(t.root, 'b')], t.options({}));
    expect(summary.result).toBe('preflight');
    expect(summary.exitCode).toBe(EXIT.refused);
    const problem = summary.problems.find((p) => p.code === PROVIDER_TOKEN_MISSING)!;
    expect(problem.received).toEqual(['a', 'b']);
    expect(problem.message).toContain(`none is stored in ${providerTokenPath(t.stateDir)}`);
    expect(problem.fix).toContain('Deploy proxmox first (homelab deploy --service proxmox, with PROXMOX_VE_ADMIN_API_TOKEN set');
    // The variable itself is not reported as missing too: the token problem says it all.
    expect(summary.problems.map((p) => p.code)).toEqual([PROVIDER_TOKEN_MISSING]);
    expect(t.fake.argv()).toEqual([]);
    expect(existsSync(t.stateDir) ? filesUnder(t.stateDir) : []).toEqual([]);
  });

  it('the token stack without the admin credential is refused, even with a token exported (that token cannot create users)', async () => {
    const t = setup();
    const summary = await deployServices([issuer(t.root), user(t.root, 'a')], t.options({ [NAMES.tokenEnv]: OPERATOR }));
    expect(summary.result).toBe('preflight');
    expect(summary.problems.map((p) => p.code)).toEqual(['MissingEnv']);
    expect(summary.problems[0]!.message).toContain('PROXMOX_VE_ADMIN_API_TOKEN: PROXMOX_VE_ADMIN_API_TOKEN (infra: proxmox)');
    expect(t.fake.argv()).toEqual([]);
  });

  it('--dry-run names where each stack\'s token comes from and lists the output step; a missing token is a warning there', async () => {
    const t = setup();
    const fresh = await deployServices([issuer(t.root), user(t.root, 'a')], t.options({ [NAMES.adminEnv]: ADMIN }, { dryRun: true }));
    expect(fresh.exitCode).toBe(EXIT.ok);
    expect(t.out.all()).toContain(`token: proxmox runs with $PROXMOX_VE_ADMIN_API_TOKEN (given to its tools as PROXMOX_VE_API_TOKEN; no other stack receives it); after its apply, its output terraform_api_token is stored in ${providerTokenPath(t.stateDir)} (0600, never printed)`);
    expect(t.out.all()).toContain('[proxmox] 4. infra: /fake/bin/tofu output -no-color -raw terraform_api_token');
    expect(t.fake.argv()).toEqual([]);

    const u = setup();
    const alone = await deployServices([user(u.root, 'a')], u.options({}, { dryRun: true }));
    expect(alone.exitCode).toBe(EXIT.ok);
    expect(alone.problems.map((p) => [p.code, p.severity])).toEqual([[PROVIDER_TOKEN_MISSING, 'warning']]);
    expect(u.out.all()).toContain('token: a: PROXMOX_VE_API_TOKEN comes from nowhere: not exported and none stored');
  });

  it('an empty output fails the token stack, and its dependents are skipped', async () => {
    const t = setup();
    const fake = fakeSpawner((call) => (call.args[0] === 'output' ? { stdout: '\n' } : undefined));
    const summary = await deployServices([issuer(t.root), user(t.root, 'a')], t.options({ [NAMES.adminEnv]: ADMIN }, { spawner: fake.spawner }));
    expect(summary.services.map((s) => [s.service, s.status])).toEqual([['proxmox', 'failed'], ['a', 'skipped']]);
    expect(summary.services[0]!.error).toContain('the stack has no value for this output');
    expect(existsSync(providerTokenPath(t.stateDir))).toBe(false);
  });

  it('in a parallel deploy the token stack finishes before any stack that uses its token starts, even without a dependsOn edge', async () => {
    const t = setup();
    // zz comes after proxmox in deploy order but (unlike a guest of the model) has no edge to it.
    const u = user(t.root, 'zz');
    const zz: DeployUnit = { ...u, manifest: { ...u.manifest, dependsOn: [] } };
    const summary = await deployServices([issuer(t.root), zz], t.options({ [NAMES.adminEnv]: ADMIN }, { parallelism: 4 }));
    expect(summary.exitCode).toBe(EXIT.ok);
    const labels = t.envs.map((e) => `${e.service} ${e.label}`);
    expect(labels.indexOf('proxmox tofu output terraform_api_token')).toBeLessThan(labels.indexOf('zz tofu init'));
    expect(t.tokenOf('zz', 'tofu plan')).toBe(ISSUED);
  });
});
