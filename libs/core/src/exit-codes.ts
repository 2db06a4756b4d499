/**
 * The exit codes of every `homelab` command: one table, printed by `homelab --help` and in
 * docs/cli.md, so a script can tell "the homelab has a problem" from "I typed it wrong" from
 * "this machine is not set up" without parsing text.
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  refused: 3,
  setup: 4,
  drift: 5,
  internal: 70,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What each code means: the one text `homelab --help` and the docs print. */
const MEANINGS: Readonly<Record<keyof typeof EXIT, string>> = {
  ok: 'done; nothing is wrong',
  failed: 'the homelab has problems (policy, validation, definition or site), or a deploy/operation step failed',
  usage: 'the command line is wrong (unknown command or flag, missing argument, bad value, unknown service); nothing ran',
  refused: 'refused before anything changed: preflight, a held lock, a group rule, or an apply not confirmed',
  setup: 'this machine is not set up: schemas folder missing or broken, a required tool or API setting absent',
  drift: 'homelab drift: what runs differs from the code (a guest changed by hand, missing, or a plan with changes)',
  internal: 'a bug in homelab (rerun with HOMELAB_DEBUG=1 and report it)',
  interrupted: 'interrupted (Ctrl-C, SIGTERM, SIGHUP)',
};

/** One line per code, in code order. */
export const EXIT_CODE_TABLE: readonly { readonly code: ExitCode; readonly name: keyof typeof EXIT; readonly meaning: string }[] =
  (Object.keys(EXIT) as (keyof typeof EXIT)[]).map((name) => ({ code: EXIT[name], name, meaning: MEANINGS[name] }));

export function formatExitCodes(): string {
  return ['exit codes:', ...EXIT_CODE_TABLE.map((e) => `  ${String(e.code).padStart(3)}  ${e.name.padEnd(11)} ${e.meaning}`)].join('\n');
}
