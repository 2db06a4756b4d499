import { backendFromEnv, formatProblems, isError, loadHomelab, synthesizeSite, writeDists, type SiteSynthesis } from '@homelab/core';
import { unknownServiceMessage } from '../cli/service-names.ts';
import { UsageError, distRoot, loadSite, type CommandOptions } from './context.ts';

export interface SynthOutcome {
  readonly synthesis: SiteSynthesis;
  readonly ok: boolean;
  /** The dist/<service>/ directories written (none on error or with dryRun). */
  readonly written: readonly string[];
}

/**
 * Synthesizes (all, or the named services) and writes dist/ only when there is no error and
 * this is not a dry run. Problems are printed through `log` (stderr when stdout carries JSON).
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
  // All services are checked and staged before any dist/<service>/ is replaced (write-dist.ts).
  const written = await writeDists(distRoot(options.root), synthesis.results);
  return { synthesis, ok: true, written };
}
