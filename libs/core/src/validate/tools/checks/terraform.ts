/**
 * terraform-json through Terraform's own config loader, offline.
 *
 * `terraform validate` needs the provider's schema, so the provider binary, so a download; not
 * possible here. What Terraform can do offline is load the configuration: `terraform providers`
 * parses every file of the directory (JSON syntax, block structure, meta-arguments such as
 * count/for_each/depends_on/lifecycle/provider references, variable types, version constraints,
 * duplicate backends) and prints the provider requirements. Resource *arguments* are decoded only
 * against the provider schema, so they stay with the JSON-schema check.
 *
 * `terraform providers` refuses to run while a declared backend is not initialised. For the
 * `local` backend, `terraform init -backend=true -get=false -plugin-dir=<empty dir>` initialises
 * it without network (the plugin dir disables every provider installation source; the provider
 * step then fails by design, which is ignored) and decodes the backend block on the way. Any
 * other backend type would contact its server: it is removed from the copy, and the note says so.
 *
 * Runs in the service layout's terraform directory with TF_CLI_CONFIG_FILE=/dev/null (no user
 * credentials, mirrors or plugin caches) and CHECKPOINT_DISABLE=1 (no version check call).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Problem } from '../../../model/problem.ts';
import type { LaidOutArtifact } from '../layout.ts';
import { abnormalExit, toolMessage } from '../run-validator.ts';
import { abnormalProblem, checkResult, missingResult, toolOutput, toolPath, type ToolCheck, type ToolCheckContext } from '../tool-check.ts';

export const TERRAFORM_CHECK = 'terraform providers';

export const TERRAFORM_ENV: Readonly<Record<string, string>> = {
  TF_CLI_CONFIG_FILE: '/dev/null',
  CHECKPOINT_DISABLE: '1',
  TF_IN_AUTOMATION: '1',
  TF_INPUT: '0',
};

/** The backend types a JSON config declares under `terraform` (object or list-of-objects form). */
export function backendTypes(config: unknown): string[] {
  if (!isRecord(config)) return [];
  const blocks = Array.isArray(config.terraform) ? config.terraform : [config.terraform];
  const types: string[] = [];
  for (const block of blocks) {
    if (!isRecord(block)) continue;
    const backends = Array.isArray(block.backend) ? block.backend : [block.backend];
    for (const b of backends) if (isRecord(b)) types.push(...Object.keys(b));
  }
  return types;
}

function withoutBackend(config: Record<string, unknown>): Record<string, unknown> {
  const strip = (block: unknown): unknown => {
    if (!isRecord(block)) return block;
    const { backend: _backend, ...rest } = block;
    return rest;
  };
  return { ...config, terraform: Array.isArray(config.terraform) ? config.terraform.map(strip) : strip(config.terraform) };
}

/** One directory of Terraform JSON files (normally just `terraform/cdk.tf.json`); one result per file. */
export async function checkTerraformDir(ctx: ToolCheckContext, artifacts: readonly LaidOutArtifact[]): Promise<ToolCheck[]> {
  const terraform = toolPath(ctx, 'terraform');
  const alias = ctx.tools.get('terraform')?.alias;
  const check = alias ? `${TERRAFORM_CHECK} (${alias})` : TERRAFORM_CHECK;
  if (!terraform) return artifacts.map((a) => missingResult(ctx, a, TERRAFORM_CHECK, 'terraform'));
  const dir = path.dirname(artifacts[0]!.path);
  const notes: string[] = [];
  let initialise = false;
  for (const artifact of artifacts) {
    let config: unknown;
    try {
      config = JSON.parse(await readFile(artifact.path, 'utf8'));
    } catch {
      continue; // Terraform reports the syntax error itself, with its position.
    }
    const types = backendTypes(config);
    if (types.length === 1 && types[0] === 'local') initialise = true;
    else if (types.length === 1) {
      await writeFile(artifact.path, JSON.stringify(withoutBackend(config as Record<string, unknown>), null, 2));
      notes.push(`backend "${types[0]}" would contact its server on init: Terraform loaded a copy without the backend block (its settings were not checked)`);
    }
  }
  let init: Awaited<ReturnType<typeof ctx.runner.run>> | undefined;
  if (initialise) {
    const emptyPluginDir = path.join(dir, '.no-provider-plugins');
    await mkdir(emptyPluginDir, { recursive: true });
    init = await ctx.runner.run({
      label: 'terraform init (backend only, offline)', file: terraform, cwd: dir, env: TERRAFORM_ENV,
      args: ['init', '-input=false', '-no-color', '-get=false', '-backend=true', `-plugin-dir=${emptyPluginDir}`],
    });
  }
  const run = await ctx.runner.run({ label: check, file: terraform, args: ['providers'], cwd: dir, env: TERRAFORM_ENV });
  const results = (problemsFor: (artifact: LaidOutArtifact) => Problem[]): ToolCheck[] =>
    artifacts.map((a) => checkResult(a, check, 'terraform', problemsFor(a), notes));
  if (abnormalExit(run)) return results((a) => [abnormalProblem(a, check, run, ctx)]);
  if (run.exitCode === 0) return results(() => []);

  let lines = toolOutput(run, ctx);
  // The real reason a backend could not be initialised is in init's output.
  if (init && lines.some((l) => /Backend initialization required/i.test(l))) {
    const initLines = toolOutput(init, ctx).filter((l) => !/^(Initializing|Successfully configured|Terraform will automatically|use this backend|- Finding )/.test(l));
    const reason = cutProviderInstallError(initLines);
    if (reason.length) lines = reason;
  }
  return results((a) => [{
    source: a.source, path: locationOf(lines, path.basename(a.path)),
    code: 'TerraformConfigInvalid',
    message: `Terraform could not load the configuration:\n        ${toolMessage(lines)}`,
    fix: 'Fix the construct that renders this block; the lines above are Terraform\'s own diagnostics.',
  }]);
}

/** init's diagnostics without the expected "no provider available" error (providers are never installed here). */
function cutProviderInstallError(lines: readonly string[]): string[] {
  const out: string[] = [];
  let skipping = false;
  for (const line of lines) {
    if (/^Error: (Failed to query available provider packages|Failed to resolve provider packages|Inconsistent dependency lock file)/.test(line)) {
      skipping = true;
      continue;
    }
    if (skipping && /^(Error|Warning): /.test(line)) skipping = false;
    if (!skipping) out.push(line);
  }
  return out;
}

/** `on cdk.tf.json line 94, in ...` → `line 94`. */
function locationOf(lines: readonly string[], file: string): string {
  for (const line of lines) {
    const m = /on (\S+) line (\d+)/.exec(line);
    if (m && m[1] === file) return `line ${m[2]}`;
  }
  return '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
