/** Test doubles for deploy: a fake process boundary, fake tools on PATH, hand-made units. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeployEnv, DeployServicesOptions, DeployUnit, EnvRequirement, FindExecutable, ServiceManifest, SpawnOptions, ToolCall, ToolExit, ToolSpawner } from '../../src/index.ts';

export interface RecordedCall {
  readonly service: string;
  readonly step: string;
  /** file + args, exactly as the runner was given them. */
  readonly argv: readonly string[];
  readonly cwd: string;
  /** Names of the variables homelab set; never values. */
  readonly setEnv: readonly string[];
  readonly readsEnv: readonly string[];
}

export type Script = (call: ToolCall, options: SpawnOptions) => Partial<ToolExit> | undefined | Promise<Partial<ToolExit> | undefined>;

/** What the fake tofu prints for `plan`, and exits with under -detailed-exitcode: there are changes. */
export const FAKE_PLAN = { exitCode: 2, stdout: '  # proxmox_virtual_environment_container.x will be created\nPlan: 1 to add, 0 to change, 0 to destroy.\n' };

/**
 * A fake at the process boundary: records argv/cwd/env names, returns scripted results (default
 * exit 0; `plan -detailed-exitcode` exits 2 with FAKE_PLAN's text, as a plan with changes does).
 */
export function fakeSpawner(script: Script = () => undefined): { spawner: ToolSpawner; calls: RecordedCall[]; argv: () => string[] } {
  const calls: RecordedCall[] = [];
  const spawner: ToolSpawner = async (call, options) => {
    calls.push({
      service: call.service, step: call.step, argv: [call.file, ...call.args], cwd: call.cwd,
      setEnv: Object.keys(call.setEnv).sort(), readsEnv: [...call.readsEnv].sort(),
    });
    const scripted = (await script(call, options)) ?? {};
    const plan = call.args[0] === 'plan' && call.args.includes('-detailed-exitcode') ? FAKE_PLAN : {};
    return { exitCode: 0, stdout: '', stderr: '', durationMs: 1, ...plan, ...scripted };
  };
  // Git is asked once per run for the record; most tests look at the deploy commands only.
  const argv = () => calls.filter((c) => c.step !== 'record').map((c) => `${c.service}: ${c.argv.join(' ')}`);
  return { spawner, calls, argv };
}

/** Tools found at /fake/bin/<name>, except the ones listed as missing. */
export function fakeTools(missing: readonly string[] = []): FindExecutable {
  return async (name) => (missing.includes(name) ? undefined : `/fake/bin/${name}`);
}

export function tempDir(prefix = 'homelab-deploy-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface UnitSpec {
  readonly deps?: readonly string[];
  readonly env?: readonly EnvRequirement[];
  readonly version?: string;
  /** Changes the terraform artifact hash. */
  readonly content?: string;
  readonly smoke?: boolean;
  readonly infra?: boolean;
  readonly config?: boolean;
  readonly talos?: boolean;
  /** Site inputs not measured yet that the manifest records. */
  readonly unmeasured?: ServiceManifest['unmeasured'];
}

export function manifestOf(name: string, spec: UnitSpec = {}): ServiceManifest {
  const sha = (s: string) => s.padEnd(64, '0').slice(0, 64);
  return {
    service: name, package: `@t/${name}`, version: spec.version ?? '1.0.0', group: 'apps', kind: 'lxc',
    dependsOn: [...(spec.deps ?? [])], env: (spec.env ?? []).map((e) => e.name),
    ...(spec.unmeasured ? { unmeasured: spec.unmeasured } : {}),
    artifacts: [
      ...(spec.config === false ? [] : [
        { file: 'ansible/inventory.yml', format: 'ansible-inventory' as const, secret: false, sha256: sha('a1') },
        { file: 'ansible/playbook.yml', format: 'ansible-playbook' as const, secret: false, sha256: sha('a2') },
      ]),
      ...(spec.talos ? [{ file: 'files/talos/cp1.yaml', format: 'talos-config' as const, secret: false, sha256: sha('c3') }] : []),
      ...(spec.infra === false ? [] : [{ file: 'terraform/cdk.tf.json', format: 'terraform-json' as const, secret: false, sha256: sha(Buffer.from(spec.content ?? 'tf').toString('hex')) }]),
    ],
  };
}

/** A unit with its dist files written under `root/dist/<name>`. */
export function unitOf(root: string, name: string, spec: UnitSpec = {}): DeployUnit {
  const distDir = join(root, 'dist', name);
  mkdirSync(join(distDir, 'terraform'), { recursive: true });
  mkdirSync(join(distDir, 'ansible'), { recursive: true });
  writeFileSync(join(distDir, 'terraform', 'cdk.tf.json'), '{}\n');
  writeFileSync(join(distDir, 'ansible', 'playbook.yml'), '---\n[]\n');
  writeFileSync(join(distDir, 'ansible', 'inventory.yml'), 'all: {}\n');
  return {
    service: name, manifest: manifestOf(name, spec), distDir, env: [...(spec.env ?? [])],
    infra: spec.infra !== false, config: spec.config !== false, talos: spec.talos === true,
    ...(spec.smoke ? { smokeDir: `packages/${name}/smoke` } : {}),
  };
}

/** Output sinks that keep the lines. */
export function sinks(): { out: (l: string) => void; err: (l: string) => void; lines: string[]; errors: string[]; all: () => string } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { out: (l) => lines.push(l), err: (l) => errors.push(l), lines, errors, all: () => [...lines, ...errors].join('\n') };
}

/** The Proxmox provider's two variables, read by the infra step. */
export const PROVIDER_ENV: readonly EnvRequirement[] = [
  { name: 'PROXMOX_VE_API_TOKEN', description: 'Proxmox API token (provider)', step: 'infra' },
  { name: 'PROXMOX_VE_ENDPOINT', description: 'Proxmox API endpoint (provider)', step: 'infra' },
];

/** A workspace root with a state directory, output sinks, and the runner's options (fake tools, --yes) over `env`. */
export function deploySetup(env: DeployEnv) {
  const root = tempDir();
  const stateDir = join(root, 'state');
  const out = sinks();
  const options = (extra: Partial<DeployServicesOptions> = {}): DeployServicesOptions => ({
    root, stateDir, env, siteName: 'test-lab', findExecutable: fakeTools(), out: out.out, err: out.err, yes: true, ...extra,
  });
  return { root, stateDir, out, options };
}

/**
 * A meeting point for fake tools: `arrive()` resolves once `size` callers have arrived (then the
 * next `size` form the next group). Tools that meet here prove they ran at the same time: run
 * one after the other, the first would wait for ever (the test fails by its timeout), never by
 * a measured duration.
 */
export function rendezvous(size: number): { arrive: () => Promise<void> } {
  let group: (() => void)[] = [];
  return {
    arrive: () => new Promise<void>((resolve) => {
      group.push(resolve);
      if (group.length === size) {
        for (const release of group) release();
        group = [];
      }
    }),
  };
}

/** Counts what is in flight at once (tools, questions): `max` is the most seen together. */
export function inFlight(): { enter: () => void; leave: () => void; readonly now: number; readonly max: number } {
  let now = 0;
  let max = 0;
  return {
    enter: () => { now++; max = Math.max(max, now); },
    leave: () => { now--; },
    get now() { return now; },
    get max() { return max; },
  };
}
