import {
  acquireDeployLocks, backendFromEnv, DeployLockBusyError, deployStateDir, describeHolder, formatProblems, inspectDeployLock, isError, isSynthLock,
  loadHomelab, synthesizeSite, writeDists, type DeployLocks, type LockState, type SiteSynthesis,
} from '@homelab/core';
import { unknownServiceMessage } from '../cli/service-names.ts';
import { UsageError, distRoot, loadSite, type CommandOptions } from './context.ts';

export interface SynthOutcome {
  readonly synthesis: SiteSynthesis;
  readonly ok: boolean;
  /** The dist/<service>/ directories written (none on error or with dryRun). */
  readonly written: readonly string[];
  /** Nothing was written: a deploy of one of the services holds its lock (exit 3). */
  readonly refused?: boolean;
}

/** The state directory cannot hold a lock here (read-only, not ours): fall back to looking only. */
const UNLOCKABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR']);

function refusal(held: readonly LockState[]): string {
  return [
    ...held.map((l) => `synth: ${l.owner?.service ?? l.path}: dist/${l.owner?.service ?? '?'}/ is not rewritten while a deploy of it holds its lock ${l.path}: ${describeHolder(l)}.`),
    'synth: nothing was written. Run it again once that deploy has finished (the deploy applies from its own copy of dist/ and leaves dist/ current).',
  ].join('\n');
}

/**
 * Takes the deploy locks of the services whose dist/ is about to be rewritten, so a deploy never
 * copies a half-written dist/ and synth never deletes the files of a running deploy. Refuses,
 * naming every holder, when one is held. Undefined when the state directory cannot hold locks
 * (then it only checked that no live lock is there).
 */
async function lockForWrite(services: readonly string[]): Promise<DeployLocks | { refused: string } | undefined> {
  const stateDir = deployStateDir(process.env);
  const held: LockState[] = [];
  for (const s of services) {
    const lock = await inspectDeployLock(stateDir, s);
    // Another synth holds it only while it writes: taking the lock below waits for it.
    if (lock && !lock.stale && !isSynthLock(lock.owner)) held.push(lock);
  }
  if (held.length) return { refused: refusal(held) };
  try {
    return await acquireDeployLocks(stateDir, services, { purpose: 'synth' });
  } catch (error) {
    if (error instanceof DeployLockBusyError) return { refused: `synth: ${error.message.replace(/ Wait for it to finish, or pass --lock-wait.*$/, '')}\nsynth: nothing was written. Run it again once that deploy has finished.` };
    if (UNLOCKABLE.has((error as { code?: string }).code ?? '')) return undefined;
    throw error;
  }
}

/**
 * Synthesizes (all, or the named services) and writes dist/ only when there is no error and
 * this is not a dry run, and never while a deploy of one of those services holds its lock
 * (refused, exit 3). Problems are printed through `log` (stderr when stdout carries JSON).
 */
export async function synthCommand(options: Pick<CommandOptions, 'root' | 'services' | 'dryRun'>, log: (text: string) => void = console.log): Promise<SynthOutcome> {
  const site = await loadSite(options.root);
  const home = await loadHomelab(options.root, site);
  const unknown = unknownServiceMessage(options.services, [...home.byName.keys()]);
  if (unknown) throw new UsageError(unknown);
  const synthesis = synthesizeSite(home, { backend: backendFromEnv(process.env), only: options.services.length ? options.services : undefined });
  const errors = synthesis.problems.filter(isError);
  if (synthesis.problems.length) log(formatProblems(synthesis.problems));
  if (errors.length) {
    log(`\nsynth: ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was written.`);
    return { synthesis, ok: false, written: [] };
  }
  if (options.dryRun) return { synthesis, ok: true, written: [] };
  const locks = await lockForWrite(synthesis.results.map((r) => r.service));
  if (locks && 'refused' in locks) {
    log(locks.refused);
    return { synthesis, ok: false, written: [], refused: true };
  }
  try {
    // All services are checked and staged before any dist/<service>/ is replaced (write-dist.ts).
    const written = await writeDists(distRoot(options.root), synthesis.results);
    return { synthesis, ok: true, written };
  } finally {
    await locks?.release();
  }
}
