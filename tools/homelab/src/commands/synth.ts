import { backendFromEnv, formatProblems, isError, loadHomelab, synthesizeSite, writeDist, type SiteSynthesis } from '@homelab/core';
import { distRoot, loadSite, type CommandOptions } from './context.ts';

export interface SynthOutcome {
  readonly synthesis: SiteSynthesis;
  readonly ok: boolean;
  readonly written: readonly string[];
}

/** Synthesizes (all, or the named services) and writes dist/ only when there is no error. */
export async function synthCommand(options: CommandOptions, log = console.log): Promise<SynthOutcome> {
  const site = await loadSite(options.root);
  const home = await loadHomelab(options.root, site);
  const unknown = options.services.filter((s) => !home.byName.has(s));
  const synthesis = synthesizeSite(home, { backend: backendFromEnv(process.env), only: options.services.length ? options.services : undefined });
  const problems = [...synthesis.problems, ...unknown.map((name) => ({
    source: 'homelab synth', path: '--service', code: 'UnknownService', message: `no service is named "${name}"`, received: name,
    fix: `Use one of: ${[...home.byName.keys()].join(', ')}.`,
  }))];
  const errors = problems.filter(isError);
  if (problems.length) log(formatProblems(problems));
  if (errors.length) {
    log(`\nsynth: ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was written.`);
    return { synthesis: { ...synthesis, problems }, ok: false, written: [] };
  }
  const written = await Promise.all(synthesis.results.map((r) => writeDist(distRoot(options.root), r)));
  return { synthesis, ok: true, written };
}
