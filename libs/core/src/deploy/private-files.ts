/**
 * How deploy writes its state: files 0600 in directories 0700 (a record holds plan text, a
 * history line an error; both may mention what only the operator should read), and every
 * whole-file write atomic and durable: a temporary file in the same directory, fsynced, renamed
 * over the old one, then the directory fsynced, so a crash or a full disk leaves the old file or
 * the new one, never half of either. A file or directory found looser than that is tightened
 * where deploy uses it, and the caller is told (so it can say so).
 */
import { constants } from 'node:fs';
import { chmod, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** A mode deploy changed: `<path>: 0644 -> 0600`. */
export type Tightened = (path: string, from: number, to: number) => void;

export const formatMode = (mode: number): string => `0${(mode & 0o777).toString(8).padStart(3, '0')}`;

/** Group or other bits beyond `wanted` (never loosens; an owner-only mode stays as it is). */
const looserThan = (mode: number, wanted: number): boolean => (mode & 0o077 & ~wanted) !== 0;

/** chmod `path` to `wanted` when group or others have more than that; a missing path is fine. */
export async function tightenMode(path: string, wanted: number, onTightened?: Tightened): Promise<void> {
  let mode: number;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return;
    throw error;
  }
  if (!looserThan(mode, wanted)) return;
  await chmod(path, wanted);
  onTightened?.(path, mode, wanted);
}

/** The directory (and missing parents) with mode 0700; an existing looser one is tightened. */
export async function ensurePrivateDir(path: string, onTightened?: Tightened): Promise<void> {
  await mkdir(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  await tightenMode(path, PRIVATE_DIR_MODE, onTightened);
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `path` with `content` (0600), atomically and durably; its directory becomes 0700. */
export async function writePrivateFile(path: string, content: string, onTightened?: Tightened): Promise<void> {
  const dir = dirname(path);
  await ensurePrivateDir(dir, onTightened);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const handle = await open(tmp, 'w', PRIVATE_FILE_MODE);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
  await fsyncDir(dir);
}

/** Appends one line (0600 file, created if absent; a looser existing one is tightened). */
export async function appendPrivateLine(path: string, line: string, onTightened?: Tightened): Promise<void> {
  await ensurePrivateDir(dirname(path), onTightened);
  await tightenMode(path, PRIVATE_FILE_MODE, onTightened);
  const handle = await open(path, 'a', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(line.endsWith('\n') ? line : `${line}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
