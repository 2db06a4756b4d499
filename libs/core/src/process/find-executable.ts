/**
 * Finds an executable the way a shell does (PATH, in order), without running anything: preflight
 * checks tools before any command starts.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { DeployEnv } from './run-tool.ts';

export type FindExecutable = (name: string, env: DeployEnv) => Promise<string | undefined>;

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The absolute path of `name` on env.PATH, or of `name` itself when it contains a slash. */
export const findExecutable: FindExecutable = async (name, env) => {
  if (name.includes('/')) {
    const path = isAbsolute(name) ? name : resolve(name);
    return (await isExecutableFile(path)) ? path : undefined;
  }
  // An empty PATH entry means the current directory to a shell; deploy never runs from there.
  for (const dir of (env.PATH ?? '').split(delimiter).filter((d) => d !== '')) {
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return isAbsolute(candidate) ? candidate : resolve(candidate);
  }
  return undefined;
};
