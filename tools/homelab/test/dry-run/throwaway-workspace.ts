/**
 * A throwaway copy of this workspace for running Nx for real: the working tree's files (tracked
 * and untracked, minus what .gitignore drops), committed in a git repository of its own so
 * `nx affected` has a base, and a node_modules of symlinks into the real one (npm ci would take
 * minutes). Nx's cache, dist/ and git commits land in the copy; of the real checkout only
 * node_modules/.cache is written to (validate's result cache, keyed by content: sharing it saves
 * time and cannot change a result).
 *
 * The copy's @homelab/* links point at the copy's own libs and packages, so the CLI that runs
 * there is the copied code, not whatever the real checkout holds by the time the test runs.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const WORKSPACE_SCOPE = '@homelab';

function git(cwd: string, args: readonly string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@invalid', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@invalid' },
  });
}

/** node_modules/<entry> → the real one, except the workspace scope, whose links are recreated in the copy. */
function linkNodeModules(source: string, copy: string): void {
  const real = join(source, 'node_modules');
  const target = join(copy, 'node_modules');
  mkdirSync(target);
  for (const entry of readdirSync(real)) {
    if (entry === WORKSPACE_SCOPE) continue;
    symlinkSync(join(real, entry), join(target, entry));
  }
  mkdirSync(join(target, WORKSPACE_SCOPE));
  for (const entry of readdirSync(join(real, WORKSPACE_SCOPE))) {
    // Relative links (`../../libs/core`): recreated as they are, they resolve inside the copy.
    symlinkSync(readlinkSync(join(real, WORKSPACE_SCOPE, entry)), join(target, WORKSPACE_SCOPE, entry));
  }
}

export function commitAll(copy: string, message: string): void {
  git(copy, ['add', '-A']);
  git(copy, ['commit', '-q', '--no-verify', '-m', message]);
}

/** Copies `source`'s working tree into a new temporary directory and commits it there. */
export function throwawayWorkspace(source: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'homelab-nx-dry-run-'));
  const files = git(source, ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--deduplicate'])
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    try {
      cpSync(join(source, file), join(copy, file), { verbatimSymlinks: true });
    } catch (error) {
      // Tracked but deleted in the working tree: the copy has it deleted too.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  linkNodeModules(source, copy);
  git(copy, ['init', '-q', '-b', 'main']);
  commitAll(copy, 'base');
  return copy;
}
