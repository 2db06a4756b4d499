/**
 * Deploys services as a graph: preflight (nothing changes unless everything is in place,
 * including a way to confirm), the locks, then each service as soon as its dependencies in this
 * deploy are done, at most `parallelism` at once (schedule.ts), per service init -> plan -> the
 * operator confirms (or --yes) -> apply the saved plan (only when it has changes) -> config ->
 * smoke -> record (with the plan's text). Terraform's calls take one of `proxmoxApiParallelism`
 * slots; the operator's questions are asked one at a time. A failed or declined service's
 * dependents are skipped; independent services still deploy. An interrupt stops every running
 * tool (SIGINT to each), starts nothing more, releases the locks and records each interrupted
 * service as failed. A state error starts nothing more; what runs finishes. Services whose synthesized manifest equals their record are skipped as unchanged
 * unless `force`, decided under the lock when another deploy holds it (a record read while that
 * deploy runs says nothing about what it will leave).
 *
 * Under the locks, first `refreshDist` brings dist/ up to date, then each service is copied to
 * a run directory of its own (run-dir.ts) and its tools run there; the process group of the
 * running tool is kept in the service's lock (lock.ts). A dependency outside this deploy whose
 * lock is held blocks its dependents (or, with a lock wait, is waited for, and its record is
 * read after it finished).
 *
 * With `infraOnly` (deploy --infra-only) each service is cut to its Terraform stack
 * (infra-only.ts) and recorded `infrastructure`: a full deploy is still due.
 */
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { dependencyWaves } from '../graph/waves.ts';
import { createLimiter } from '../validate/tools/run-validator.ts';
import { runGraph, type GraphProgress } from './schedule.ts';
import type { Problem } from '../model/problem.ts';
import { formatProblems } from '../model/problem.ts';
import { EXIT } from '../exit-codes.ts';
import { gitCommands, PLAN_EXIT, serviceCommands, type CommandContext, type DeployCall, type DeployTools } from './commands.ts';
import type { DeployUnit } from './deploy-unit.ts';
import type { FindExecutable } from '../process/find-executable.ts';
import {
  acquireDeployLocks, DeployLockBusyError, describeHolder, inspectDeployLock, isSynthLock, LockWaitAbortedError, waitForLocksFree,
  type DeployLocks, type LockOptions,
} from './lock.ts';
import { MISSING_ENV, MISSING_TOOL, UNMEASURED_INPUT, preflight } from './preflight.ts';
import { infrastructureOnly, noInfrastructureProblem } from './infra-only.ts';
import {
  appendHistory, compareWithDeployed, manifestHash, readDeployRecord, RECORD_SCHEMA, writeDeployRecord,
  type DeployRecord, type GitInfo, type PlanRecord,
} from './record.ts';
import { formatMode, PRIVATE_FILE_MODE, tightenMode, type Tightened } from './private-files.ts';
import { formatCommand, formatEnvNames, runTool, ToolError, type DeployEnv, type DeployStep, type ToolCall, type ToolExit, type ToolSpawner } from '../process/run-tool.ts';
import { scrubDeep, secretNames, secretScrubber, type Scrub } from './scrub.ts';
import { checkStateDir, prepareStateDir } from './state-check.ts';
import { copyToRunDir, newRunId, removeRunDir } from './run-dir.ts';
import { adoptImportsPath, clearAdoptImports, copyAdoptImports } from './adopt-imports.ts';
import { statePaths } from './state-dir.ts';
import { atStatePath, StateError } from './state-error.ts';
import { terraformStatePath } from './terraform-state.ts';
import { toolEnvironment } from './tool-env.ts';
import {
  describeTokenSource, missingTokenProblem, PROVIDER_TOKEN_MISSING, providerTokenPath, readStoredToken, stackToolEnv, storeToken, tokenSource,
  type ProviderTokenRole,
} from './provider-token.ts';

/**
 * Exit codes of `homelab deploy`: the one table of every command (failed: a service failed;
 * refused: preflight, a held lock or a declined apply; interrupted: Ctrl-C).
 * @deprecated use EXIT
 */
export const DEPLOY_EXIT = EXIT;

/** `infrastructure`: deploy --infra-only applied the Terraform stack alone. */
export type ServiceStatus = 'deployed' | 'infrastructure' | 'unchanged' | 'failed' | 'skipped' | 'declined' | 'planned';

export interface ServiceOutcome {
  readonly service: string;
  readonly status: ServiceStatus;
  /** For failed: the step that failed. */
  readonly step?: DeployStep;
  /** For skipped and unchanged: why; for failed: the one-line error. */
  readonly reason?: string;
  /** For failed: the full message (command, exit reason, stderr). */
  readonly error?: string;
  readonly durationMs?: number;
}

export type DeployResult = 'ok' | 'failed' | 'preflight' | 'locked' | 'declined' | 'interrupted' | 'dry-run';

export interface DeploySummary {
  readonly result: DeployResult;
  readonly exitCode: number;
  /** In deploy order. */
  readonly services: readonly ServiceOutcome[];
  /** Errors, and (severity warning) what a dry run found missing on this machine. */
  readonly problems: readonly Problem[];
  readonly notes: readonly string[];
  /** For --dry-run: the commands, in order. */
  readonly commands: readonly ToolCall[];
}

export interface DeployServicesOptions {
  /** Workspace root: smoke tests and git run there. */
  readonly root: string;
  readonly stateDir: string;
  /** The deploy environment. @default process.env */
  readonly env?: DeployEnv;
  /** HOMELAB_SMOKE_TARGET when the operator has not set one. */
  readonly siteName: string;
  /** The process boundary. @default execaSpawner */
  readonly spawner?: ToolSpawner;
  readonly findExecutable?: FindExecutable;
  /** Redeploy services whose manifest equals their record. @default false */
  readonly force?: boolean;
  /**
   * Preflight and print every command of every service; run nothing, take no lock, write
   * nothing. Missing variables and tools are warnings here, not a stop. @default false
   */
  readonly dryRun?: boolean;
  /** Apply without asking (--yes). @default false */
  readonly yes?: boolean;
  /**
   * Asks the operator, after the plan is shown, before a service's first change; undefined
   * without a terminal. With neither this nor `yes` a real deploy is refused in preflight.
   */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** Services whose dist/ is written before anything runs but not yet (a dry run): their files need not exist. */
  readonly distPending?: readonly string[];
  /**
   * Brings dist/<svc>/ of these services up to date; called once the locks are held, before
   * anything runs (a synth of the same service cannot interleave). Not called by a dry run.
   */
  readonly refreshDist?: (services: readonly string[]) => Promise<void>;
  /** @default false */
  readonly skipSmoke?: boolean;
  /**
   * Only the Terraform stacks (init, plan, apply): no playbook, no smoke tests, only the
   * variables the stacks read; recorded `infrastructure`, so a full deploy is still due. @default false
   */
  readonly infraOnly?: boolean;
  /**
   * At most this many services deploy at once (deploy --parallel, the site's
   * deploy.parallelism). @default 1: one at a time, in deploy order
   */
  readonly parallelism?: number;
  /** At most this many Terraform calls (init, plan, apply: the Proxmox API) at once. @default DEPLOY_PARALLELISM.proxmoxApi */
  readonly proxmoxApiParallelism?: number;
  /** Lock behaviour (waitMs: how long to wait for a held lock). */
  readonly lock?: Omit<LockOptions, 'onWait' | 'signal'>;
  /** Aborted on the first Ctrl-C. */
  readonly signal?: AbortSignal;
  /** Aborted on a second Ctrl-C. */
  readonly forceSignal?: AbortSignal;
  /** Progress and tool stdout lines. @default console.log */
  readonly out?: (line: string) => void;
  /** Tool stderr lines and errors. @default console.error */
  readonly err?: (line: string) => void;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

function orderUnits(units: readonly DeployUnit[]): { waves: DeployUnit[][]; cycles: readonly (readonly string[])[] } {
  const byName = new Map(units.map((u) => [u.service, u]));
  const { waves, cycles } = dependencyWaves(new Map(units.map((u) => [u.service, u.manifest.dependsOn])));
  return { waves: waves.map((w) => w.map((n) => byName.get(n)!)), cycles };
}

/** The bounds `homelab deploy` uses when neither --parallel nor the site's `deploy` setting says. */
export const DEPLOY_PARALLELISM = { services: 4, proxmoxApi: 2 } as const;

/** `deploy: 3 running (a, b, c), 5 done, 8 waiting`. */
export function formatDeployProgress(p: Pick<GraphProgress, 'running' | 'done' | 'waiting'>): string {
  return `deploy: ${p.running.length} running${p.running.length ? ` (${p.running.join(', ')})` : ''}, ${p.done} done, ${p.waiting} waiting`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A dependency outside this deploy is being applied by another deploy right now. */
export const DEPENDENCY_BEING_DEPLOYED = 'DependencyBeingDeployed';

export function formatDeploySummary(summary: Pick<DeploySummary, 'services' | 'result'>): string {
  const by = (s: ServiceStatus) => summary.services.filter((o) => o.status === s);
  const counts = [
    'deployed' as const, ...(by('infrastructure').length ? ['infrastructure' as const] : []), 'unchanged' as const, 'failed' as const, 'skipped' as const,
    ...(by('declined').length ? ['declined' as const] : []),
  ].map((s) => `${by(s).length} ${s === 'infrastructure' ? 'infrastructure only' : s}`).join(', ');
  const lines = [`deploy summary${summary.result === 'interrupted' ? ' (interrupted)' : ''}: ${counts}`];
  const row = (label: string, items: string[]) => { if (items.length) lines.push(`  ${label.padEnd(10)} ${items.join('\n             ')}`); };
  row('deployed', by('deployed').map((o) => `${o.service}${o.durationMs !== undefined ? ` (${seconds(o.durationMs)})` : ''}`));
  row('infra only', by('infrastructure').map((o) => `${o.service}${o.durationMs !== undefined ? ` (${seconds(o.durationMs)})` : ''}: config and smoke tests not run`));
  row('unchanged', by('unchanged').map((o) => o.service));
  row('failed', by('failed').map((o) => o.reason ?? `${o.service}: ${o.step ?? '?'}`));
  row('skipped', by('skipped').map((o) => `${o.service} (${o.reason ?? 'skipped'})`));
  row('declined', by('declined').map((o) => `${o.service} (${o.reason ?? 'not confirmed'})`));
  return lines.join('\n');
}

function printCommands(calls: readonly DeployCall[], out: (l: string) => void): void {
  calls.forEach((c, i) => {
    out(`[${c.service}] ${i + 1}. ${c.step}: ${formatCommand(c)}`);
    out(`      cwd: ${c.cwd}`);
    out(`      env: ${formatEnvNames(c)}`);
    if (c.action === 'plan') out(`      then: the plan is shown; ${confirmQuestion(c.service)} (--yes skips the question); apply only when the plan has changes`);
  });
}

const SOURCE_STATE = 'homelab deploy (state)';

/** A deploy record that cannot be read: not JSON, or not a record of that service. */
export const DEPLOY_RECORD_BROKEN = 'DeployRecordBroken';

function baseRecord(unit: DeployUnit, host: string, at: string, git: GitInfo): Omit<DeployRecord, 'status'> {
  return {
    schema: RECORD_SCHEMA, service: unit.service, package: unit.manifest.package, version: unit.manifest.version,
    manifestSha256: manifestHash(unit.manifest), host, at, ...git, manifest: unit.manifest,
  };
}

/** What the new record keeps of the previous one: the last successful deploy. */
function lastDeployedOf(previous: DeployRecord | undefined): Pick<DeployRecord, 'lastDeployed'> {
  const last = previous?.status === 'deployed'
    ? { manifest: previous.manifest, at: previous.at, ...(previous.commit ? { commit: previous.commit } : {}), ...(previous.dirty !== undefined ? { dirty: previous.dirty } : {}) }
    : previous?.lastDeployed;
  return last ? { lastDeployed: last } : {};
}

/** Terraform writes its saved plan and local state with the umask's mode: make them 0600. */
async function tightenTerraformFiles(stateDir: string, service: string, env: DeployEnv): Promise<void> {
  const state = terraformStatePath(stateDir, service, env);
  for (const file of [statePaths.plan(stateDir, service), state, `${state}.backup`]) await tightenMode(file, PRIVATE_FILE_MODE).catch(() => undefined);
}

export const confirmQuestion = (service: string): string => `Apply these changes to ${service}? [y/N]`;

/**
 * In a dry run, what only this machine lacks (variables, tools) and the site inputs nobody has
 * measured yet are warnings: the commands still print, and a real deploy refuses until they are there.
 */
const machineOnly = (p: Problem): boolean => p.code === MISSING_ENV || p.code === MISSING_TOOL || p.code === UNMEASURED_INPUT || p.code === PROVIDER_TOKEN_MISSING;

/** The problem of a real deploy that nobody can confirm. */
export const CONFIRMATION_REQUIRED = 'ConfirmationRequired';

async function gitInfo(tools: DeployTools, ctx: { root: string; env: DeployEnv; spawner?: ToolSpawner }): Promise<GitInfo> {
  if (!tools.git.includes('/')) return {};
  const { head, status } = gitCommands({ tools, root: ctx.root });
  try {
    const commit = (await runTool(head, { env: toolEnvironment(head, ctx.env), ...(ctx.spawner ? { spawner: ctx.spawner } : {}) })).stdout.trim();
    const dirty = (await runTool(status, { env: toolEnvironment(status, ctx.env), ...(ctx.spawner ? { spawner: ctx.spawner } : {}) })).stdout.trim() !== '';
    return commit ? { commit, dirty } : {};
  } catch {
    return {}; // not a git checkout: the record says so by having no commit
  }
}

export async function deployServices(given: readonly DeployUnit[], options: DeployServicesOptions): Promise<DeploySummary> {
  const env = options.env ?? process.env;
  const infraOnly = options.infraOnly === true;
  const units = infraOnly ? given.map(infrastructureOnly) : given;
  // Every line printed, stored or returned is scrubbed of the secret values of every step (an
  // --infra-only run too: its tools get fewer, the operator's environment may hold them all).
  const declaredSecrets = secretNames(given.flatMap((u) => [...u.env.map((e) => e.name), ...u.manifest.env, ...(u.providerToken ? [u.providerToken.tokenEnv] : [])]), env);
  // Rebuilt once the Proxmox token is known (stored or just issued): it is redacted like the rest.
  let currentScrub: Scrub = secretScrubber(declaredSecrets, env);
  const scrub: Scrub = (text) => currentScrub(text);
  const rawOut = options.out ?? ((l: string) => console.log(l));
  const rawErr = options.err ?? ((l: string) => console.error(l));
  const out = (l: string): void => rawOut(scrub(l));
  const err = (l: string): void => rawErr(scrub(l));
  const now = options.now ?? (() => new Date());
  const { stateDir } = options;
  const onTightened: Tightened = (path, from, to) => out(`note: ${path} was ${formatMode(from)}; tightened to ${formatMode(to)} (state files are private to this user)`);
  const stateWrite = { scrub, onTightened };

  const { waves, cycles } = orderUnits(units);
  if (cycles.length) {
    const problems: Problem[] = cycles.map((c) => ({
      source: 'homelab deploy', path: 'dependsOn', code: 'DependencyCycle', received: c,
      message: `the services depend on each other in a cycle: ${c.join(' -> ')}`, fix: 'Break the cycle in the packages\' dependsOn.',
    }));
    err(formatProblems(problems));
    return { result: 'preflight', exitCode: EXIT.failed, services: [], problems, notes: [], commands: [] };
  }
  const ordered = waves.flat();
  out(`deploy${infraOnly ? ' --infra-only (Terraform stacks alone; no playbook, no smoke tests)' : ''}: ${ordered.length} service${ordered.length === 1 ? '' : 's'} in ${waves.length} wave${waves.length === 1 ? '' : 's'}: ${waves.map((w, i) => `${i + 1}) ${w.map((u) => u.service).join(', ')}`).join('; ')}`);

  // The state directory, before anything else reads it: a file where a directory should be, or
  // one this user cannot write, is a preflight problem naming the path.
  const stateProblems: Problem[] = await checkStateDir(stateDir, env);
  // Resume: what is already deployed exactly as synthesized is skipped.
  const records = new Map<string, DeployRecord | undefined>();
  const allNames = new Set([...units.map((u) => u.service), ...units.flatMap((u) => u.manifest.dependsOn)]);
  if (!stateProblems.length) {
    for (const name of allNames) {
      try {
        records.set(name, await readDeployRecord(stateDir, name));
      } catch (error) {
        if (!(error instanceof StateError)) throw error;
        stateProblems.push({ source: SOURCE_STATE, path: error.path, code: DEPLOY_RECORD_BROKEN, received: error.path, message: error.message, fix: error.fix });
      }
    }
  }
  // The Proxmox token the using stacks get when the operator has not exported one (provider-token.ts).
  const tokenUse = units.map((u) => u.providerToken).find((r) => r?.role === 'uses') as Extract<ProviderTokenRole, { role: 'uses' }> | undefined;
  let token: string | undefined;
  const learnToken = (value: string): void => {
    token = value;
    if (tokenUse) currentScrub = secretScrubber(declaredSecrets, { ...env, [tokenUse.tokenEnv]: value });
  };
  if (!stateProblems.length && units.some((u) => u.providerToken)) {
    try {
      const stored = await readStoredToken(stateDir);
      if (stored !== undefined) learnToken(stored);
    } catch (error) {
      if (!(error instanceof StateError)) throw error;
      stateProblems.push({ source: SOURCE_STATE, path: error.path, code: 'ProviderTokenUnreadable', received: error.path, message: error.message, fix: error.fix });
    }
  }
  const isUnchanged = (u: DeployUnit) => !options.force && compareWithDeployed(u.manifest, records.get(u.service)).status === 'unchanged';
  const lockOf = (service: string) => inspectDeployLock(stateDir, service, options.lock?.host ? { host: options.lock.host } : {});
  // A service another deploy is applying right now is never "unchanged" on the strength of the
  // record it is about to replace: it is decided under its lock, from the record found there.
  const beingDeployed = new Set<string>();
  for (const u of ordered) {
    if (!isUnchanged(u)) continue;
    const lock = await lockOf(u.service);
    if (lock && !lock.stale && !isSynthLock(lock.owner)) beingDeployed.add(u.service);
  }
  const candidates = ordered.filter((u) => !isUnchanged(u) || beingDeployed.has(u.service));
  const outcomes = new Map<string, ServiceOutcome>();
  const unchangedOutcome = (u: DeployUnit): ServiceOutcome => {
    const r = records.get(u.service);
    return { service: u.service, status: 'unchanged', reason: `deployed ${r?.version ?? ''} at ${r?.at ?? '?'}${r?.commit ? ` from ${r.commit.slice(0, 12)}` : ''}` };
  };
  for (const u of ordered) if (!candidates.includes(u)) outcomes.set(u.service, unchangedOutcome(u));
  const finish = (result: DeployResult, exitCode: number, extra: Partial<DeploySummary> = {}): DeploySummary => {
    const summary: DeploySummary = {
      result, exitCode, problems: [], notes: [], commands: [],
      ...extra,
      services: ordered.map((u) => outcomes.get(u.service) ?? { service: u.service, status: 'planned' }),
    };
    if (result !== 'dry-run' && result !== 'preflight' && result !== 'locked') out(formatDeploySummary(summary));
    return summary;
  };

  for (const o of outcomes.values()) out(`[${o.service}] unchanged: ${o.reason}; skipping (--force redeploys it)`);
  for (const u of candidates) {
    const r = records.get(u.service);
    if (r?.status === 'in-progress') {
      out(`[${u.service}] the last deploy did not finish: in progress since ${r.at}${r.pid ? ` (pid ${r.pid} on ${r.host})` : ''}, before ${r.startedStep ?? 'its first change'}; it was interrupted or killed (or still runs, holding the lock), so ${u.service} is deployed again`);
    }
  }
  if (candidates.length === 0 && !options.dryRun && !stateProblems.length) {
    out('deploy: every service is unchanged since its last deploy; nothing to do.');
    return finish('ok', EXIT.ok);
  }

  // Dependencies outside this deploy that another deploy is applying: wait for them (up to the
  // lock wait) and judge them by the record they leave, or refuse their dependents.
  const selected = new Set(candidates.map((u) => u.service));
  const outsideDeps = [...new Set(candidates.flatMap((u) => u.manifest.dependsOn))].filter((d) => !selected.has(d)).sort();
  const lockProblems: Problem[] = [];
  if (outsideDeps.length) {
    let held;
    try {
      held = await waitForLocksFree(stateDir, outsideDeps, {
        ...options.lock, ...(options.dryRun ? { waitMs: 0 } : {}), onWait: (m) => err(`deploy: ${m}`), ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (!(error instanceof LockWaitAbortedError)) throw error;
      err(`deploy: interrupted while waiting for a dependency's deploy; nothing was changed.`);
      for (const u of candidates) outcomes.set(u.service, { service: u.service, status: 'skipped', reason: 'interrupted before it started' });
      return finish('interrupted', EXIT.interrupted);
    }
    for (const lock of held) {
      const dep = lock.owner?.service ?? lock.path;
      const dependents = candidates.filter((u) => u.manifest.dependsOn.includes(dep)).map((u) => u.service);
      lockProblems.push({
        source: 'homelab deploy', path: `${dependents.join(', ')}.dependsOn`, code: DEPENDENCY_BEING_DEPLOYED, received: dep,
        message: `${dependents.join(', ')} depend${dependents.length === 1 ? 's' : ''} on ${dep}, which another deploy is applying right now: ${describeHolder(lock)} (lock ${lock.path})`,
        fix: `Wait for that deploy of ${dep} to finish, or pass --lock-wait <seconds> to wait for it; its record then decides.`,
      });
    }
    // Read after the wait: what the dependency's deploy left, not what was there before it.
    for (const dep of outsideDeps) records.set(dep, await readDeployRecord(stateDir, dep));
  }

  const pre = await preflight(candidates, {
    env, records, ...(options.findExecutable ? { findExecutable: options.findExecutable } : {}), ...(options.skipSmoke ? { skipSmoke: true } : {}),
    ...(options.distPending ? { distPending: options.distPending } : {}), ...(infraOnly ? { infraOnly } : {}),
  });
  const problems: Problem[] = [...stateProblems, ...pre.problems, ...lockProblems];
  const stackless = infraOnly ? candidates.filter((u) => !u.infra).map((u) => u.service) : [];
  if (stackless.length) problems.push(noInfrastructureProblem(stackless));
  // Where each using stack's token comes from; none at all is refused here, before anything changes.
  const issuerAt = candidates.findIndex((u) => u.providerToken?.role === 'issues');
  const sources = new Map<string, string[]>();
  const tokenless: string[] = [];
  candidates.forEach((u, i) => {
    if (u.providerToken?.role !== 'uses' || !u.infra) return;
    const source = tokenSource(u.providerToken, env, stateDir, { stored: token !== undefined, issuedBefore: issuerAt >= 0 && issuerAt < i });
    if (source.kind === 'none') tokenless.push(u.service);
    const line = `${u.providerToken.tokenEnv} comes from ${describeTokenSource(source)}`;
    sources.set(line, [...(sources.get(line) ?? []), u.service]);
  });
  if (tokenless.length && tokenUse) problems.push(missingTokenProblem(tokenless, tokenUse, stateDir));
  const issuerUnit = issuerAt >= 0 ? candidates[issuerAt] : undefined;
  if (issuerUnit?.providerToken?.role === 'issues') {
    const r = issuerUnit.providerToken;
    out(`token: ${issuerUnit.service} runs with $${r.adminEnv} (given to its tools as ${r.tokenEnv}; no other stack receives it); after its apply, its output ${r.output} is stored in ${providerTokenPath(stateDir)} (0600, never printed)`);
  }
  for (const [line, services] of sources) out(`token: ${services.join(', ')}: ${line}`);
  if (!options.dryRun && !options.yes && !options.confirm) {
    problems.push({
      source: 'homelab deploy', path: '--yes', code: CONFIRMATION_REQUIRED,
      message: 'deploy shows each plan and asks before it changes anything, and there is no terminal to ask in',
      fix: 'add --yes to apply without a terminal (CI), after reviewing `homelab deploy --dry-run`; or run it in a terminal',
    });
  }
  for (const note of pre.notes) out(`note: ${note}`);
  const ctx: CommandContext = { tools: pre.tools, env, stateDir, root: options.root, smokeTarget: options.siteName, ...(options.skipSmoke ? { skipSmoke: true } : {}) };
  const plans = new Map(candidates.map((u) => [u.service, serviceCommands(u, ctx)]));

  if (options.dryRun) {
    for (const u of candidates) {
      const lock = await lockOf(u.service);
      if (lock?.owner && !lock.stale) {
        problems.push({
          source: 'homelab deploy', path: `lock ${u.service}`, code: 'DeployLockHeld', received: lock.path,
          message: `a deploy of ${u.service} is running: ${describeHolder(lock)}`, fix: 'Wait for it to finish before deploying.',
        });
      }
    }
    const calls = candidates.flatMap((u) => plans.get(u.service)!);
    const warnings = problems.filter(machineOnly).map((p): Problem => ({ ...p, severity: 'warning' }));
    const blocking = problems.filter((p) => !machineOnly(p));
    const found = [
      blocking.length ? `${blocking.length} problem${blocking.length === 1 ? '' : 's'}` : '',
      warnings.length ? `${warnings.length} warning${warnings.length === 1 ? '' : 's'} (what this machine lacks or the site has not measured; a real deploy refuses until it is there)` : '',
    ].filter(Boolean).join(' and ');
    out(`deploy --dry-run: preflight ${found ? `found ${found}` : 'passed'}; these commands would run, in order (nothing was run):`);
    out(`deploy --dry-run: under its lock, each service is copied from dist/<svc>/ to ${join(stateDir, 'runs', '<svc>', '<run-id>')}/ and its tools run there (the cwd below is the dist/ it is copied from)`);
    printCommands(calls, out);
    for (const u of candidates) {
      const adopted = adoptImportsPath(stateDir, u.service);
      if (u.infra && existsSync(adopted)) out(`[${u.service}] with: the import blocks of \`homelab adopt\` (${adopted}), copied beside cdk.tf.json: the plan imports those guests`);
    }
    for (const u of candidates) out(`[${u.service}] then: record ${statePaths.record(stateDir, u.service)}${infraOnly ? ' (status infrastructure: a full deploy is still due)' : ''}`);
    if (warnings.length || blocking.length) err(formatProblems([...blocking, ...warnings]));
    return finish('dry-run', blocking.length ? EXIT.refused : EXIT.ok, { problems: [...blocking, ...warnings], notes: pre.notes, commands: calls });
  }

  if (problems.length) {
    err(`deploy: preflight failed; nothing was changed.\n${formatProblems(problems)}`);
    return finish('preflight', EXIT.refused, { problems, notes: pre.notes });
  }
  // The directories 0700, existing state files 0600, before the locks and the tools write there.
  try {
    await prepareStateDir(stateDir, env, onTightened);
  } catch (error) {
    if (!(error instanceof Error) || !('code' in error)) throw error;
    const problem: Problem = { source: SOURCE_STATE, path: stateDir, code: 'StateDirNotWritable', message: `could not prepare the state directory: ${error.message}`, fix: `Make ${stateDir} writable by this user, or set HOMELAB_STATE_DIR to a directory you own.` };
    err(`deploy: preflight failed; nothing was changed.\n${formatProblems([problem])}`);
    return finish('preflight', EXIT.refused, { problems: [problem], notes: pre.notes });
  }

  let locks: DeployLocks;
  try {
    locks = await acquireDeployLocks(stateDir, candidates.map((u) => u.service), {
      ...options.lock, onWait: (m) => err(m), ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (error instanceof LockWaitAbortedError) {
      err(`deploy: ${error.message}`);
      for (const u of candidates) outcomes.set(u.service, { service: u.service, status: 'skipped', reason: 'interrupted before it started' });
      return finish('interrupted', EXIT.interrupted, { notes: pre.notes });
    }
    if (error instanceof DeployLockBusyError) {
      err(`deploy: ${error.message}`);
      return finish('locked', EXIT.refused, {
        problems: [{ source: 'homelab deploy', path: `lock ${error.service}`, code: 'DeployLockHeld', message: error.message, fix: 'Wait, or pass --lock-wait <seconds>.' }],
        notes: pre.notes,
      });
    }
    throw error;
  }

  const noteToolGroup = (service: string, pgid: number | undefined): void => {
    try {
      locks.setToolGroup(service, pgid);
    } catch (error) {
      err(`[${service}] warning: could not record the tool's process group in its lock: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  let interrupted = false;
  const parallelism = Math.max(1, Math.floor(options.parallelism ?? 1));
  const runId = newRunId(now(), options.lock?.pid ?? process.pid);
  // The first state error ends the run: nothing more can be recorded, so nothing more is changed.
  let stateFailure: StateError | undefined;
  try {
    // Under the locks: a synth of these services waits for us, so the copy below is whole.
    await options.refreshDist?.(candidates.map((u) => u.service));
    const git = await gitInfo(pre.tools, { root: options.root, env, ...(options.spawner ? { spawner: options.spawner } : {}) });
    const host = options.lock?.host ?? hostname();
    // At most this many Terraform calls at once: they are what talks to the Proxmox API.
    const proxmoxApi = createLimiter(options.proxmoxApiParallelism ?? DEPLOY_PARALLELISM.proxmoxApi);
    // One question at a time: answers never interleave, and each follows its own plan.
    const ask = createLimiter(1);
    // One service; a StateError ends it (and starts nothing more) with its outcome named, below.
    // `progress.changed`: a tool that changes something has been started.
    const deployOne = async (unit: DeployUnit, progress: { changed: boolean }): Promise<void> => {
      const name = unit.service;
      if (interrupted || options.signal?.aborted) {
        interrupted = true;
        outcomes.set(name, { service: name, status: 'skipped', reason: 'interrupted before it started' });
        return;
      }
      const blockedBy = unit.manifest.dependsOn.filter((d) => ['failed', 'skipped', 'declined'].includes(outcomes.get(d)?.status ?? ''));
      if (blockedBy.length) {
        outcomes.set(name, { service: name, status: 'skipped', reason: `depends on ${blockedBy.join(', ')}, which did not deploy` });
        out(`[${name}] skipped: depends on ${blockedBy.join(', ')}, which did not deploy`);
        await appendHistory(stateDir, { at: now().toISOString(), service: name, status: 'skipped', version: unit.manifest.version }, stateWrite);
        return;
      }
      // Under the lock: another deploy may have just deployed exactly this.
      const fresh = await readDeployRecord(stateDir, name);
      records.set(name, fresh);
      if (isUnchanged(unit)) {
        outcomes.set(name, unchangedOutcome(unit));
        out(`[${name}] unchanged: deployed meanwhile by another run; skipping`);
        return;
      }
      // What runs is this copy: dist/ may be rewritten meanwhile, the copy is not.
      const runDir = await copyToRunDir(unit.distDir, stateDir, name, runId);
      // `homelab adopt --write`: running guests are imported into the state, not created again.
      const adopted = unit.infra ? await copyAdoptImports(stateDir, name, runDir) : undefined;
      if (adopted) out(`[${name}] infra: importing the guests \`homelab adopt\` matched (${adopted})`);

      const started = Date.now();
      let failure: ToolError | undefined;
      let declined = false;
      let confirmed = options.yes === true;
      let plan: PlanRecord | undefined;
      out(`[${name}] deploying ${unit.manifest.package}@${unit.manifest.version}`);
      const calls = serviceCommands({ ...unit, distDir: runDir }, ctx);
      try {
        for (const [i, call] of calls.entries()) {
          if (options.signal?.aborted) {
            failure = new ToolError(call, { stdout: '', stderr: '', durationMs: 0, interrupted: true });
            break;
          }
          if (call.action === 'apply' && plan && !plan.changes) {
            out(`[${name}] infra: the plan has no changes; ${call.label} skipped`);
            continue;
          }
          if (call.mutates && !confirmed) {
            const next = calls.slice(i).filter((c) => c.mutates && !(c.action === 'apply' && plan && !plan.changes));
            const shown = plan;
            confirmed = await ask(async () => {
              if (options.signal?.aborted) return false;
              // Other services printed meanwhile: the plan is shown again right above its question.
              if (parallelism > 1 && shown) {
                out(`[${name}] the plan again, for the question below:`);
                for (const line of shown.text.split('\n')) if (line.trim()) out(`[${name}] ${line}`);
              }
              out(`[${name}] next: ${next.map((c) => c.label).join(', ')}${shown && !shown.changes ? ' (no infrastructure changes)' : ''}`);
              return options.confirm!(confirmQuestion(name));
            });
            if (!confirmed) {
              if (options.signal?.aborted) failure = new ToolError(call, { stdout: '', stderr: '', durationMs: 0, interrupted: true });
              else declined = true;
              break;
            }
          }
          if (call.mutates && !progress.changed) {
            // Before the first change: a deploy killed from here on leaves a true record.
            const previous = records.get(name);
            const record: DeployRecord = {
              ...baseRecord(unit, host, now().toISOString(), git), status: 'in-progress', startedStep: call.step, pid: process.pid,
              ...lastDeployedOf(previous), ...(plan ? { plan } : {}),
            };
            await writeDeployRecord(stateDir, record, stateWrite);
          }
          out(`[${name}] ${call.step}: ${formatCommand(call)}`);
          if (call.mutates) progress.changed = true;
          try {
            const run = (): Promise<ToolExit> => runTool(call, {
              env: toolEnvironment(call, stackToolEnv(unit.providerToken, unit.withheldEnv ?? [], env, token)),
              ...(options.spawner ? { spawner: options.spawner } : {}),
              ...(options.signal ? { signal: options.signal } : {}),
              ...(options.forceSignal ? { forceSignal: options.forceSignal } : {}),
              onLine: (line, stream) => (stream === 'stderr' ? err : out)(`[${name}] ${line}`),
              // The lock stays live while this tool's group does, even if homelab is killed.
              onSpawn: (pgid) => noteToolGroup(name, pgid),
            }).finally(() => noteToolGroup(name, undefined));
            // Waiting for a slot after an interrupt: runTool starts nothing then.
            const result = await (call.step === 'infra' ? proxmoxApi(run) : run());
            if (call.action === 'plan') plan = { changes: result.exitCode === PLAN_EXIT.changes, text: scrub(result.stdout) };
            if (call.action === 'token') {
              const value = result.stdout.trim();
              if (!value) {
                failure = new ToolError(call, { ...result, stderr: `${result.stderr}\nthe stack has no value for this output: its token was not created` });
                break;
              }
              learnToken(value);
              await storeToken(stateDir, value, onTightened);
              out(`[${name}] infra: the Proxmox API token is stored in ${providerTokenPath(stateDir)} for the later stacks`);
            }
          } catch (error) {
            if (!(error instanceof ToolError)) throw error;
            failure = error;
            break;
          } finally {
            if (call.step === 'infra') await tightenTerraformFiles(stateDir, name, env);
          }
        }
      } finally {
        // A saved plan is only good for the apply right after it, and may hold sensitive values.
        const planFile = statePaths.plan(stateDir, name);
        if (unit.infra) await atStatePath(planFile, 'remove the saved plan', () => rm(planFile, { force: true }));
        if (failure) err(`[${name}] the files this run applied are kept for inspection in ${runDir}`);
        else await removeRunDir(runDir);
      }
      const at = now().toISOString();
      const previous = records.get(name);
      if (declined) {
        outcomes.set(name, { service: name, status: 'declined', reason: 'not confirmed; nothing was applied', durationMs: Date.now() - started });
        out(`[${name}] not confirmed: nothing was applied`);
        await appendHistory(stateDir, { at, service: name, status: 'skipped', version: unit.manifest.version, error: 'not confirmed' }, stateWrite);
        return;
      }
      if (failure) {
        interrupted ||= failure.interrupted || options.signal?.aborted === true;
        err(failure.message);
        outcomes.set(name, scrubDeep({ service: name, status: 'failed', step: failure.step, reason: failure.short, error: failure.message, durationMs: Date.now() - started }, scrub));
        if (progress.changed) {
          const record: DeployRecord = {
            ...baseRecord(unit, host, at, git), status: 'failed', failedStep: failure.step, error: failure.short,
            ...lastDeployedOf(previous), ...(plan ? { plan } : {}),
          };
          await writeDeployRecord(stateDir, record, stateWrite);
          records.set(name, record);
        }
        await appendHistory(stateDir, { at, service: name, status: 'failed', version: unit.manifest.version, step: failure.step, error: failure.short, ...(git.commit ? { commit: git.commit } : {}) }, stateWrite);
        return;
      }
      const status = infraOnly ? 'infrastructure' as const : 'deployed' as const;
      const record: DeployRecord = { ...baseRecord(unit, host, at, git), status, ...(infraOnly ? lastDeployedOf(previous) : {}), ...(plan ? { plan } : {}) };
      const path = await writeDeployRecord(stateDir, record, stateWrite);
      records.set(name, record);
      if (adopted) await clearAdoptImports(stateDir, name);
      await appendHistory(stateDir, { at, service: name, status, version: unit.manifest.version, ...(git.commit ? { commit: git.commit } : {}) }, stateWrite);
      const durationMs = Date.now() - started;
      outcomes.set(name, { service: name, status, durationMs });
      out(infraOnly
        ? `[${name}] infrastructure of ${unit.manifest.version} deployed in ${seconds(durationMs)} (--infra-only: its config step and smoke tests have not run; a full deploy is still due); recorded in ${path}`
        : `[${name}] deployed ${unit.manifest.version} in ${seconds(durationMs)}; recorded in ${path}`);
    };
    const byName = new Map(candidates.map((u) => [u.service, u]));
    // The token stack before every stack that uses its token and comes after it in deploy order
    // (the model's token edge says so already; this keeps it when an edge is missing).
    const issuer = candidates.find((u) => u.providerToken?.role === 'issues');
    const dependsOn = (name: string): string[] => {
      const unit = byName.get(name)!;
      const afterIssuer = issuer && candidates.indexOf(unit) > candidates.indexOf(issuer) && unit.providerToken?.role === 'uses';
      return [...unit.manifest.dependsOn, ...(afterIssuer ? [issuer.service] : [])];
    };
    await runGraph({
      order: candidates.map((u) => u.service), dependsOn, parallelism,
      canStart: () => stateFailure === undefined,
      onNotStarted: (name) => {
        outcomes.set(name, { service: name, status: 'skipped', reason: `not started: the state directory could not be written (${stateFailure!.path})` });
        out(`[${name}] skipped: the state directory could not be written (${stateFailure!.path})`);
      },
      onProgress: (p) => out(formatDeployProgress(p)),
      run: async (name) => {
        const progress = { changed: false };
        try {
          await deployOne(byName.get(name)!, progress);
        } catch (error) {
          if (!(error instanceof StateError)) throw error;
          stateFailure ??= error;
          const before = outcomes.get(name);
          const consequence = progress.changed
            ? `${name} was changed, but the outcome could not be recorded; its record (if it could be written before the change) says in-progress, so the next deploy redeploys ${name}`
            : `nothing of ${name} was changed`;
          const message = `${name}: record: ${error.message}; ${consequence}.\n  fix: ${error.fix}`;
          err(message);
          outcomes.set(name, scrubDeep({
            service: name, status: 'failed' as const, step: 'record' as const,
            reason: before?.status === 'failed' ? `${before.reason ?? name}; and ${error.path} could not be written` : `${name}: record: ${error.message}`,
            error: before?.error ? `${before.error}\n${message}` : message,
          }, scrub));
        }
      },
    });
  } finally {
    await locks.release();
  }

  if (stateFailure) err(`deploy: stopped after a state error (${stateFailure.path}); the services not yet started were not started; the fix is above.`);
  if (interrupted) {
    err('deploy: interrupted; the running tools were stopped, the locks are released, and each interrupted service is recorded as failed.');
    return finish('interrupted', EXIT.interrupted, { notes: pre.notes });
  }
  const statuses = [...outcomes.values()].map((o) => o.status);
  // A declined service is the operator's answer, not a failure; what it blocked follows it.
  if (statuses.includes('failed')) return finish('failed', EXIT.failed, { notes: pre.notes });
  if (statuses.includes('declined')) return finish('declined', EXIT.refused, { notes: pre.notes });
  if (statuses.includes('skipped')) return finish('failed', EXIT.failed, { notes: pre.notes });
  return finish('ok', EXIT.ok, { notes: pre.notes });
}
