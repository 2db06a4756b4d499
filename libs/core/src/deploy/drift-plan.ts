/**
 * `homelab drift`'s Terraform half: `<tf> plan -detailed-exitcode` of one service against its
 * state, the way deploy runs it (same tool choice, init arguments, environment, run directory
 * under the state directory), where it can run: a Terraform stack, tofu or terraform on PATH, and
 * every variable the infra step reads. Otherwise it says what is missing and the PVE comparison
 * stands alone.
 *
 * Read-only: no `-out` (deploy's saved plan is not touched), `-lock=false` (a plan writes no
 * state; a deploy holding the lock is not waited for), no apply. The adopt imports are copied in
 * as deploy would, so an adopted but not yet deployed guest shows as an import, not a create.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { findExecutable, type FindExecutable } from '../process/find-executable.ts';
import { runTool, ToolError, type DeployEnv, type ToolSpawner } from '../process/run-tool.ts';
import { copyAdoptImports } from './adopt-imports.ts';
import { DEFAULT_TOOLS, PLAN_EXIT, serviceCommands } from './commands.ts';
import type { DeployUnit } from './deploy-unit.ts';
import { resolveTerraform } from './preflight.ts';
import { newRunId, runDirPath } from './run-dir.ts';

export type TerraformDrift =
  | { readonly status: 'in-sync' }
  /** `changes`: the plan's resource lines and its summary. */
  | { readonly status: 'drifted'; readonly changes: readonly string[] }
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'error'; readonly message: string };

export interface DriftPlanContext {
  readonly stateDir: string;
  readonly env: DeployEnv;
  readonly root: string;
  /** @default PATH lookup */
  readonly findExecutable?: FindExecutable;
  /** @default execa */
  readonly spawner?: ToolSpawner;
}

/** The plan lines that say what would change: `# x will be updated in-place`, `Plan: ...`. */
export function planChangeLines(stdout: string): string[] {
  return stdout.split('\n').map((l) => l.trim()).filter((l) => /^# \S+ (will|must) be /.test(l) || /^Plan: /.test(l));
}

/**
 * Plans the service from its synthesized files (`files`: dist-relative path → content, as synth
 * made them now), in `<state>/runs/<svc>/drift-<id>/`, removed afterwards.
 */
export async function terraformDriftPlan(unit: DeployUnit, files: ReadonlyMap<string, string>, ctx: DriftPlanContext): Promise<TerraformDrift> {
  if (!unit.infra) return { status: 'skipped', reason: 'no Terraform stack' };
  const missing = unit.env.filter((e) => e.step === 'infra' && !ctx.env[e.name]?.trim()).map((e) => e.name);
  if (missing.length) return { status: 'skipped', reason: `${missing.join(', ')} not set (the plan needs ${missing.length === 1 ? 'it' : 'them'})` };
  const tf = await resolveTerraform(ctx.env, ctx.findExecutable ?? findExecutable);
  if (!tf.path) return { status: 'skipped', reason: tf.problem?.message ?? 'neither tofu nor terraform is on PATH' };
  const runDir = runDirPath(ctx.stateDir, unit.service, `drift-${newRunId(new Date())}`);
  try {
    for (const [path, content] of files) {
      if (!path.startsWith('terraform/')) continue;
      await mkdir(dirname(join(runDir, path)), { recursive: true, mode: 0o700 });
      await writeFile(join(runDir, path), content, { mode: 0o600 });
    }
    await copyAdoptImports(ctx.stateDir, unit.service, runDir);
    const calls = serviceCommands({ ...unit, distDir: runDir, config: false, smokeDir: undefined }, {
      tools: { ...DEFAULT_TOOLS, tf: tf.path, tfName: tf.name }, env: ctx.env, stateDir: ctx.stateDir, root: ctx.root, smokeTarget: '', skipSmoke: true,
    });
    const init = calls.find((c) => c.action === 'init')!;
    const deployPlan = calls.find((c) => c.action === 'plan')!;
    const plan = { ...deployPlan, label: `${tf.name} plan (drift)`, args: [...deployPlan.args.filter((a) => !a.startsWith('-out=')), '-lock=false'], stream: false };
    const options = { env: ctx.env, ...(ctx.spawner ? { spawner: ctx.spawner } : {}) };
    await runTool({ ...init, stream: false }, options);
    const result = await runTool(plan, options);
    if (result.exitCode === PLAN_EXIT.noChanges) return { status: 'in-sync' };
    return { status: 'drifted', changes: planChangeLines(result.stdout) };
  } catch (error) {
    if (error instanceof ToolError) return { status: 'error', message: error.short };
    throw error;
  } finally {
    await rm(runDir, { recursive: true, force: true });
  }
}
