/**
 * A problem with this machine rather than with the homelab or the command line: a missing or
 * broken schemas folder, an absent tool. The CLI prints `message` and `fix` and exits with
 * EXIT.setup, never "internal error".
 */
export class SetupError extends Error {
  override name = 'SetupError';
  constructor(message: string, readonly fix: string) {
    super(message);
  }
}
