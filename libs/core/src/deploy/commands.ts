/**
 * The exact, ordered external commands that deploy one service: pure data, so `--dry-run`
 * prints the very calls the runner makes.
 *
 *   infra   <tf> init -input=false -no-color [-backend-config=path=<state>/terraform-state/<svc>.tfstate]
 *           <tf> plan -input=false -no-color -detailed-exitcode -out=<state>/plans/<svc>.tfplan
 *           (the operator confirms what the plan printed)
 *           <tf> apply -input=false -no-color <state>/plans/<svc>.tfplan   only when the plan has changes
 *           <tf> output -no-color -raw terraform_api_token   the token stack only: its output, not printed,
 *                                                           stored for the later stacks (provider-token.ts)
 *   config  ansible-playbook -i inventory.yml playbook.yml  cwd dist/<svc>/ansible
 *   smoke   npx --no-install vitest run packages/<svc>/smoke  cwd <root>
 *
 * Apply takes the saved plan, never `-auto-approve`: what runs is exactly what was shown.
 * `-no-color` keeps escape codes out of the prefixed log lines and failure messages.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DeployUnit } from './deploy-unit.ts';
import type { DeployEnv, ToolCall } from '../process/run-tool.ts';
import { statePaths } from './state-dir.ts';
import { backendInitArgs } from './terraform-state.ts';
import { SMOKE_ENV } from '../smoke/smoke-rows.ts';

/** Absolute paths (or bare names when not found) of the tools deploy runs. */
export interface DeployTools {
  /** tofu or terraform. */
  readonly tf: string;
  readonly tfName: 'tofu' | 'terraform';
  readonly ansiblePlaybook: string;
  readonly talosctl: string;
  readonly npx: string;
  readonly git: string;
}

export const DEFAULT_TOOLS: DeployTools = { tf: 'tofu', tfName: 'tofu', ansiblePlaybook: 'ansible-playbook', talosctl: 'talosctl', npx: 'npx', git: 'git' };

export interface CommandContext {
  readonly tools: DeployTools;
  /** The deploy environment: decides which variables homelab sets and which it leaves alone. */
  readonly env: DeployEnv;
  readonly stateDir: string;
  /** Workspace root: the smoke tests run from there. */
  readonly root: string;
  /** Value of HOMELAB_SMOKE_TARGET when the operator has not set one (the site's name). */
  readonly smokeTarget: string;
  /** @default false */
  readonly skipSmoke?: boolean;
}

/**
 * TF_CLI_CONFIG_FILE: the operator's own when it names a file that exists; else /dev/null (a
 * missing file makes terraform warn on every command). CHECKPOINT_DISABLE stops the update check.
 * TF_DATA_DIR keeps providers in the state directory, so re-synthesizing dist/ does not drop them.
 */
export function terraformEnv(unit: DeployUnit, ctx: CommandContext): Record<string, string> {
  const env: Record<string, string> = { CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
  const cli = ctx.env.TF_CLI_CONFIG_FILE;
  if (!cli || !existsSync(cli)) env.TF_CLI_CONFIG_FILE = '/dev/null';
  if (!ctx.env.TF_DATA_DIR) env.TF_DATA_DIR = statePaths.terraformData(ctx.stateDir, unit.service);
  return env;
}

/**
 * A guest terraform just created has a host key nobody has seen: accept a new key, refuse a
 * changed one. Only when the operator has not set ssh arguments of their own.
 */
export function ansibleEnv(ctx: CommandContext): Record<string, string> {
  const env: Record<string, string> = { PYTHONUNBUFFERED: '1' };
  if (!ctx.env.ANSIBLE_SSH_COMMON_ARGS) env.ANSIBLE_SSH_COMMON_ARGS = '-o StrictHostKeyChecking=accept-new';
  return env;
}

/** What a command is to the runner: the plan decides whether apply runs; apply and playbook need a yes. */
export type DeployAction = 'init' | 'plan' | 'apply' | 'token' | 'playbook' | 'smoke';

export interface DeployCall extends ToolCall {
  readonly action: DeployAction;
}

/** `plan -detailed-exitcode`: 0 no changes, 2 changes (1 is an error). */
export const PLAN_EXIT = { noChanges: 0, changes: 2 } as const;

export function serviceCommands(unit: DeployUnit, ctx: CommandContext): DeployCall[] {
  const calls: DeployCall[] = [];
  const service = unit.service;
  const byStep = (step: 'infra' | 'config') => unit.env.filter((e) => e.step === step).map((e) => e.name);
  if (unit.infra) {
    const cwd = join(unit.distDir, 'terraform');
    const setEnv = terraformEnv(unit, ctx);
    // The declared variables with a default that the operator overrides are read too; other TF_VAR_* are not passed.
    const overridden = (unit.terraformVariables ?? []).map((v) => `TF_VAR_${v}`).filter((n) => ctx.env[n] !== undefined);
    // The token stack's provider reads the administrator credential under the token's name (provider-token.ts).
    const role = unit.providerToken;
    const infraEnv = byStep('infra').map((n) => (role?.role === 'issues' && n === role.adminEnv ? role.tokenEnv : n));
    const readsEnv = [...new Set([...infraEnv, ...overridden])].sort();
    const planFile = statePaths.plan(ctx.stateDir, service);
    const tf = { service, step: 'infra' as const, file: ctx.tools.tf, cwd, setEnv, readsEnv };
    calls.push({
      ...tf, action: 'init', label: `${ctx.tools.tfName} init`, mutates: false,
      args: ['init', '-input=false', '-no-color', ...backendInitArgs(unit.backend ?? 'local', ctx.stateDir, service, ctx.env)],
    });
    calls.push({
      ...tf, action: 'plan', label: `${ctx.tools.tfName} plan`, mutates: false, successCodes: [PLAN_EXIT.noChanges, PLAN_EXIT.changes],
      args: ['plan', '-input=false', '-no-color', '-detailed-exitcode', `-out=${planFile}`],
    });
    calls.push({ ...tf, action: 'apply', label: `${ctx.tools.tfName} apply`, mutates: true, args: ['apply', '-input=false', '-no-color', planFile] });
    if (role?.role === 'issues') {
      // Never streamed: its stdout is the token, which deploy stores and no line shows.
      calls.push({ ...tf, action: 'token', label: `${ctx.tools.tfName} output ${role.output}`, mutates: false, stream: false, args: ['output', '-no-color', '-raw', role.output] });
    }
  }
  if (unit.config) {
    calls.push({
      service, step: 'config', action: 'playbook', label: 'ansible-playbook', file: ctx.tools.ansiblePlaybook,
      args: ['-i', 'inventory.yml', 'playbook.yml'], cwd: join(unit.distDir, 'ansible'),
      setEnv: ansibleEnv(ctx), readsEnv: byStep('config'), mutates: true,
    });
  }
  if (unit.smokeDir && !ctx.skipSmoke) {
    const setEnv: Record<string, string> = {};
    if (!ctx.env[SMOKE_ENV.target]?.trim()) setEnv[SMOKE_ENV.target] = ctx.smokeTarget;
    const readsEnv = [SMOKE_ENV.target, SMOKE_ENV.resolve, SMOKE_ENV.ca].filter((n) => ctx.env[n]?.trim());
    calls.push({
      service, step: 'smoke', action: 'smoke', label: 'smoke tests', file: ctx.tools.npx,
      args: ['--no-install', 'vitest', 'run', unit.smokeDir], cwd: ctx.root, setEnv, readsEnv, mutates: false,
    });
  }
  return calls;
}

/** `git rev-parse HEAD` and `git status --porcelain --untracked-files=no`, for the record. */
export function gitCommands(ctx: Pick<CommandContext, 'tools' | 'root'>): { head: ToolCall; status: ToolCall } {
  const base = { service: 'homelab', step: 'record' as const, cwd: ctx.root, setEnv: {}, readsEnv: [], mutates: false, stream: false, file: ctx.tools.git };
  return {
    head: { ...base, label: 'git rev-parse', args: ['rev-parse', 'HEAD'] },
    status: { ...base, label: 'git status', args: ['status', '--porcelain', '--untracked-files=no'] },
  };
}
