/**
 * The `homelab` command line: synth, validate, plan (the main job), deploy, assumptions.
 * Exits non-zero with every problem listed; never prints a stack trace for bad input.
 */
import { parseArgs } from 'node:util';
import { runCommand, USAGE } from './commands/index.ts';
import { UsageError } from './commands/context.ts';

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      service: { type: 'string', multiple: true, short: 's' },
      root: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: false,
  });
  if (values.help || positionals.length === 0) {
    console.log(USAGE);
    return positionals.length === 0 && !values.help ? 2 : 0;
  }
  return runCommand(positionals, {
    root: typeof values.root === 'string' ? values.root : process.cwd(),
    services: (values.service as string[] | undefined) ?? [],
    dryRun: values['dry-run'] === true,
    json: values.json === true,
    argv: argv.slice(argv.indexOf(positionals[0]!) + 1),
  });
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`homelab: ${error.message}`);
      process.exitCode = 1;
      return;
    }
    // Only a bug reaches here: bad input is reported as problems.
    console.error(`homelab: internal error: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.HOMELAB_DEBUG) console.error(error);
    process.exitCode = 70;
  },
);
