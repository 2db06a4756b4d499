/**
 * Runs the command line and turns every outcome into one exit code of the shared table (EXIT):
 * bad input gets a message and a fix, never a stack trace; only a bug says "internal error".
 */
import { EXIT } from '@homelab/core/exit-codes';
import { SiteModuleError, UsageError } from '../commands/context.ts';
import { buildProgram, CommandLineError } from './program.ts';

/** Commander's codes for "help was asked for and shown": success, not an error. */
const HELP_SHOWN = new Set(['commander.helpDisplayed', 'commander.version']);

export async function runCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => { code = c; });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error) {
    return reportError(error, env);
  }
}

async function reportError(error: unknown, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const err = (line: string): void => console.error(line);
  if (error instanceof CommandLineError) {
    if (HELP_SHOWN.has(error.commanderError.code)) return EXIT.ok;
    // commander.help: a command that needs a subcommand got none; its help is already on stderr.
    if (error.commanderError.code !== 'commander.help') err(`fix: see the valid form with \`${error.command} --help\``);
    return EXIT.usage;
  }
  if (error instanceof UsageError) {
    err(`homelab: ${error.message}`);
    return EXIT.usage;
  }
  // Loaded already by whichever command threw it; imported here only to tell it apart.
  const { DistWriteError, SetupError } = await import('@homelab/core');
  if (error instanceof DistWriteError) {
    err(`homelab: ${error.message}`);
    err(`fix: ${error.fix}`);
    return error.exitCode;
  }
  if (error instanceof SetupError) {
    err(`homelab: ${error.message}`);
    err(`fix: ${error.fix}`);
    return EXIT.setup;
  }
  if (error instanceof SiteModuleError) {
    err(`homelab: ${error.message}`);
    return EXIT.failed;
  }
  // Only a bug reaches here: bad input is reported as problems or one of the errors above.
  err(`homelab: internal error: ${error instanceof Error ? error.message : String(error)}`);
  if (env.HOMELAB_DEBUG) err(error instanceof Error && error.stack ? error.stack : String(error));
  else err('fix: rerun with HOMELAB_DEBUG=1 for the stack trace and report it');
  return EXIT.internal;
}
