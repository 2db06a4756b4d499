/**
 * Deploys services in dependency order: preflight (nothing changes unless everything is in
 * place), the locks, then per service infra -> config -> smoke -> record. A failed service's
 * dependents are skipped; independent services still deploy. An interrupt stops the running
 * tool (SIGINT to it), skips the rest, releases the locks and records the interrupted service as
 * failed. Services whose synthesized manifest equals their record are skipped as unchanged
 * unless `force`.
 */
import { hostname } from 'node:os';
import { dependencyWaves } from '../graph/waves.ts';
import type { Problem } from '../model/problem.ts';
import { formatProblems } from '../model/problem.ts';
import { gitCommands, serviceCommands, type CommandContext, type DeployTools } from './commands.ts';
import type { DeployUnit } from './deploy-unit.ts';
import type { FindExecutable } from './find-executable.ts';
import { acquireDeployLocks, DeployLockBusyError, describeOwner, inspectDeployLock, LockWaitAbortedError, type DeployLocks, type LockOptions } from './lock.ts';
import { preflight } from './preflight.ts';
import {
  appendHistory, compareWithDeployed, manifestHash, readDeployRecord, RECORD_SCHEMA, writeDeployRecord,
  type DeployRecord, type GitInfo,
} from './record.ts';
import { formatCommand, formatEnvNames, runTool, ToolError, type DeployEnv, type DeployStep, type ToolCall, type ToolSpawner } from './run-tool.ts';
import { statePaths } from './state-dir.ts';

/** Exit codes of `homelab deploy`. */
export const DEPLOY_EXIT = {
  ok: 0,
  /** A service failed (its dependents were skipped). */
  failed: 1,
  /** Bad arguments or synth errors: nothing ran. */
  usage: 2,
  /** Preflight failed or a lock is held: nothing ran. */
  preflight: 3,
  /** Interrupted (Ctrl-C / SIGTERM): 128 + SIGINT. */
  interrupted: 130,
} as const;

export type ServiceStatus = 'deployed' | 'unchanged' | 'failed' | 'skipped' | 'planned';

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

export type DeployResult = 'ok' | 'failed' | 'preflight' | 'locked' | 'interrupted' | 'dry-run';

export interface DeploySummary {
  readonly result: DeployResult;
  readonly exitCode: number;
  /** In deploy order. */
  readonly services: readonly ServiceOutcome[];
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
  /** Preflight and print the commands; run nothing, take no lock, write nothing. @default false */
  readonly dryRun?: boolean;
  /** @default false */
  readonly skipSmoke?: boolean;
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

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function formatDeploySummary(summary: Pick<DeploySummary, 'services' | 'result'>): string {
  const by = (s: ServiceStatus) => summary.services.filter((o) => o.status === s);
  const counts = (['deployed', 'unchanged', 'failed', 'skipped'] as const).map((s) => `${by(s).length} ${s}`).join(', ');
  const lines = [`deploy summary${summary.result === 'interrupted' ? ' (interrupted)' : ''}: ${counts}`];
  const row = (label: string, items: string[]) => { if (items.length) lines.push(`  ${label.padEnd(10)} ${items.join('\n             ')}`); };
  row('deployed', by('deployed').map((o) => `${o.service}${o.durationMs !== undefined ? ` (${seconds(o.durationMs)})` : ''}`));
  row('unchanged', by('unchanged').map((o) => o.service));
  row('failed', by('failed').map((o) => o.reason ?? `${o.service}: ${o.step ?? '?'}`));
  row('skipped', by('skipped').map((o) => `${o.service} (${o.reason ?? 'skipped'})`));
  return lines.join('\n');
}

function printCommands(calls: readonly ToolCall[], out: (l: string) => void): void {
  calls.forEach((c, i) => {
    out(`[${c.service}] ${i + 1}. ${c.step}: ${formatCommand(c)}`);
    out(`      cwd: ${c.cwd}`);
    out(`      env: ${formatEnvNames(c)}`);
  });
}

async function gitInfo(tools: DeployTools, ctx: { root: string; env: DeployEnv; spawner?: ToolSpawner }): Promise<GitInfo> {
  if (!tools.git.includes('/')) return {};
  const { head, status } = gitCommands({ tools, root: ctx.root });
  try {
    const commit = (await runTool(head, { env: ctx.env, ...(ctx.spawner ? { spawner: ctx.spawner } : {}) })).stdout.trim();
    const dirty = (await runTool(status, { env: ctx.env, ...(ctx.spawner ? { spawner: ctx.spawner } : {}) })).stdout.trim() !== '';
    return commit ? { commit, dirty } : {};
  } catch {
    return {}; // not a git checkout: the record says so by having no commit
  }
}

export async function deployServices(units: readonly DeployUnit[], options: DeployServicesOptions): Promise<DeploySummary> {
  const env = options.env ?? process.env;
  const out = options.out ?? ((l: string) => console.log(l));
  const err = options.err ?? ((l: string) => console.error(l));
  const now = options.now ?? (() => new Date());
  const { stateDir } = options;

  const { waves, cycles } = orderUnits(units);
  if (cycles.length) {
    const problems: Problem[] = cycles.map((c) => ({
      source: 'homelab deploy', path: 'dependsOn', code: 'DependencyCycle', received: c,
      message: `the services depend on each other in a cycle: ${c.join(' -> ')}`, fix: 'Break the cycle in the packages\' dependsOn.',
    }));
    err(formatProblems(problems));
    return { result: 'preflight', exitCode: DEPLOY_EXIT.usage, services: [], problems, notes: [], commands: [] };
  }
  const ordered = waves.flat();
  out(`deploy: ${ordered.length} service${ordered.length === 1 ? '' : 's'} in ${waves.length} wave${waves.length === 1 ? '' : 's'}: ${waves.map((w, i) => `${i + 1}) ${w.map((u) => u.service).join(', ')}`).join('; ')}`);

  // Resume: what is already deployed exactly as synthesized is skipped.
  const records = new Map<string, DeployRecord | undefined>();
  const allNames = new Set([...units.map((u) => u.service), ...units.flatMap((u) => u.manifest.dependsOn)]);
  for (const name of allNames) records.set(name, await readDeployRecord(stateDir, name));
  const isUnchanged = (u: DeployUnit) => !options.force && compareWithDeployed(u.manifest, records.get(u.service)).status === 'unchanged';
  const candidates = ordered.filter((u) => !isUnchanged(u));
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
  if (candidates.length === 0 && !options.dryRun) {
    out('deploy: every service is unchanged since its last deploy; nothing to do.');
    return finish('ok', DEPLOY_EXIT.ok);
  }

  const pre = await preflight(candidates, {
    env, records, ...(options.findExecutable ? { findExecutable: options.findExecutable } : {}), ...(options.skipSmoke ? { skipSmoke: true } : {}),
  });
  const problems: Problem[] = [...pre.problems];
  for (const note of pre.notes) out(`note: ${note}`);
  const ctx: CommandContext = { tools: pre.tools, env, stateDir, root: options.root, smokeTarget: options.siteName, ...(options.skipSmoke ? { skipSmoke: true } : {}) };
  const plans = new Map(candidates.map((u) => [u.service, serviceCommands(u, ctx)]));

  if (options.dryRun) {
    for (const u of candidates) {
      const lock = await inspectDeployLock(stateDir, u.service, options.lock?.host ? { host: options.lock.host } : {});
      if (lock?.owner && !lock.stale) {
        problems.push({
          source: 'homelab deploy', path: `lock ${u.service}`, code: 'DeployLockHeld', received: lock.path,
          message: `a deploy of ${u.service} is running: ${describeOwner(lock.owner)}`, fix: 'Wait for it to finish before deploying.',
        });
      }
    }
    const calls = candidates.flatMap((u) => plans.get(u.service)!);
    out(`deploy --dry-run: preflight ${problems.length ? `found ${problems.length} problem${problems.length === 1 ? '' : 's'}` : 'passed'}; these commands would run, in order (nothing was run):`);
    printCommands(calls, out);
    for (const u of candidates) out(`[${u.service}] then: record ${statePaths.record(stateDir, u.service)}`);
    if (problems.length) err(formatProblems(problems));
    return finish('dry-run', problems.length ? DEPLOY_EXIT.preflight : DEPLOY_EXIT.ok, { problems, notes: pre.notes, commands: calls });
  }

  if (problems.length) {
    err(`deploy: preflight failed; nothing was changed.\n${formatProblems(problems)}`);
    return finish('preflight', DEPLOY_EXIT.preflight, { problems, notes: pre.notes });
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
      return finish('interrupted', DEPLOY_EXIT.interrupted, { notes: pre.notes });
    }
    if (error instanceof DeployLockBusyError) {
      err(`deploy: ${error.message}`);
      return finish('locked', DEPLOY_EXIT.preflight, {
        problems: [{ source: 'homelab deploy', path: `lock ${error.service}`, code: 'DeployLockHeld', message: error.message, fix: 'Wait, or pass --lock-wait <seconds>.' }],
        notes: pre.notes,
      });
    }
    throw error;
  }

  let interrupted = false;
  try {
    const git = await gitInfo(pre.tools, { root: options.root, env, ...(options.spawner ? { spawner: options.spawner } : {}) });
    const host = options.lock?.host ?? hostname();
    for (const unit of candidates) {
      const name = unit.service;
      if (interrupted || options.signal?.aborted) {
        interrupted = true;
        outcomes.set(name, { service: name, status: 'skipped', reason: 'interrupted before it started' });
        continue;
      }
      const blockedBy = unit.manifest.dependsOn.filter((d) => ['failed', 'skipped'].includes(outcomes.get(d)?.status ?? ''));
      if (blockedBy.length) {
        outcomes.set(name, { service: name, status: 'skipped', reason: `depends on ${blockedBy.join(', ')}, which did not deploy` });
        out(`[${name}] skipped: depends on ${blockedBy.join(', ')}, which did not deploy`);
        await appendHistory(stateDir, { at: now().toISOString(), service: name, status: 'skipped', version: unit.manifest.version });
        continue;
      }
      // Under the lock: another deploy may have just deployed exactly this.
      const fresh = await readDeployRecord(stateDir, name);
      records.set(name, fresh);
      if (isUnchanged(unit)) {
        outcomes.set(name, unchangedOutcome(unit));
        out(`[${name}] unchanged: deployed meanwhile by another run; skipping`);
        continue;
      }

      const started = Date.now();
      let changedSomething = false;
      let failure: ToolError | undefined;
      out(`[${name}] deploying ${unit.manifest.package}@${unit.manifest.version}`);
      for (const call of plans.get(name)!) {
        if (options.signal?.aborted) {
          failure = new ToolError(call, { stdout: '', stderr: '', durationMs: 0, interrupted: true });
          break;
        }
        out(`[${name}] ${call.step}: ${formatCommand(call)}`);
        if (call.mutates) changedSomething = true;
        try {
          await runTool(call, {
            env,
            ...(options.spawner ? { spawner: options.spawner } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
            ...(options.forceSignal ? { forceSignal: options.forceSignal } : {}),
            onLine: (line, stream) => (stream === 'stderr' ? err : out)(`[${name}] ${line}`),
          });
        } catch (error) {
          if (!(error instanceof ToolError)) throw error;
          failure = error;
          break;
        }
      }
      const at = now().toISOString();
      const previous = records.get(name);
      if (failure) {
        interrupted ||= failure.interrupted || options.signal?.aborted === true;
        err(failure.message);
        outcomes.set(name, { service: name, status: 'failed', step: failure.step, reason: failure.short, error: failure.message, durationMs: Date.now() - started });
        if (changedSomething) {
          const lastDeployed = previous?.status === 'deployed'
            ? { manifest: previous.manifest, at: previous.at, ...(previous.commit ? { commit: previous.commit } : {}), ...(previous.dirty !== undefined ? { dirty: previous.dirty } : {}) }
            : previous?.lastDeployed;
          const record: DeployRecord = {
            schema: RECORD_SCHEMA, service: name, package: unit.manifest.package, version: unit.manifest.version,
            status: 'failed', manifestSha256: manifestHash(unit.manifest), host, at, ...git,
            manifest: unit.manifest, failedStep: failure.step, error: failure.short,
            ...(lastDeployed ? { lastDeployed } : {}),
          };
          await writeDeployRecord(stateDir, record);
          records.set(name, record);
        }
        await appendHistory(stateDir, { at, service: name, status: 'failed', version: unit.manifest.version, step: failure.step, error: failure.short, ...(git.commit ? { commit: git.commit } : {}) });
        continue;
      }
      const record: DeployRecord = {
        schema: RECORD_SCHEMA, service: name, package: unit.manifest.package, version: unit.manifest.version,
        status: 'deployed', manifestSha256: manifestHash(unit.manifest), host, at, ...git, manifest: unit.manifest,
      };
      const path = await writeDeployRecord(stateDir, record);
      records.set(name, record);
      await appendHistory(stateDir, { at, service: name, status: 'deployed', version: unit.manifest.version, ...(git.commit ? { commit: git.commit } : {}) });
      const durationMs = Date.now() - started;
      outcomes.set(name, { service: name, status: 'deployed', durationMs });
      out(`[${name}] deployed ${unit.manifest.version} in ${seconds(durationMs)}; recorded in ${path}`);
    }
  } finally {
    await locks.release();
  }

  if (interrupted) {
    err('deploy: interrupted; the running tool was stopped, the locks are released, and the interrupted service is recorded as failed.');
    return finish('interrupted', DEPLOY_EXIT.interrupted, { notes: pre.notes });
  }
  const anyFailed = [...outcomes.values()].some((o) => o.status === 'failed' || o.status === 'skipped');
  return finish(anyFailed ? 'failed' : 'ok', anyFailed ? DEPLOY_EXIT.failed : DEPLOY_EXIT.ok, { notes: pre.notes });
}
