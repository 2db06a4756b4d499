/**
 * The bootstrap sequence: the phases in order, each recorded before and after it runs, stopping
 * at the first phase that is blocked (a named check with its fix: exit 3, nothing further
 * changed) or failed (exit 1). Interrupted (Ctrl-C) it records where, exit 130; the rerun
 * continues there, every earlier phase verified again and finding nothing to do.
 */
import { EXIT } from '../exit-codes.ts';
import { InterruptedError } from '../fleet/interrupt.ts';
import { ToolNotFoundError } from '../fleet/process-runner.ts';
import { formatCommand } from '../process/run-tool.ts';
import { readBootstrapRecord, writeBootstrapRecord, type BootstrapRecord, type PhaseRecord } from './bootstrap-record.ts';
import { BOOTSTRAP_PHASES } from './phases.ts';
import type { BootstrapContext, BootstrapPhase, PhaseResult, PlannedStep } from './phase.ts';

export interface BootstrapSummary {
  readonly exitCode: number;
  readonly result: 'done' | 'nothing-to-do' | 'blocked' | 'failed' | 'interrupted' | 'setup';
  readonly phases: readonly { readonly id: string; readonly status: string; readonly changed: readonly string[] }[];
}

export type BootstrapRunContext = Omit<BootstrapContext, 'confirmedBefore'> & { readonly now?: () => Date };

function print(ctx: BootstrapRunContext, result: PhaseResult): void {
  for (const c of result.changed) ctx.out(`  + ${c}`);
  for (const v of result.verified) ctx.out(`  ✓ ${v}`);
  for (const b of result.blockers) ctx.out(`  ✗ ${b.check}: ${b.message}\n      fix: ${b.fix}`);
}

export async function runBootstrap(ctx: BootstrapRunContext, phases: readonly BootstrapPhase[] = BOOTSTRAP_PHASES): Promise<BootstrapSummary> {
  const now = ctx.now ?? (() => new Date());
  let record: BootstrapRecord = await readBootstrapRecord(ctx.stateDir, ctx.site.name);
  const confirmedBefore = new Set(Object.keys(record.confirmed));
  const confirmed = { ...record.confirmed };
  for (const c of ctx.confirmed) confirmed[c] ??= now().toISOString();
  const save = async (id: BootstrapPhase['id'], phase: PhaseRecord): Promise<void> => {
    record = { ...record, phases: { ...record.phases, [id]: phase }, confirmed };
    await writeBootstrapRecord(ctx.stateDir, record);
  };
  const stopped = Object.entries(record.phases).find(([, p]) => p && p.status !== 'done');
  if (stopped) ctx.out(`bootstrap: the last run stopped at ${stopped[0]} (${stopped[1]!.status}, ${stopped[1]!.at}); verifying what is done and going on from there`);
  const outcomes: { id: string; status: string; changed: readonly string[] }[] = [];
  const full: BootstrapContext = { ...ctx, confirmedBefore };
  for (const [i, phase] of phases.entries()) {
    ctx.out(`[${i + 1}/${phases.length}] ${phase.title}`);
    await save(phase.id, { status: 'in-progress', at: now().toISOString(), changed: [], blockers: [] });
    let result: PhaseResult;
    try {
      result = await phase.run(full);
    } catch (error) {
      const interrupted = error instanceof InterruptedError;
      const message = error instanceof Error ? error.message : String(error);
      await save(phase.id, { status: interrupted ? 'interrupted' : 'failed', at: now().toISOString(), changed: [], blockers: [], error: message });
      outcomes.push({ id: phase.id, status: interrupted ? 'interrupted' : 'failed', changed: [] });
      ctx.out(interrupted ? `  interrupted: ${message}` : `  ✗ ${message}`);
      const exitCode = interrupted ? EXIT.interrupted : error instanceof ToolNotFoundError ? EXIT.setup : EXIT.failed;
      ctx.out(`\nbootstrap: stopped at ${phase.id}; rerun homelab bootstrap to go on from there.`);
      return { exitCode, result: interrupted ? 'interrupted' : exitCode === EXIT.setup ? 'setup' : 'failed', phases: outcomes };
    }
    print(ctx, result);
    const status = result.blockers.length ? 'blocked' : 'done';
    await save(phase.id, { status, at: now().toISOString(), changed: result.changed, blockers: result.blockers });
    outcomes.push({ id: phase.id, status, changed: result.changed });
    if (status === 'blocked') {
      ctx.out(`\nbootstrap: ${phase.id} is blocked by ${result.blockers.length} check${result.blockers.length === 1 ? '' : 's'}; nothing after it ran. Fix them and rerun.`);
      return { exitCode: EXIT.refused, result: 'blocked', phases: outcomes };
    }
  }
  const changed = outcomes.some((o) => o.changed.length);
  ctx.out(changed ? '\nbootstrap: done; every service deployed and ready.' : '\nbootstrap: nothing to do; everything was already in place.');
  return { exitCode: EXIT.ok, result: changed ? 'done' : 'nothing-to-do', phases: outcomes };
}

/** `bootstrap --dry-run`: every phase's steps as if nothing were done yet, from the model alone. */
export function describeBootstrap(ctx: Pick<BootstrapContext, 'site' | 'home' | 'sshUser'>, record?: BootstrapRecord, phases: readonly BootstrapPhase[] = BOOTSTRAP_PHASES): string[] {
  const lines: string[] = [];
  let manual = 0;
  let steps = 0;
  for (const [i, phase] of phases.entries()) {
    const last = record?.phases[phase.id];
    lines.push(`${i + 1}. ${phase.title}${last ? `  [last run: ${last.status}, ${last.at}]` : ''}`);
    phase.describe(ctx).forEach((step: PlannedStep, j) => {
      steps++;
      if (step.manual) manual++;
      const tag = step.manual ? 'manual, checked' : step.mutates ? 'change' : 'check';
      lines.push(`   ${i + 1}.${j + 1} [${tag}] ${step.what}`);
      if (step.command) lines.push(`         $ ${formatCommand(step.command)}`);
    });
  }
  lines.push('', `${steps} steps in ${phases.length} phases; ${manual} of them are physically manual, and bootstrap checks each before going on.`);
  return lines;
}
