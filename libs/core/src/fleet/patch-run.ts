/**
 * Runs a patch plan. Serial plans stop at the first unit that fails and name the units never
 * started; parallel plans run up to `parallel` units at once and report every failure. Each
 * step is one command (or gate); a unit's steps run in order.
 *
 * An interrupt (deps.signal) reaches the running tool and starts no further step or unit. A
 * `restore` step's undo (Ceph `noout`) runs whatever happened, without the interrupt (it must
 * finish, bounded by its own timeout); if no undo succeeds, the result says what is still set
 * and how to clear it.
 *
 * The gates ask the cluster through `clientFor(node)`, one node that is not rebooting after the
 * other (the plan's `ask`): a node's own API goes down with it.
 */
import type { PveClient } from '../pve/client.ts';
import { nodeUptime, waitClusterHealthy, waitNodeRebooted, type ClientSource, type WaitSettings } from './cluster-health.ts';
import type { PatchPlan, PatchStep, PatchUnit } from './patch-plan.ts';
import { formatCommand } from '../process/run-tool.ts';
import { InterruptedError, abortableSleep, throwIfInterrupted } from './interrupt.ts';
import { ToolFailedError, ToolNotFoundError, runChecked, type ProcessRunner } from './process-runner.ts';
import { mapLimit, type Progress } from './progress.ts';

export interface PatchRunDeps {
  readonly runner: ProcessRunner;
  /** Needed by plans with gates and reboots (proxmox) when `clientFor` is not given; also the one-node fallback. */
  readonly client?: PveClient;
  /** The Proxmox API of one node (its own address): the gates ask the nodes that are not rebooting. */
  readonly clientFor?: (node: string) => PveClient;
  readonly progress: Progress;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** How long a gate (healthy cluster, node back) may take. @default 1200000 (20 min) */
  readonly healthTimeoutMs?: number;
  /** @default 10000 */
  readonly pollMs?: number;
  /** Aborted on SIGINT/SIGTERM/SIGHUP: the running tool is interrupted, nothing further starts. */
  readonly signal?: AbortSignal;
  /** Aborted on a second signal: the running tool is terminated. */
  readonly forceSignal?: AbortSignal;
}

export interface UnitResult {
  readonly unit: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly notes: readonly string[];
}

/** Something a restore step could not undo: it is still set on the cluster. */
export interface StillSet {
  readonly unit: string;
  readonly what: string;
  /** The command that clears it. */
  readonly clear: string;
  /** Why each undo attempt failed. */
  readonly reasons: readonly string[];
}

export interface PatchRunResult {
  readonly results: readonly UnitResult[];
  readonly notStarted: readonly string[];
  /** The run was interrupted (SIGINT, SIGTERM, SIGHUP). */
  readonly interrupted: boolean;
  readonly stillSet: readonly StillSet[];
}

function askedOf(ask: readonly string[]): string {
  return ask.length ? `asked of ${ask.join(', then ')}` : 'asked of the only node (nothing else can answer while it reboots)';
}

/** One line per step, indented, for --dry-run. */
export function formatPatchPlan(plan: PatchPlan): string[] {
  const lines = [`homelab patch ${plan.layer}: ${plan.title}${plan.mode === 'parallel' ? ' (parallel)' : ' (serial)'}`];
  const step = (s: PatchStep, indent: string): string[] => {
    switch (s.kind) {
      case 'run': return [`${indent}run     ${formatCommand(s.cmd)}${s.ok && s.ok.join() !== '0' ? `   (exit ${s.ok.join(' or ')} is success)` : ''}`];
      case 'gate': return [`${indent}gate    cluster healthy: corosync quorate and every node online (GET /cluster/status), Ceph HEALTH_OK (GET /cluster/ceph/status), ${askedOf(s.ask)}`];
      case 'reboot': return [`${indent}reboot  ${formatCommand(s.cmd)}`, `${indent}        then wait until ${s.node} is online again with a fresh uptime (GET /cluster/resources?type=node, ${askedOf(s.ask)})`];
      case 'note': return [`${indent}note    ${s.text}`];
      case 'if': return [`${indent}if      ${s.description}: ${formatCommand(s.check)}`, ...s.then.flatMap((t) => step(t, `${indent}  `))];
      case 'restore': return [
        `${indent}set     ${formatCommand(s.set)}`,
        ...s.body.flatMap((t) => step(t, `${indent}  `)),
        `${indent}always  (after success, failure, interrupt or timeout) ${s.undo.map(formatCommand).join('  || ')}`,
      ];
    }
  };
  plan.units.forEach((u, i) => {
    lines.push(`[${i + 1}/${plan.units.length}] ${u.name}`);
    for (const s of u.steps) lines.push(...step(s, '  '));
  });
  if (!plan.units.length) lines.push('nothing to patch.');
  for (const s of plan.skipped) lines.push(`skipped ${s.name}: ${s.reason}`);
  return lines;
}

/** Each call the next node of `ask` (round robin); the configured client when there is none to ask. */
function rotating(ask: readonly string[], deps: PatchRunDeps, what: string): ClientSource {
  if (!deps.clientFor || !ask.length) {
    if (!deps.client) throw new Error(`${what} needs the Proxmox API`);
    return deps.client;
  }
  const clientFor = deps.clientFor;
  let i = 0;
  return () => clientFor(ask[i++ % ask.length]!);
}

interface UnitContext {
  readonly unit: PatchUnit;
  readonly deps: PatchRunDeps;
  readonly notes: string[];
  readonly stillSet: StillSet[];
}

async function runStep(s: PatchStep, ctx: UnitContext): Promise<void> {
  const { unit, deps, notes } = ctx;
  const signals = { ...(deps.signal ? { signal: deps.signal } : {}), ...(deps.forceSignal ? { forceSignal: deps.forceSignal } : {}) };
  const wait: WaitSettings = {
    timeoutMs: deps.healthTimeoutMs ?? 1_200_000, pollMs: deps.pollMs ?? 10_000, sleep: abortableSleep(deps.sleep, deps.signal), now: deps.now,
    onWait: (problems, ms) => deps.progress.line(`  .. ${unit.name}: waiting (${Math.round(ms / 1000)} s): ${problems.join('; ')}`),
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
  throwIfInterrupted(deps.signal, `${unit.name}: before its next step`);
  switch (s.kind) {
    case 'run':
      await runChecked(deps.runner, s.cmd, s.ok ?? [0], signals);
      return;
    case 'note':
      notes.push(s.text);
      return;
    case 'gate': {
      const source = rotating(s.ask, deps, 'the cluster-health gate');
      deps.progress.line(`  .. ${unit.name}: gate: waiting for a healthy cluster (${askedOf(s.ask)})`);
      await waitClusterHealthy(source, wait);
      return;
    }
    case 'reboot': {
      const source = rotating(s.ask, deps, 'a node reboot (to see the node come back)');
      const before = await nodeUptime(typeof source === 'function' ? source() : source, s.node);
      if (before === undefined) throw new Error(`${s.node} is not online before its reboot`);
      // ssh exits 255 when the node drops the connection while going down.
      await runChecked(deps.runner, s.cmd, [0, 255], signals);
      deps.progress.line(`  .. ${unit.name}: rebooting; waiting until it is back (${askedOf(s.ask)})`);
      await waitNodeRebooted(source, s.node, before, wait);
      notes.push('rebooted');
      return;
    }
    case 'if': {
      throwIfInterrupted(deps.signal, s.check.step);
      const r = await deps.runner(s.check, signals);
      throwIfInterrupted(deps.signal, s.check.step);
      if (r.exitCode === 1) {
        notes.push(`not needed: ${s.description}`);
        return;
      }
      if (r.exitCode !== 0) throw new ToolFailedError(s.check, r);
      for (const t of s.then) await runStep(t, ctx);
      return;
    }
    case 'restore': {
      await runChecked(deps.runner, s.set, [0], signals);
      try {
        for (const t of s.body) await runStep(t, ctx);
      } finally {
        await undo(s, ctx);
      }
      return;
    }
  }
}

/** Tries each undo command in turn, never interrupted (each is bounded by its own timeout). */
async function undo(s: Extract<PatchStep, { kind: 'restore' }>, ctx: UnitContext): Promise<void> {
  const reasons: string[] = [];
  for (const cmd of s.undo) {
    ctx.deps.progress.line(`  .. ${ctx.unit.name}: restoring ${s.what}: ${formatCommand(cmd)}`);
    try {
      await runChecked(ctx.deps.runner, cmd, [0]);
      ctx.notes.push(`${s.what} restored`);
      return;
    } catch (error) {
      reasons.push(error instanceof ToolFailedError ? error.shortMessage : error instanceof Error ? error.message : String(error));
    }
  }
  ctx.stillSet.push({ unit: ctx.unit.name, what: s.what, clear: s.clear, reasons });
}

async function runUnit(unit: PatchUnit, deps: PatchRunDeps, stillSet: StillSet[]): Promise<UnitResult> {
  const notes: string[] = [];
  deps.progress.start(unit.name);
  try {
    for (const s of unit.steps) await runStep(s, { unit, deps, notes, stillSet });
    deps.progress.finish(unit.name, true, notes.join('; '));
    return { unit: unit.name, ok: true, notes };
  } catch (error) {
    // A missing program is not this unit's fault: stop everything.
    if (error instanceof ToolNotFoundError) throw error;
    const message = error instanceof ToolFailedError ? error.message : error instanceof Error ? error.message : String(error);
    deps.progress.finish(unit.name, false, error instanceof ToolFailedError ? error.shortMessage : message);
    return { unit: unit.name, ok: false, error: error instanceof InterruptedError ? `${unit.name}: interrupted (${error.step})` : message, notes };
  }
}

export async function runPatchPlan(plan: PatchPlan, deps: PatchRunDeps): Promise<PatchRunResult> {
  const stopBeat = deps.progress.heartbeat();
  const stillSet: StillSet[] = [];
  const interrupted = (): boolean => deps.signal?.aborted === true;
  try {
    if (plan.mode === 'serial') {
      const results: UnitResult[] = [];
      for (let i = 0; i < plan.units.length; i++) {
        if (interrupted()) return { results, notStarted: plan.units.slice(i).map((u) => u.name), interrupted: true, stillSet };
        deps.progress.setWaiting(plan.units.slice(i + 1).map((u) => u.name));
        const r = await runUnit(plan.units[i]!, deps, stillSet);
        results.push(r);
        if (!r.ok) return { results, notStarted: plan.units.slice(i + 1).map((u) => u.name), interrupted: interrupted(), stillSet };
      }
      return { results, notStarted: [], interrupted: interrupted(), stillSet };
    }
    const queue = plan.units.map((u) => u.name);
    const notStarted: string[] = [];
    const ran = await mapLimit(plan.units, plan.parallel, async (u) => {
      queue.splice(queue.indexOf(u.name), 1);
      if (interrupted()) { notStarted.push(u.name); return undefined; }
      deps.progress.setWaiting([...queue]);
      return runUnit(u, deps, stillSet);
    });
    return { results: ran.filter((r): r is UnitResult => r !== undefined), notStarted, interrupted: interrupted(), stillSet };
  } finally {
    stopBeat();
  }
}
