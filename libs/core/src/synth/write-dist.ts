import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SynthResult } from './synth-service.ts';

/** Replaces dist/<service>/ with the synthesized files, so no stale file survives. */
export async function writeDist(distRoot: string, result: SynthResult): Promise<string> {
  const dir = join(distRoot, result.service);
  await rm(dir, { recursive: true, force: true });
  const dirs = new Set([...result.files.keys()].map((f) => dirname(join(dir, f))));
  await Promise.all([...dirs].map((d) => mkdir(d, { recursive: true })));
  await Promise.all([...result.files].map(([file, content]) => writeFile(join(dir, file), content)));
  return dir;
}
