/**
 * `homelab lab plan`: which services of the site a lab of LXC containers on this machine can
 * deploy for real, and every reason each of the others cannot (docs/cli.md). Synthesizes in
 * memory and writes nothing.
 */
import { EXIT, formatLabFits, labFits } from '@homelab/core';
import type { CommandOptions } from './context.ts';
import { humanLog, printJson } from './index.ts';
import { synthCommand } from './synth.ts';

export async function labPlanCommand(options: Pick<CommandOptions, 'root' | 'json'>): Promise<number> {
  const outcome = await synthCommand({ root: options.root, services: [], dryRun: true }, humanLog(options.json));
  if (!outcome.ok) return outcome.refused ? EXIT.refused : EXIT.failed;
  const fits = labFits(outcome.synthesis.home, outcome.synthesis.results);
  if (options.json) {
    printJson({
      site: outcome.synthesis.home.site.name,
      lab: fits.filter((f) => f.fits).map((f) => f.service),
      leftOut: fits.filter((f) => !f.fits).map((f) => ({ service: f.service, exclusions: f.exclusions })),
    });
  } else {
    console.log(formatLabFits(fits));
  }
  return EXIT.ok;
}
