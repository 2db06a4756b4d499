/**
 * `homelab lab plan`: which services of the site a lab of LXC containers on this machine can
 * deploy for real, and every reason each of the others cannot (docs/cli.md). Synthesizes in
 * memory and writes nothing.
 */
import { EXIT, formatLabFits, labFits } from '@homelab/core';
import type { CommandOptions } from './context.ts';
import { synthCommand } from './synth.ts';

export async function labPlanCommand(options: Pick<CommandOptions, 'root' | 'json'>): Promise<number> {
  const log = options.json ? (t: string) => console.error(t) : (t: string) => console.log(t);
  const outcome = await synthCommand({ root: options.root, services: [], dryRun: true }, log);
  if (!outcome.ok) return outcome.refused ? EXIT.refused : EXIT.failed;
  const fits = labFits(outcome.synthesis.home, outcome.synthesis.results);
  if (options.json) {
    console.log(JSON.stringify({
      site: outcome.synthesis.home.site.name,
      lab: fits.filter((f) => f.fits).map((f) => f.service),
      leftOut: fits.filter((f) => !f.fits).map((f) => ({ service: f.service, exclusions: f.exclusions })),
    }, null, 2));
  } else {
    console.log(formatLabFits(fits));
  }
  return EXIT.ok;
}
