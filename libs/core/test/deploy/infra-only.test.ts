/**
 * `deploy --infra-only`: the Terraform stack alone (no playbook, no smoke tests, only the infra
 * step's variables), recorded `infrastructure` so that a full deploy is still due and its
 * dependents refuse until then. At the process boundary, with the fake spawner.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEPENDENCY_INFRA_ONLY, EXIT, NO_INFRASTRUCTURE, compareWithDeployed, deployServices, readDeployRecord, statePaths,
  type EnvRequirement,
} from '../../src/index.ts';
import { PROVIDER_ENV, deploySetup, fakeSpawner, unitOf } from './helpers.ts';

const ENV = { PATH: '/fake/bin', PROXMOX_VE_ENDPOINT: 'https://pve.invalid:8006', PROXMOX_VE_API_TOKEN: 'token-value' };
const infraEnv = PROVIDER_ENV;
/** What only the install makes: the config step reads it, the stack does not. */
const nasEnv: EnvRequirement[] = [...infraEnv, { name: 'NAS_API_KEY', description: 'secret: TrueNAS API key', step: 'config' }];

const setup = () => deploySetup(ENV);

describe('deploy --infra-only', () => {
  it('runs init, plan and apply only, without the config step\'s variables; records infrastructure, which a full deploy then completes', async () => {
    const { root, stateDir, out, options } = setup();
    const nas = () => unitOf(root, 'nas', { env: nasEnv, smoke: true });
    const fake = fakeSpawner();
    const summary = await deployServices([nas()], options({ spawner: fake.spawner, infraOnly: true }));
    expect(summary.exitCode).toBe(EXIT.ok);
    expect(summary.services.map((s) => `${s.service} ${s.status}`)).toEqual(['nas infrastructure']);
    expect(fake.calls.filter((c) => c.step !== 'record').map((c) => `${c.step} ${c.argv[1]}`)).toEqual(['infra init', 'infra plan', 'infra apply']);
    expect(fake.calls.flatMap((c) => c.readsEnv)).not.toContain('NAS_API_KEY');
    const record = (await readDeployRecord(stateDir, 'nas'))!;
    expect(record.status).toBe('infrastructure');
    expect(record.plan?.changes).toBe(true);
    expect(JSON.parse(readFileSync(statePaths.history(stateDir), 'utf8').trim()).status).toBe('infrastructure');
    expect(out.all()).toContain('deploy summary: 0 deployed, 1 infrastructure only, 0 unchanged, 0 failed, 0 skipped');
    // Not "unchanged": plan shows why, and the next full deploy runs every step.
    expect(compareWithDeployed(nas().manifest, record)).toMatchObject({ status: 'new', reason: expect.stringMatching(/^only its infrastructure is deployed \(deploy --infra-only at .*\): its config step and smoke tests have not run$/) });

    const refused = await deployServices([nas()], options({ spawner: fakeSpawner().spawner }));
    expect(refused.problems.map((p) => `${p.code} ${p.message}`)).toEqual([expect.stringMatching(/^MissingEnv 1 environment variable is not set:\n +NAS_API_KEY: secret: TrueNAS API key \(config: nas\)$/)]);
    const full = fakeSpawner();
    const done = await deployServices([nas()], options({ spawner: full.spawner, env: { ...ENV, NAS_API_KEY: 'k' } }));
    expect(done.services.map((s) => `${s.service} ${s.status}`)).toEqual(['nas deployed']);
    expect(full.calls.filter((c) => c.step !== 'record').map((c) => c.step)).toEqual(['infra', 'infra', 'infra', 'config', 'smoke']);
    expect((await readDeployRecord(stateDir, 'nas'))!.status).toBe('deployed');
  });

  it('a later --infra-only keeps the last full deploy in the record, and a full deploy that is unchanged stays skipped', async () => {
    const { root, stateDir, options } = setup();
    const env = { ...ENV, NAS_API_KEY: 'k' };
    await deployServices([unitOf(root, 'nas', { env: nasEnv })], options({ spawner: fakeSpawner().spawner, env }));
    const same = fakeSpawner();
    const unchanged = await deployServices([unitOf(root, 'nas', { env: nasEnv })], options({ spawner: same.spawner, env, infraOnly: true }));
    expect(unchanged.services.map((s) => s.status)).toEqual(['unchanged']);
    expect(same.calls).toEqual([]);
    await deployServices([unitOf(root, 'nas', { env: nasEnv, content: 'v2' })], options({ spawner: fakeSpawner().spawner, infraOnly: true }));
    const record = (await readDeployRecord(stateDir, 'nas'))!;
    expect(record.status).toBe('infrastructure');
    expect(record.lastDeployed?.manifest.artifacts.find((a) => a.file === 'terraform/cdk.tf.json')?.sha256).toMatch(/^7466/);
  });

  it('a dependent deployed in full refuses while its dependency has only its infrastructure; another --infra-only run accepts it', async () => {
    const { root, options } = setup();
    await deployServices([unitOf(root, 'nas', { env: nasEnv })], options({ spawner: fakeSpawner().spawner, infraOnly: true }));
    const media = () => unitOf(root, 'media', { deps: ['nas'], env: infraEnv });
    const fake = fakeSpawner();
    const refused = await deployServices([media()], options({ spawner: fake.spawner }));
    expect(refused.exitCode).toBe(EXIT.refused);
    expect(refused.problems.map((p) => `${p.code}: ${p.fix}`)).toEqual([`${DEPENDENCY_INFRA_ONLY}: Deploy nas in full first (homelab deploy --service nas --service media).`]);
    expect(fake.calls).toEqual([]);
    const infra = await deployServices([media()], options({ spawner: fakeSpawner().spawner, infraOnly: true }));
    expect(infra.services.map((s) => `${s.service} ${s.status}`)).toEqual(['media infrastructure']);
  });

  it('a named service without a Terraform stack is refused before anything runs, with the others', async () => {
    const { root, options } = setup();
    const fake = fakeSpawner();
    const summary = await deployServices([unitOf(root, 'nas', { env: nasEnv }), unitOf(root, 'pi', { infra: false })], options({ spawner: fake.spawner, infraOnly: true }));
    expect(summary.result).toBe('preflight');
    expect(summary.problems.map((p) => `${p.code} ${p.message}`)).toEqual([`${NO_INFRASTRUCTURE} pi has no Terraform stack: --infra-only would deploy nothing of it`]);
    expect(fake.calls).toEqual([]);
  });

  it('the dry run prints the Terraform commands alone and the infrastructure record, and needs no config variable', async () => {
    const { root, stateDir, out, options } = setup();
    const fake = fakeSpawner();
    const summary = await deployServices([unitOf(root, 'nas', { env: nasEnv, smoke: true })], options({ spawner: fake.spawner, dryRun: true, infraOnly: true }));
    expect(summary.exitCode).toBe(EXIT.ok);
    expect(summary.problems).toEqual([]);
    expect(summary.commands.map((c) => `${c.step} ${c.label}`)).toEqual(['infra tofu init', 'infra tofu plan', 'infra tofu apply']);
    expect(out.all()).toContain(`[nas] then: record ${statePaths.record(stateDir, 'nas')} (status infrastructure: a full deploy is still due)`);
    expect(fake.calls).toEqual([]);
  });
});
