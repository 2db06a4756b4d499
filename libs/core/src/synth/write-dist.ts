/**
 * Writes synthesized services to dist/<service>/, contained and all-or-nothing:
 * - every output path must resolve inside dist/<service>/; one that does not is a bug in
 *   homelab (policy rejects the inputs that would produce it), caught before any file is written;
 * - each service is written to a temp sibling directory first and renamed into place, so a
 *   failure (a name too long, a full disk, a permission) leaves the previous dist/<service>/
 *   as it was, never half-written, and no stale file survives a successful write;
 * - for several services, every one is staged before any is swapped in.
 * Between the two renames of a swap dist/<service>/ is briefly absent (Node has no atomic
 * directory exchange); a reader sees the old tree or the new, never a mix.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { EXIT } from '../exit-codes.ts';
import type { SynthResult } from './synth-service.ts';

/** A synthesized path that would land outside dist/<service>/: a bug, reported as one. */
export class DistPathEscapeError extends Error {
  override name = 'DistPathEscapeError';
}

/**
 * dist/ could not be written (a name too long for the file system, no space, no permission).
 * Nothing was replaced: the previous dist/<service>/ is intact. `exitCode` is EXIT.failed when
 * the definition must change (its paths), EXIT.setup when this machine must (space, permissions).
 */
export class DistWriteError extends Error {
  override name = 'DistWriteError';
  constructor(message: string, readonly fix: string, readonly exitCode: typeof EXIT.failed | typeof EXIT.setup, readonly errno: string) {
    super(message);
  }
}

/** Replaces dist/<service>/ with the synthesized files, so no stale file survives. */
export async function writeDist(distRoot: string, result: SynthResult): Promise<string> {
  const [dir] = await writeDists(distRoot, [result]);
  return dir!;
}

/** writeDist for several services: all checked, then all staged, then all swapped in. */
export async function writeDists(distRoot: string, results: readonly SynthResult[]): Promise<string[]> {
  const root = resolve(distRoot);
  const plans = results.map((r) => planService(root, r));
  await mkdir(root, { recursive: true }).catch((error: unknown) => { throw writeError(error, root, root); });
  const staged: { readonly dir: string; readonly staging: string }[] = [];
  try {
    for (const plan of plans) {
      await removeAbandonedStaging(root, plan.service);
      const staging = join(root, `${stagingPrefix(plan.service)}${process.pid}-${randomBytes(4).toString('hex')}`);
      staged.push({ dir: plan.dir, staging });
      await stage(root, staging, plan);
    }
  } catch (error) {
    await Promise.all(staged.map((s) => rm(s.staging, { recursive: true, force: true })));
    throw error;
  }
  for (const { dir, staging } of staged) await swapIn(root, dir, staging);
  return plans.map((p) => p.dir);
}

interface ServicePlan {
  readonly service: string;
  readonly dir: string;
  /** Path relative to dist/<service>/ → content. */
  readonly files: readonly (readonly [string, string])[];
}

/** Checks every path of one service before anything is written. */
function planService(root: string, result: SynthResult): ServicePlan {
  const dir = resolve(root, result.service);
  if (result.service === '' || result.service.includes('\0') || dirname(dir) !== root || result.service.startsWith('.')) {
    throw new DistPathEscapeError(`synth produced a service named ${JSON.stringify(result.service)}, which is not one directory inside ${root}; nothing was written. This is a bug in homelab: policy should have rejected the name.`);
  }
  const files = [...result.files].map(([file, content]) => {
    const target = resolve(dir, file);
    if (file.includes('\0') || !target.startsWith(`${dir}${sep}`)) {
      throw new DistPathEscapeError(`synth produced file ${JSON.stringify(file)} for service ${result.service}, which resolves outside dist/${result.service}/ (to ${target}); nothing was written. This is a bug in homelab: policy should have rejected the path it came from.`);
    }
    return [relative(dir, target), content] as const;
  });
  return { service: result.service, dir, files };
}

function stagingPrefix(service: string): string {
  return `.${service}.staging-`;
}

async function stage(root: string, staging: string, plan: ServicePlan): Promise<void> {
  await mkdir(staging).catch((error: unknown) => { throw writeError(error, root, staging); });
  for (const [file, content] of plan.files) {
    const target = join(staging, file);
    const shown = join(root, plan.service, file);
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    } catch (error) {
      throw writeError(error, root, shown, plan.service);
    }
  }
}

/** The old tree moves aside, the new one takes its place, the old is removed; undone on failure. */
async function swapIn(root: string, dir: string, staging: string): Promise<void> {
  const old = `${staging}.old`;
  let moved = false;
  try {
    await rename(dir, old).then(() => { moved = true; }, (error: NodeJS.ErrnoException) => { if (error.code !== 'ENOENT') throw error; });
    await rename(staging, dir);
  } catch (error) {
    if (moved) await rename(old, dir).catch(() => undefined);
    await rm(staging, { recursive: true, force: true });
    throw writeError(error, root, dir);
  }
  await rm(old, { recursive: true, force: true });
}

/** A staging directory left by a process that no longer runs (killed mid-write). */
async function removeAbandonedStaging(root: string, service: string): Promise<void> {
  const prefix = stagingPrefix(service);
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const name of entries.filter((n) => n.startsWith(prefix))) {
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !processRuns(pid)) await rm(join(root, name), { recursive: true, force: true });
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A path for a message: a 5000-character name is shortened, its length given. */
function shownPath(path: string): string {
  return path.length > 160 ? `${path.slice(0, 120)}… (${path.length} characters)` : path;
}

/** The machine must change: space, permissions, a read-only file system. */
const MACHINE_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
};

/** The definition must change: a path the file system cannot hold. */
const PATH_ERRORS: Readonly<Record<string, string>> = {
  ENAMETOOLONG: 'the name is too long for the file system (at most 255 bytes per component)',
  ENOTDIR: 'a file stands where a directory of this path must be',
  EISDIR: 'a directory stands where this file must be',
  EEXIST: 'a file stands where a directory of this path must be',
  EINVAL: 'the file system does not accept this name',
};

function writeError(error: unknown, root: string, path: string, service?: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return error;
  const what = `cannot write ${shownPath(path)}`;
  const kept = service ? ` Nothing was replaced: dist/${service}/ is as it was.` : ' Nothing was replaced.';
  if (MACHINE_ERRORS[code]) {
    return new DistWriteError(`${what}: ${code} (${MACHINE_ERRORS[code]}).${kept}`, `make ${root} writable with room to spare (free space, fix its owner or permissions), then rerun.`, EXIT.setup, code);
  }
  if (PATH_ERRORS[code]) {
    return new DistWriteError(`${what}: ${code} (${PATH_ERRORS[code]}).${kept}`, `shorten or correct the target path of that file in ${service ? `the definition of ${service}` : 'its definition'} (dist/<service>/files/<host>/ mirrors it).`, EXIT.failed, code);
  }
  return error;
}
