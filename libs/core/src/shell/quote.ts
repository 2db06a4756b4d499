/**
 * The one shell-quoting helper: every argument that reaches a shell (a remote `ssh host <command>`,
 * a generated script, a displayed command line) goes through it, so display and execution agree.
 * POSIX single quotes: inside them nothing is special except the quote itself, which is closed,
 * escaped and reopened. Words made only of safe characters stay bare, so commands read naturally.
 */
const SAFE_WORD = /^[\w@%+=:,./-]+$/;

/** One argument, quoted for a POSIX shell: `'a b'`, `'it'\''s'`, safe words bare, `''` for empty. */
export function shellQuote(arg: string): string {
  return SAFE_WORD.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** A whole command line, each word quoted: what a remote shell will split back into these words. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
