/**
 * The exit codes of every `homelab` command: one table, printed by `homelab --help` and in
 * docs/cli.md, so a script can tell "the homelab has a problem" from "I typed it wrong" from
 * "this machine is not set up" without parsing text.
 */
export const EXIT = {
  /** Done; nothing is wrong. */
  ok: 0,
  /** The homelab has problems (policy, validation, a definition or site error), or a deploy or operation step failed. */
  failed: 1,
  /** The command line is wrong: unknown command or flag, missing argument, bad value, unknown service. Nothing ran. */
  usage: 2,
  /** Refused before anything changed: preflight failed, a lock is held, a group rule, or the apply was not confirmed. */
  refused: 3,
  /** This machine is not set up: the schemas folder is missing or broken, a required tool or API setting is absent. */
  setup: 4,
  /** A bug in homelab: please report it with HOMELAB_DEBUG=1 output. */
  internal: 70,
  /** Interrupted (Ctrl-C, SIGTERM, SIGHUP): 128 + SIGINT. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** One line per code, for `homelab --help` and the docs. */
export const EXIT_CODE_TABLE: readonly { readonly code: ExitCode; readonly name: keyof typeof EXIT; readonly meaning: string }[] = [
  { code: EXIT.ok, name: 'ok', meaning: 'done; nothing is wrong' },
  { code: EXIT.failed, name: 'failed', meaning: 'the homelab has problems (policy, validation, definition or site), or a deploy/operation step failed' },
  { code: EXIT.usage, name: 'usage', meaning: 'the command line is wrong (unknown command or flag, missing argument, bad value, unknown service); nothing ran' },
  { code: EXIT.refused, name: 'refused', meaning: 'refused before anything changed: preflight, a held lock, a group rule, or an apply not confirmed' },
  { code: EXIT.setup, name: 'setup', meaning: 'this machine is not set up: schemas folder missing or broken, a required tool or API setting absent' },
  { code: EXIT.internal, name: 'internal', meaning: 'a bug in homelab (rerun with HOMELAB_DEBUG=1 and report it)' },
  { code: EXIT.interrupted, name: 'interrupted', meaning: 'interrupted (Ctrl-C, SIGTERM, SIGHUP)' },
];

export function formatExitCodes(): string {
  return ['exit codes:', ...EXIT_CODE_TABLE.map((e) => `  ${String(e.code).padStart(3)}  ${e.name.padEnd(11)} ${e.meaning}`)].join('\n');
}
