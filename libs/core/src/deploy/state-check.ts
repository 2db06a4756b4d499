/**
 * The deploy state directory, checked in the preflight before anything changes: the directory
 * and each subdirectory deploy writes (deployed/, locks/, plans/, terraform/, the Terraform
 * state directory) must be a directory, or not exist yet under a parent that is one, and be
 * writable; history.jsonl must be a file. Each problem names the path and the fix. Exit 3 like
 * every preflight problem (nothing changed; the fix is on this machine).
 *
 * With `prepare` (a real deploy) the directories are then created 0700, and existing ones, the
 * records and history.jsonl that are looser than 0700/0600 are tightened (each one reported).
 * A dry run only checks: it writes nothing.
 */
import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Problem } from '../model/problem.ts';
import { ensurePrivateDir, PRIVATE_FILE_MODE, tightenMode, type Tightened } from './private-files.ts';
import type { DeployEnv } from '../process/run-tool.ts';
import { STATE_ENV, statePaths } from './state-dir.ts';
import { terraformStateDir } from './terraform-state.ts';

export const STATE_DIR_NOT_DIRECTORY = 'StateDirNotDirectory';
export const STATE_DIR_NOT_WRITABLE = 'StateDirNotWritable';

const SOURCE = 'homelab deploy';

/** The directories deploy writes, the state directory first. */
export function stateDirectories(stateDir: string, env: DeployEnv): string[] {
  return [
    stateDir,
    dirname(statePaths.record(stateDir, 'x')),
    dirname(statePaths.lock(stateDir, 'x')),
    dirname(statePaths.plan(stateDir, 'x')),
    dirname(statePaths.terraformData(stateDir, 'x')),
    terraformStateDir(stateDir, env),
  ];
}

async function kindOf(path: string): Promise<'dir' | 'file' | 'absent'> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'file';
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') return 'absent';
    if (code === 'ENOTDIR') return 'absent'; // a parent is a file: reported at that parent
    throw error;
  }
}

// access() also refuses an immutable (chattr +i) directory, even to root (EPERM).
const writable = async (dir: string): Promise<boolean> => access(dir, constants.W_OK | constants.X_OK).then(() => true, () => false);

/** Every problem of the state directory; none means deploy can write all it needs. */
export async function checkStateDir(stateDir: string, env: DeployEnv): Promise<Problem[]> {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const dir of stateDirectories(stateDir, env)) {
    if (seen.has(dir)) continue;
    seen.add(dir);
    const kind = await kindOf(dir);
    if (kind === 'file') {
      problems.push({
        source: SOURCE, path: dir, code: STATE_DIR_NOT_DIRECTORY, received: dir,
        message: `${dir} is a regular file, but deploy keeps its state there and needs a directory`,
        fix: dir === stateDir
          ? `Move the file away (mv ${dir} ${dir}.old), or set ${STATE_ENV} to a directory; then run deploy again.`
          : `Move the file away (mv ${dir} ${dir}.old); deploy creates the directory.`,
      });
      continue;
    }
    // An absent directory is created under its nearest existing ancestor.
    let existing = dir;
    while ((await kindOf(existing)) === 'absent' && dirname(existing) !== existing) existing = dirname(existing);
    if ((await kindOf(existing)) !== 'dir') continue; // a file on the way: named as such above or below
    if (!(await writable(existing))) {
      problems.push({
        source: SOURCE, path: existing, code: STATE_DIR_NOT_WRITABLE, received: existing,
        message: `${existing} is not writable by this user${existing === dir ? '' : ` (deploy must create ${dir} in it)`}; deploy writes its records, locks and plans there`,
        fix: `Make it writable (chmod u+rwx ${existing}; as root also chattr -i ${existing}), or set ${STATE_ENV} to a directory you own; then run deploy again.`,
      });
    }
  }
  const history = statePaths.history(stateDir);
  if ((await kindOf(history)) === 'dir') {
    problems.push({
      source: SOURCE, path: history, code: STATE_DIR_NOT_DIRECTORY, received: history,
      message: `${history} is a directory, but deploy appends its history to a file there`,
      fix: `Move it away (mv ${history} ${history}.old), then run deploy again.`,
    });
  }
  return problems;
}

/** Creates the directories 0700 and tightens looser existing state files and directories. */
export async function prepareStateDir(stateDir: string, env: DeployEnv, onTightened?: Tightened): Promise<void> {
  for (const dir of stateDirectories(stateDir, env)) await ensurePrivateDir(dir, onTightened);
  const files = [statePaths.history(stateDir)];
  for (const dir of [dirname(statePaths.record(stateDir, 'x')), dirname(statePaths.lock(stateDir, 'x')), dirname(statePaths.plan(stateDir, 'x')), terraformStateDir(stateDir, env)]) {
    for (const entry of await readdir(dir, { withFileTypes: true })) if (entry.isFile()) files.push(join(dir, entry.name));
  }
  for (const file of files) await tightenMode(file, PRIVATE_FILE_MODE, onTightened);
}
