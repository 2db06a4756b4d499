/**
 * Secrets stay secret, with real processes: stand-in tofu, ansible-playbook and npx scripts
 * (started through the real execa spawner) dump the environment they were given, and print
 * canary secrets on stdout and stderr before failing. Two services: neither one's secrets reach
 * the other's tools, and no canary is in any file under the state directory or in any line
 * deploy printed.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployServices, EXIT, secretScrubber, toolEnvironment, type DeployServicesOptions, type EnvRequirement } from '../../src/index.ts';
import { sinks, tempDir, unitOf } from './helpers.ts';

const CANARY = {
  PROXMOX_VE_API_TOKEN: 'root@pam!tf=canary-pve-token-5678',
  A_SECRET: 'canary-a-secret-1234',
  B_SECRET: 'canary-b-secret-4321',
  TF_VAR_root_password: 'canary-tf-var-9012',
  // The operator's own, which no service declares: no tool gets it.
  AWS_SECRET_ACCESS_KEY: 'canary-unrelated-0000',
};
const ENV: Record<string, string> = { PATH: '/usr/bin:/bin', HOME: '/root', LANG: 'C.UTF-8', PROXMOX_VE_ENDPOINT: 'https://pve.invalid:8006', ...CANARY };

const infra = (name: string): EnvRequirement => ({ name, description: name, step: 'infra' });
const config = (name: string): EnvRequirement => ({ name, description: `secret: ${name}`, step: 'config' });
const provider = [infra('PROXMOX_VE_API_TOKEN'), infra('PROXMOX_VE_ENDPOINT')];

/**
 * A stand-in tool: dumps its environment to <dump>/<service>-<tool>-<first arg>.env, prints what
 * $STANDIN_SAY_<tool>_<arg> names (a canary) and fails when the service is in the fail list.
 * The behaviour is baked into the script, so the test needs no variable of its own in the tools' environment.
 */
function standIns(dump: string, behaviour: { say?: Record<string, string>; fail?: readonly string[] } = {}): string {
  const bin = tempDir('homelab-standins-');
  for (const tool of ['tofu', 'ansible-playbook', 'npx']) {
    const lines = [
      '#!/bin/bash',
      // Tools run in <state>/runs/<service>/<run-id>/<step> (run-dir.ts).
      tool === 'npx' ? 'svc=${4%/smoke}; svc=${svc##*/}' : 'svc=${PWD%/*/*}; svc=${svc##*/}',
      `/usr/bin/env > "${dump}/$svc-${tool}-$1.env"`,
      ...Object.entries(behaviour.say ?? {}).map(([when, what]) => `[[ "$svc:${tool}:$1" == ${when} ]] && echo "${what}" >&2`),
      ...(tool === 'tofu' ? ['[[ "$1" == plan ]] && { echo "  # container will be created, root password $TF_VAR_root_password"; echo "Plan: 1 to add."; exit 2; }'] : []),
      ...(behaviour.fail ?? []).map((when) => `[[ "$svc:${tool}:$1" == ${when} ]] && exit 1`),
      'exit 0',
    ];
    writeFileSync(join(bin, tool), `${lines.join('\n')}\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  return bin;
}

function setup(behaviour?: Parameters<typeof standIns>[1]) {
  const root = tempDir();
  const stateDir = join(root, 'state');
  const dump = join(root, 'dump');
  mkdirSync(dump);
  const bin = standIns(dump, behaviour);
  const out = sinks();
  const units = [
    unitOf(root, 'a', { env: [...provider, infra('TF_VAR_root_password'), config('A_SECRET')], smoke: true }),
    unitOf(root, 'b', { env: [...provider, config('B_SECRET')], smoke: true }),
  ];
  const options = (extra: Partial<DeployServicesOptions> = {}): DeployServicesOptions => ({
    root, stateDir, env: ENV, siteName: 'test-lab', out: out.out, err: out.err, yes: true,
    findExecutable: async (name) => (existsSync(join(bin, name)) ? join(bin, name) : undefined), ...extra,
  });
  /** name -> value of what one tool of one service was given. */
  const envOf = (file: string): Record<string, string> => Object.fromEntries(
    readFileSync(join(dump, file), 'utf8').split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { root, stateDir, dump, out, units, options, envOf };
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('secrets: each tool receives only the variables its service needs', () => {
  it('terraform gets the provider and its own TF_VAR_*, ansible its own secrets, smoke none; service A\'s secret never reaches service B\'s tools', async () => {
    const { dump, units, options, envOf } = setup();
    const summary = await deployServices(units, options());
    expect(summary.exitCode).toBe(EXIT.ok);
    const dumps = readdirSync(dump).sort();
    expect(dumps).toEqual([
      'a-ansible-playbook--i.env', 'a-npx---no-install.env', 'a-tofu-apply.env', 'a-tofu-init.env', 'a-tofu-plan.env',
      'b-ansible-playbook--i.env', 'b-npx---no-install.env', 'b-tofu-apply.env', 'b-tofu-init.env', 'b-tofu-plan.env',
    ]);
    const secretsIn = (file: string) => Object.keys(envOf(file)).filter((n) => n in CANARY).sort();
    for (const step of ['init', 'plan', 'apply']) {
      expect([step, secretsIn(`a-tofu-${step}.env`)]).toEqual([step, ['PROXMOX_VE_API_TOKEN', 'TF_VAR_root_password']]);
      expect([step, secretsIn(`b-tofu-${step}.env`)]).toEqual([step, ['PROXMOX_VE_API_TOKEN']]);
    }
    expect(secretsIn('a-ansible-playbook--i.env')).toEqual(['A_SECRET']);
    expect(secretsIn('b-ansible-playbook--i.env')).toEqual(['B_SECRET']);
    expect(secretsIn('a-npx---no-install.env')).toEqual([]);
    expect(secretsIn('b-npx---no-install.env')).toEqual([]);
    // Values too, not only names: nothing of A in any file of B, and the other way round.
    for (const file of dumps) {
      const text = readFileSync(join(dump, file), 'utf8');
      const other = file.startsWith('a-') ? CANARY.B_SECRET : CANARY.A_SECRET;
      expect([file, text.includes(other)]).toEqual([file, false]);
      expect([file, text.includes(CANARY.AWS_SECRET_ACCESS_KEY)]).toEqual([file, false]);
    }
    // What homelab sets still arrives; the basics too.
    expect(envOf('a-tofu-plan.env')).toMatchObject({ PATH: '/usr/bin:/bin', HOME: '/root', LANG: 'C.UTF-8', CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' });
    expect(envOf('a-npx---no-install.env')).toMatchObject({ HOMELAB_SMOKE_TARGET: 'test-lab' });
    expect(envOf('a-ansible-playbook--i.env')).toMatchObject({ PYTHONUNBUFFERED: '1', ANSIBLE_SSH_COMMON_ARGS: '-o StrictHostKeyChecking=accept-new' });
  }, 60_000);

  it('--dry-run names exactly the variables each command is given', async () => {
    const { units, options, envOf } = setup();
    const dry = await deployServices(units, options({ dryRun: true }));
    await deployServices(units, options());
    for (const call of dry.commands) {
      const file = `${call.service}-${call.file.split('/').pop()}-${call.args[0]}.env`;
      const given = Object.keys(envOf(file)).filter((n) => n !== 'PWD' && n !== 'SHLVL' && n !== '_' && n !== 'OLDPWD');
      // Everything given of the deploy environment is a basic or a name the dry run shows.
      const shown = new Set([...Object.keys(call.setEnv), ...call.readsEnv]);
      expect([file, given.filter((n) => n in CANARY && !shown.has(n))]).toEqual([file, []]);
      expect([file, [...shown].filter((n) => !given.includes(n))]).toEqual([file, []]);
      expect(Object.keys(toolEnvironment(call, ENV)).sort()).toEqual(given.filter((n) => n in ENV || n in call.setEnv).sort());
    }
  }, 60_000);
});

describe('secrets: stored outputs and printed lines are scrubbed', () => {
  it('a tool that prints canary secrets on stderr and fails: no canary in any file under the state directory, nor in any output line', async () => {
    const { stateDir, out, units, options } = setup({
      say: {
        'a:ansible-playbook:-i': 'fatal: login failed with password $A_SECRET',
        'b:tofu:apply': 'Error: 401 Unauthorized for token $PROXMOX_VE_API_TOKEN',
      },
      fail: ['a:ansible-playbook:-i', 'b:tofu:apply'],
    });
    const summary = await deployServices(units, options());
    expect(summary.exitCode).toBe(EXIT.failed);
    expect(Object.fromEntries(summary.services.map((s) => [s.service, s.status]))).toEqual({ a: 'failed', b: 'failed' });
    const files = filesUnder(stateDir);
    expect(files.map((f) => f.slice(stateDir.length))).toEqual(expect.arrayContaining(['/deployed/a.json', '/deployed/b.json', '/history.jsonl']));
    const values = Object.values(CANARY);
    for (const file of files) {
      if (!statSync(file).isFile()) continue;
      const text = readFileSync(file, 'utf8');
      expect([file, values.filter((v) => text.includes(v))]).toEqual([file, []]);
    }
    expect(values.filter((v) => out.all().includes(v))).toEqual([]);
    expect(values.filter((v) => JSON.stringify(summary).includes(v))).toEqual([]);
    // Redacted by name, so the operator still knows what the tool said.
    const a = JSON.parse(readFileSync(join(stateDir, 'deployed', 'a.json'), 'utf8'));
    expect(a.error).toBe('a: config: ansible-playbook exited with code 1: fatal: login failed with password [redacted:A_SECRET]');
    expect(a.plan.text).toContain('root password [redacted:TF_VAR_root_password]');
    expect(readFileSync(join(stateDir, 'history.jsonl'), 'utf8')).toContain('Error: 401 Unauthorized for token [redacted:PROXMOX_VE_API_TOKEN]');
    expect(out.errors).toContain('[b] Error: 401 Unauthorized for token [redacted:PROXMOX_VE_API_TOKEN]');
  }, 60_000);

  it('secretScrubber: longest value first, by name; values shorter than 6 characters are left alone', () => {
    const scrub = secretScrubber(['LONG', 'SHORT', 'TINY', 'UNSET'], { LONG: 'abcdef-123456', SHORT: 'abcdef', TINY: 'root' });
    expect(scrub('x abcdef-123456 y abcdef z root')).toBe('x [redacted:LONG] y [redacted:SHORT] z root');
    expect(secretScrubber([], {})('unchanged')).toBe('unchanged');
  });
});
