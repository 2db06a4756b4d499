/**
 * Runs a patch plan. Serial plans stop at the first unit that fails and name the units never
 * started; parallel plans run up to `parallel` units at once and report every failure. Each
 * step is one command (or gate); a unit's steps run in order.
 */
import type { PveClient } from '../pve/client.ts';
import { nodeUptime, waitClusterHealthy, waitNodeRebooted, type WaitSettings } from './cluster-health.ts';
import type { PatchPlan, PatchStep, PatchUnit } from './patch-plan.ts';
import { formatCommand } from '../deploy/run-tool.ts';
import { ToolFailedError, ToolNotFoundError, runChecked, type ProcessRunner } from './process-runner.ts';
import { mapLimit, type Progress } from './progress.ts';

export interface PatchRunDeps {
  readonly runner: ProcessRunner;
  /** Needed by plans with gates and reboots (proxmox). */
  readonly client?: PveClient;
  readonly progress: Progress;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** How long a gate (healthy cluster, node back) may take. @default 1200000 (20 min) */
  readonly healthTimeoutMs?: number;
  /** @default 10000 */
  readonly pollMs?: number;
}

export interface UnitResult {
  readonly unit: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly notes: readonly string[];
}

export interface PatchRunResult {
  readonly results: readonly UnitResult[];
  readonly notStarted: readonly string[];
}

/** One line per step, indented, for --dry-run. */
export function formatPatchPlan(plan: PatchPlan): string[] {
  const lines = [`homelab patch ${plan.layer}: ${plan.title}${plan.mode === 'parallel' ? ' (parallel)' : ' (serial)'}`];
  const step = (s: PatchStep, indent: string): string[] => {
    switch (s.kind) {
      case 'run': return [`${indent}run     ${formatCommand(s.cmd)}${s.ok && s.ok.join() !== '0' ? `   (exit ${s.ok.join(' or ')} is success)` : ''}`];
      case 'gate': return [`${indent}gate    cluster healthy: corosync quorate and every node online (GET /cluster/status), Ceph HEALTH_OK (GET /cluster/ceph/status)`];
      case 'reboot': return [`${indent}reboot  ${formatCommand(s.cmd)}`, `${indent}        then wait until ${s.node} is online again with a fresh uptime (GET /cluster/resources?type=node)`];
      case 'note': return [`${indent}note    ${s.text}`];
      case 'if': return [`${indent}if      ${s.description}: ${formatCommand(s.check)}`, ...s.then.flatMap((t) => step(t, `${indent}  `))];
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

async function runStep(s: PatchStep, unit: PatchUnit, deps: PatchRunDeps, notes: string[]): Promise<void> {
  const wait: WaitSettings = {
    timeoutMs: deps.healthTimeoutMs ?? 1_200_000, pollMs: deps.pollMs ?? 10_000, sleep: deps.sleep, now: deps.now,
    onWait: (problems, ms) => deps.progress.line(`  .. ${unit.name}: waiting (${Math.round(ms / 1000)} s): ${problems.join('; ')}`),
  };
  switch (s.kind) {
    case 'run':
      await runChecked(deps.runner, s.cmd, s.ok ?? [0]);
      return;
    case 'note':
      notes.push(s.text);
      return;
    case 'gate':
      if (!deps.client) throw new Error('the cluster-health gate needs the Proxmox API');
      deps.progress.line(`  .. ${unit.name}: gate: waiting for a healthy cluster`);
      await waitClusterHealthy(deps.client, wait);
      return;
    case 'reboot': {
      if (!deps.client) throw new Error('a node reboot needs the Proxmox API to see the node come back');
      const before = await nodeUptime(deps.client, s.node);
      if (before === undefined) throw new Error(`${s.node} is not online before its reboot`);
      // ssh exits 255 when the node drops the connection while going down.
      await runChecked(deps.runner, s.cmd, [0, 255]);
      deps.progress.line(`  .. ${unit.name}: rebooting; waiting until it is back`);
      await waitNodeRebooted(deps.client, s.node, before, wait);
      notes.push('rebooted');
      return;
    }
    case 'if': {
      const r = await deps.runner(s.check);
      if (r.exitCode === 1) {
        notes.push(`not needed: ${s.description}`);
        return;
      }
      if (r.exitCode !== 0) throw new ToolFailedError(s.check, r);
      for (const t of s.then) await runStep(t, unit, deps, notes);
      return;
    }
  }
}

async function runUnit(unit: PatchUnit, deps: PatchRunDeps): Promise<UnitResult> {
  const notes: string[] = [];
  deps.progress.start(unit.name);
  try {
    for (const s of unit.steps) await runStep(s, unit, deps, notes);
    deps.progress.finish(unit.name, true, notes.join('; '));
    return { unit: unit.name, ok: true, notes };
  } catch (error) {
    // A missing program is not this unit's fault: stop everything.
    if (error instanceof ToolNotFoundError) throw error;
    const message = error instanceof ToolFailedError ? error.message : error instanceof Error ? error.message : String(error);
    deps.progress.finish(unit.name, false, error instanceof ToolFailedError ? error.shortMessage : message);
    return { unit: unit.name, ok: false, error: message, notes };
  }
}

export async function runPatchPlan(plan: PatchPlan, deps: PatchRunDeps): Promise<PatchRunResult> {
  const stopBeat = deps.progress.heartbeat();
  try {
    if (plan.mode === 'serial') {
      const results: UnitResult[] = [];
      for (let i = 0; i < plan.units.length; i++) {
        deps.progress.setWaiting(plan.units.slice(i + 1).map((u) => u.name));
        const r = await runUnit(plan.units[i]!, deps);
        results.push(r);
        if (!r.ok) return { results, notStarted: plan.units.slice(i + 1).map((u) => u.name) };
      }
      return { results, notStarted: [] };
    }
    const queue = plan.units.map((u) => u.name);
    const results = await mapLimit(plan.units, plan.parallel, async (u) => {
      queue.splice(queue.indexOf(u.name), 1);
      deps.progress.setWaiting([...queue]);
      return runUnit(u, deps);
    });
    return { results, notStarted: [] };
  } finally {
    stopBeat();
  }
}
