/**
 * The `homelab` command line (bin/homelab.js runs this through tsx; so do `npm start` and the
 * Nx targets). Commands and flags: cli/program.ts; exit codes: EXIT in @homelab/core.
 */
import { runCli } from './cli/run-cli.ts';

// `homelab plan | head`: the reader left; stop quietly instead of an unhandled EPIPE stack trace.
// A terminal that went away (SIGHUP of a dropped SSH session) fails writes with EIO: keep going
// without output, so a deploy still stops its tool, records and releases its locks.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EIO' || error.code === 'ERR_STREAM_DESTROYED') return;
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

process.exitCode = await runCli(process.argv.slice(2));
