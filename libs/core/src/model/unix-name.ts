/**
 * User and group names as they reach a remote system (file owners, SSH users): the portable
 * subset shadow-utils accepts by default (`useradd`'s NAME_REGEX), so a name can never carry an
 * option (`-oProxyCommand=...`), a path, whitespace or a shell metacharacter.
 */
export const UNIX_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** The fix an error about a bad name offers. */
export const UNIX_NAME_FIX = 'use a user name of lowercase letters, digits, `_` and `-`, starting with a letter or `_`, at most 32 characters';

export function isUnixName(name: string): boolean {
  return UNIX_NAME.test(name);
}
