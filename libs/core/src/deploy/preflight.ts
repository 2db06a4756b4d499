/**
 * Everything deploy checks before it changes anything, reported all at once: the tools on PATH
 * (tofu preferred over terraform, or HOMELAB_TF_BIN; ansible-playbook; talosctl where a service
 * has Talos configs; npx for smoke tests), every environment variable the services need (provider
 * endpoint and token, secrets, Terraform variables) named in ONE problem, the dist files, and
 * dependencies whose last deploy failed, and services that wait for unmeasured site inputs. The lock is taken after a clean preflight.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Problem } from '../model/problem.ts';
import { ANSIBLE_INVENTORY, ANSIBLE_PLAYBOOK, TERRAFORM_FILE } from '../synth/manifest.ts';
import { DEFAULT_TOOLS, type DeployTools } from './commands.ts';
import type { DeployUnit } from './deploy-unit.ts';
import { findExecutable as defaultFind, type FindExecutable } from '../process/find-executable.ts';
import type { DeployRecord } from './record.ts';
import type { DeployEnv } from '../process/run-tool.ts';
import { DISCOVER_COMMAND } from '../model/unmeasured.ts';
import { isImageChecksumPath } from '../model/image-checksums.ts';

export const TF_BIN_ENV = 'HOMELAB_TF_BIN';

/**
 * The other tools can be pinned too, like HOMELAB_TF_BIN: `npm run` and `npx` put Node's own
 * directory (often /usr/bin) first on PATH, so a PATH entry alone cannot choose between two
 * installed copies.
 */
export const TOOL_BIN_ENV: Readonly<Record<string, string>> = {
  'ansible-playbook': 'HOMELAB_ANSIBLE_PLAYBOOK_BIN',
  talosctl: 'HOMELAB_TALOSCTL_BIN',
};

export interface PreflightOptions {
  readonly env: DeployEnv;
  /** @default PATH lookup */
  readonly findExecutable?: FindExecutable;
  /** Deploy records of the services these units depend on (and of the units). */
  readonly records?: ReadonlyMap<string, DeployRecord | undefined>;
  /** Smoke tests will not run (no npx needed). @default false */
  readonly skipSmoke?: boolean;
  /** Services whose dist/ deploy writes before it runs anything (a dry run does not): their files need not exist yet. */
  readonly distPending?: readonly string[];
  /**
   * `deploy --infra-only`: the units are already cut to their Terraform stack (infra-only.ts);
   * a dependency whose own infrastructure alone is deployed is enough for that. @default false
   */
  readonly infraOnly?: boolean;
}

/** A dependency outside this deploy has only its infrastructure deployed (deploy --infra-only). */
export const DEPENDENCY_INFRA_ONLY = 'DependencyInfrastructureOnly';

export interface PreflightResult {
  readonly problems: readonly Problem[];
  /** Printed, never fatal: a dependency with no record on this machine. */
  readonly notes: readonly string[];
  /** Resolved tool paths (bare names where missing). */
  readonly tools: DeployTools;
}

const SOURCE = 'homelab deploy';

/** Problem codes that only say what this machine lacks; a dry run reports them as warnings. */
export const MISSING_ENV = 'MissingEnv';
export const MISSING_TOOL = 'MissingTool';
/**
 * A service waits for a site input nobody has measured yet (its manifest lists it): a real deploy
 * refuses it; a dry run reports it as a warning, like what this machine lacks, and still prints
 * the commands.
 */
export const UNMEASURED_INPUT = 'UnmeasuredInput';

/** One problem per service that waits for unmeasured inputs, naming each input and how to measure it. */
export function unmeasuredProblems(units: readonly DeployUnit[]): Problem[] {
  return units.filter((u) => u.manifest.unmeasured?.length).map((u) => {
    const inputs = u.manifest.unmeasured!;
    return {
      source: SOURCE, path: `${u.service}.unmeasured`, code: UNMEASURED_INPUT, received: inputs.map((i) => i.input),
      message: `${u.service} waits for ${inputs.length} site input${inputs.length === 1 ? '' : 's'} nobody has measured yet (its synthesized files leave out what needs ${inputs.length === 1 ? 'it' : 'them'}):${inputs.map((i) => `\n        ${i.input}: ${i.measure}`).join('')}`,
      fix: [
        ...(inputs.some((i) => !isImageChecksumPath(i.input)) ? [`Run \`${DISCOVER_COMMAND}\` against the cluster, paste the values it prints into the site (libs/site, or the module HOMELAB_SITE names) in place of unmeasured('…').`] : []),
        ...(inputs.some((i) => isImageChecksumPath(i.input)) ? ['Pin each image checksum in the site\'s imageChecksums, from where the vendor lists it (docs/bootstrap.md, "Images"); the hypervisor stack then downloads the image.'] : []),
        `Then synthesize again and deploy ${u.service}.`,
      ].join(' '),
    };
  });
}

/** `tofu` or `terraform`: HOMELAB_TF_BIN when set (a name or a path), else tofu, else terraform. */
export async function resolveTerraform(env: DeployEnv, find: FindExecutable = defaultFind): Promise<{ path?: string; name: 'tofu' | 'terraform'; problem?: Problem }> {
  const chosen = env[TF_BIN_ENV]?.trim();
  if (chosen) {
    const path = await find(chosen, env);
    const name = basename(chosen).startsWith('tofu') ? 'tofu' : 'terraform';
    if (path) return { path, name };
    return {
      name,
      problem: {
        source: SOURCE, path: TF_BIN_ENV, code: MISSING_TOOL, received: chosen,
        message: `${TF_BIN_ENV} names ${chosen}, which is not an executable on PATH`,
        fix: `Install it, or unset ${TF_BIN_ENV} to use tofu or terraform from PATH.`,
      },
    };
  }
  const tofu = await find('tofu', env);
  if (tofu) return { path: tofu, name: 'tofu' };
  const terraform = await find('terraform', env);
  if (terraform) return { path: terraform, name: 'terraform' };
  return {
    name: 'tofu',
    problem: {
      source: SOURCE, path: 'tools', code: MISSING_TOOL, received: 'tofu, terraform',
      message: 'neither tofu nor terraform is on PATH; the Terraform stacks need one of them',
      fix: `Install OpenTofu (preferred) or Terraform, or set ${TF_BIN_ENV} to its path.`,
    },
  };
}

const HINTS: Readonly<Record<string, string>> = {
  'ansible-playbook': 'Install Ansible (apt-get install ansible-core).',
  talosctl: 'Install talosctl (a release matching the cluster) and put it on PATH.',
  npx: 'Install Node.js 20 with npm (npx runs the smoke tests), or pass --skip-smoke.',
  git: 'Install git (apt-get install git).',
};

export async function preflight(units: readonly DeployUnit[], options: PreflightOptions): Promise<PreflightResult> {
  const find = options.findExecutable ?? defaultFind;
  const { env } = options;
  const problems: Problem[] = [];
  const notes: string[] = [];
  const tools: { -readonly [K in keyof DeployTools]: DeployTools[K] } = { ...DEFAULT_TOOLS };

  // Tools, each once, naming the services that need it.
  const needs = (pred: (u: DeployUnit) => boolean) => units.filter(pred).map((u) => u.service);
  const infra = needs((u) => u.infra);
  if (infra.length) {
    const tf = await resolveTerraform(env, find);
    tools.tfName = tf.name;
    tools.tf = tf.path ?? tf.name;
    if (tf.problem) problems.push({ ...tf.problem, message: `${tf.problem.message} (needed by ${infra.join(', ')})` });
  }
  const simple: [keyof DeployTools, string, string[]][] = [
    ['ansiblePlaybook', 'ansible-playbook', needs((u) => u.config)],
    ['talosctl', 'talosctl', needs((u) => u.talos)],
    ['npx', 'npx', options.skipSmoke ? [] : needs((u) => u.smokeDir !== undefined)],
  ];
  for (const [key, name, users] of simple) {
    if (!users.length) continue;
    const pinVar = TOOL_BIN_ENV[name];
    const pinned = pinVar ? env[pinVar]?.trim() : undefined;
    const path = await find(pinned || name, env);
    if (path) (tools as Record<string, string>)[key] = path;
    else if (pinned && pinVar) {
      problems.push({
        source: SOURCE, path: pinVar, code: MISSING_TOOL, received: pinned,
        message: `${pinVar} names ${pinned}, which is not an executable (needed by ${users.join(', ')})`,
        fix: `Point ${pinVar} at the ${name} to use, or unset it to take ${name} from PATH.`,
      });
    } else {
      problems.push({
        source: SOURCE, path: 'tools', code: MISSING_TOOL, received: name,
        message: `${name} is not on PATH (needed by ${users.join(', ')})`,
        fix: HINTS[name] ?? `Install ${name} and put it on PATH.`,
      });
    }
  }
  const git = await find('git', env);
  if (git) tools.git = git;

  // Environment: every missing or empty variable of every service, in one problem.
  // Each with the step that reads it and the services whose step that is: `(config: idp, app)`.
  const missing = new Map<string, { readers: Map<string, string[]>; description: string; empty: boolean }>();
  for (const unit of units) {
    for (const req of unit.env) {
      // Deploy supplies it when unset (provider-token.ts checks where it comes from).
      if (req.supplied) continue;
      const value = env[req.name];
      if (value !== undefined && value.trim() !== '') continue;
      const entry = missing.get(req.name) ?? { readers: new Map<string, string[]>(), description: req.description, empty: value !== undefined };
      entry.readers.set(req.step, [...(entry.readers.get(req.step) ?? []), unit.service]);
      missing.set(req.name, entry);
    }
  }
  if (missing.size) {
    const names = [...missing.keys()].sort();
    const detail = names.map((n) => {
      const m = missing.get(n)!;
      const readers = [...m.readers].map(([step, services]) => `${step}: ${services.join(', ')}`).join('; ');
      return `\n        ${n}${m.empty ? ' (set but empty)' : ''}: ${m.description} (${readers})`;
    });
    problems.push({
      source: SOURCE, path: 'env', code: MISSING_ENV,
      message: `${names.length} environment variable${names.length === 1 ? ' is' : 's are'} not set:${detail.join('')}`,
      fix: `Export ${names.join(', ')} (from your password manager or an env file outside the repo), then run deploy again.`,
    });
  }

  // Site inputs nobody has measured: the service's files lack what needs them.
  problems.push(...unmeasuredProblems(units));

  // The synthesized files the steps run.
  for (const unit of units) {
    if (options.distPending?.includes(unit.service)) continue;
    const wanted = [...(unit.infra ? [TERRAFORM_FILE] : []), ...(unit.config ? [ANSIBLE_PLAYBOOK, ANSIBLE_INVENTORY] : [])];
    const absent = wanted.filter((f) => !existsSync(join(unit.distDir, f)));
    if (absent.length) {
      problems.push({
        source: `dist/${unit.service}`, path: absent.join(', '), code: 'DistMissing', received: absent,
        message: `the synthesized files deploy runs are missing`,
        fix: `Run \`homelab synth --service ${unit.service}\` (nx run ${unit.service}:synth) first.`,
      });
    }
  }

  // Dependencies outside this deploy: a failed one blocks, an unknown one is noted.
  const selected = new Set(units.map((u) => u.service));
  const seen = new Set<string>();
  for (const unit of units) {
    for (const dep of unit.manifest.dependsOn) {
      if (selected.has(dep) || seen.has(`${unit.service}>${dep}`)) continue;
      seen.add(`${unit.service}>${dep}`);
      const record = options.records?.get(dep);
      if (!record) notes.push(`${unit.service} depends on ${dep}, which has no deploy record on this machine; assuming it runs.`);
      else if (record.status === 'infrastructure' && !options.infraOnly) {
        problems.push({
          source: SOURCE, path: `${unit.service}.dependsOn`, code: DEPENDENCY_INFRA_ONLY, received: dep,
          message: `${unit.service} depends on ${dep}, of which only the infrastructure is deployed (deploy --infra-only at ${record.at}): its config step and smoke tests have not run`,
          fix: `Deploy ${dep} in full first (homelab deploy --service ${dep} --service ${unit.service}).`,
        });
      } else if (record.status !== 'deployed' && record.status !== 'infrastructure') {
        problems.push({
          source: SOURCE, path: `${unit.service}.dependsOn`, code: 'DependencyFailed', received: dep,
          message: record.status === 'in-progress'
            ? `${unit.service} depends on ${dep}, whose last deploy did not finish (in progress since ${record.at}: interrupted, or still running)`
            : `${unit.service} depends on ${dep}, whose last deploy failed at ${record.failedStep ?? '?'} (${record.at})`,
          fix: `Deploy ${dep} first (homelab deploy --service ${dep} --service ${unit.service}).`,
        });
      }
    }
  }
  return { problems, notes, tools };
}
