/**
 * A problem with the deploy state directory (a record that is not JSON or not a record, a
 * directory that is a file, a file deploy cannot write): the file, the problem and the fix, in
 * words. Deploy ends the run cleanly on one (summary, locks released, the rest skipped); any
 * other command that reads the state (plan, status) gets it as a SetupError: message and fix,
 * exit 4, never "internal error".
 */
import { dirname } from 'node:path';
import { SetupError } from '../setup-error.ts';

export class StateError extends SetupError {
  override name = 'StateError';
  constructor(readonly path: string, readonly problem: string, fix: string) {
    super(`${path}: ${problem}`, fix);
  }
}

const code = (error: unknown): string | undefined => (error as { code?: string } | undefined)?.code;

/**
 * The file-system error of `doing` (`write the deploy record`) at `path`, as a StateError whose
 * fix fits the cause. Anything that is not a file-system error is returned unchanged (a bug).
 */
export function stateErrorOf(error: unknown, path: string, doing: string): unknown {
  if (error instanceof StateError) return error;
  const c = code(error);
  if (c === 'ENOENT') return error; // absent: the caller decides what that means
  const dir = dirname(path);
  switch (c) {
    case 'EACCES':
    case 'EPERM':
      return new StateError(path, `cannot ${doing}: permission denied (${c})`,
        `Make ${dir} writable by this user (chmod u+rwx ${dir}; as root also lift an immutable flag: chattr -i ${dir}), or set HOMELAB_STATE_DIR to a directory you own; then run deploy again.`);
    case 'EROFS':
      return new StateError(path, `cannot ${doing}: the file system is read-only (EROFS)`,
        'Set HOMELAB_STATE_DIR to a directory on a writable file system, then run deploy again.');
    case 'ENOTDIR':
      return new StateError(path, `cannot ${doing}: a part of this path is a regular file, not a directory (ENOTDIR)`,
        `Move the file that stands where a directory of the state should be out of the way, or set HOMELAB_STATE_DIR to a directory; then run deploy again.`);
    case 'EISDIR':
      return new StateError(path, `cannot ${doing}: it is a directory (EISDIR)`, `Move ${path} out of the way, then run deploy again.`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new StateError(path, `cannot ${doing}: no space left (${c})`, `Free space on the file system of ${dir}, then run deploy again.`);
    default:
      return c && /^E[A-Z]+$/.test(c)
        ? new StateError(path, `cannot ${doing}: ${(error as Error).message}`, `Fix the file system problem at ${dir}, then run deploy again.`)
        : error;
  }
}

/** Runs `action`; a file-system error becomes the StateError of `doing` at `path`. */
export async function atStatePath<T>(path: string, doing: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw stateErrorOf(error, path, doing);
  }
}
