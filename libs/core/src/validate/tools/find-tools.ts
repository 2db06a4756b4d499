/**
 * The validators `validate` runs, where they come from, and how a missing one is reported:
 * loudly, and as a failure in CI (env CI set), as a warning on a developer's machine.
 */
import { findExecutable } from '../../process/find-executable.ts';
import type { Problem } from '../../model/problem.ts';

export type ValidatorTool =
  | 'terraform'
  | 'promtool'
  | 'amtool'
  | 'ansible-playbook'
  | 'ansible-lint'
  | 'nginx'
  | 'wg'
  | 'shellcheck'
  | 'systemd-analyze';

export interface ValidatorToolSpec {
  /** Executables tried in order (the first found is used). */
  readonly names: readonly string[];
  /** How to get it, for the ToolMissing fix. */
  readonly install: string;
}

export const VALIDATOR_TOOLS: Readonly<Record<ValidatorTool, ValidatorToolSpec>> = {
  terraform: { names: ['terraform', 'tofu'], install: 'install Terraform >= 1.5 or OpenTofu (not packaged by Debian)' },
  promtool: { names: ['promtool'], install: 'apt-get install prometheus (bash tools/ci/install-system-tools.sh)' },
  amtool: { names: ['amtool'], install: 'apt-get install prometheus-alertmanager (bash tools/ci/install-system-tools.sh)' },
  'ansible-playbook': { names: ['ansible-playbook'], install: 'apt-get install ansible-core (bash tools/ci/install-system-tools.sh)' },
  'ansible-lint': { names: ['ansible-lint'], install: 'apt-get install ansible-lint (bash tools/ci/install-system-tools.sh)' },
  nginx: { names: ['nginx'], install: 'apt-get install nginx (bash tools/ci/install-system-tools.sh)' },
  wg: { names: ['wg'], install: 'apt-get install wireguard-tools (bash tools/ci/install-system-tools.sh)' },
  shellcheck: { names: ['shellcheck'], install: 'apt-get install shellcheck (bash tools/ci/install-system-tools.sh)' },
  'systemd-analyze': { names: ['systemd-analyze'], install: 'apt-get install systemd (bash tools/ci/install-system-tools.sh)' },
};

/** Where each tool is; `null` when it is not installed. */
export type ToolPaths = Readonly<Partial<Record<ValidatorTool, string | null>>>;

export interface LocatedTool {
  readonly tool: ValidatorTool;
  /** Absolute path, or undefined when missing. */
  readonly path?: string;
  /** The name found, when it is not the first choice (`tofu` for terraform). */
  readonly alias?: string;
}

/**
 * Finds every tool on PATH once per run. `overrides` pin a path or `null` (treat as missing):
 * tests use it to exercise the missing-tool path without uninstalling anything.
 */
export async function locateTools(env: Readonly<Record<string, string | undefined>>, overrides: ToolPaths = {}): Promise<ReadonlyMap<ValidatorTool, LocatedTool>> {
  const entries = await Promise.all((Object.keys(VALIDATOR_TOOLS) as ValidatorTool[]).map(async (tool): Promise<[ValidatorTool, LocatedTool]> => {
    if (Object.hasOwn(overrides, tool)) {
      const pinned = overrides[tool];
      return [tool, pinned ? { tool, path: pinned } : { tool }];
    }
    for (const name of VALIDATOR_TOOLS[tool].names) {
      const found = await findExecutable(name, env);
      if (found) return [tool, { tool, path: found, ...(name !== VALIDATOR_TOOLS[tool].names[0] ? { alias: name } : {}) }];
    }
    return [tool, { tool }];
  }));
  return new Map(entries);
}

/** CI is any non-empty CI other than "false"/"0" (GitHub, GitLab and .ci/run set CI=true). */
export function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/** The problem for a check that could not run: an error in CI, a warning elsewhere. */
export function toolMissingProblem(tool: ValidatorTool, source: string, check: string, ci: boolean): Problem {
  const spec = VALIDATOR_TOOLS[tool];
  return {
    source, path: '', code: 'ToolMissing',
    message: `${check} was NOT run: ${spec.names.join(' or ')} is not on PATH${ci ? ' (CI: a missing validator fails the build)' : ' (skipped on this machine; CI fails instead)'}`,
    fix: `To run it, ${spec.install}.`,
    ...(ci ? {} : { severity: 'warning' as const }),
  };
}

/** `amtool, version 0.25.0 (branch: ...)` → [0, 25, 0]. */
export function parseVersion(text: string): readonly [number, number, number] | undefined {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
