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

/**
 * A file owner: a user name, or a numeric id (0 to 2^32-2), which container data directories
 * need (`65534`, the `1000` a linuxserver image runs as): that user exists inside the container,
 * not on the host. Either way nothing but the name or the digits reaches the target.
 */
export function isFileOwner(owner: string): boolean {
  return isUnixName(owner) || (/^(0|[1-9][0-9]{0,9})$/.test(owner) && Number(owner) <= 4294967294);
}

/** The fix an error about a bad file owner offers. */
export const FILE_OWNER_FIX = `${UNIX_NAME_FIX}, or a numeric id such as "1000"`;
