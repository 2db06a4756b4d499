/**
 * Terraform `import` blocks that bring guests already running on the cluster under a service's
 * stack (`homelab adopt --write`). They live in the state directory, never in dist/: they are a
 * fact of one cluster at one moment, and dist/ stays the same for the same repository.
 *
 *   <state>/adopt/<service>.tf.json   {"import": [{"to": "<resource address>", "id": "<node>/<vmid>"}]}
 *
 * Deploy copies the file into the run directory's terraform/ beside cdk.tf.json, so `tofu plan`
 * shows "will be imported" instead of "will be created"; once the service deployed, the import is
 * in the state and the file is removed (an import block left behind would fail a later plan when
 * the guest is deliberately gone).
 */
import { copyFile, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from './private-files.ts';

/** One Terraform `import` block (Terraform/OpenTofu ≥ 1.5). */
export interface ImportBlock {
  readonly to: string;
  readonly id: string;
}

/** The file's name inside the run directory's terraform/ (Terraform loads every *.tf.json there). */
export const ADOPT_RUN_FILE = 'homelab-adopt.tf.json';

export function adoptImportsPath(stateDir: string, service: string): string {
  return join(stateDir, 'adopt', `${service}.tf.json`);
}

/** The Terraform JSON document, blocks in address order, so the same cluster gives the same bytes. */
export function importDocument(blocks: readonly ImportBlock[]): string {
  const sorted = [...blocks].sort((a, b) => a.to.localeCompare(b.to));
  return `${JSON.stringify({ '//': { generated_by: 'homelab adopt --write; removed after the service deployed' }, import: sorted.map((b) => ({ id: b.id, to: b.to })) }, null, 2)}\n`;
}

/** Writes the service's import blocks (none: removes an old file). Returns the path written, if any. */
export async function writeAdoptImports(stateDir: string, service: string, blocks: readonly ImportBlock[]): Promise<string | undefined> {
  const path = adoptImportsPath(stateDir, service);
  if (!blocks.length) {
    await rm(path, { force: true });
    return undefined;
  }
  await ensurePrivateDir(join(stateDir, 'adopt'));
  await writePrivateFile(path, importDocument(blocks));
  return path;
}

export async function readAdoptImports(stateDir: string, service: string): Promise<ImportBlock[] | undefined> {
  try {
    const doc = JSON.parse(await readFile(adoptImportsPath(stateDir, service), 'utf8')) as { import?: ImportBlock[] };
    return doc.import ?? [];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Copies the service's import blocks, if any, into `<runDir>/terraform/`; returns the copy's path. */
export async function copyAdoptImports(stateDir: string, service: string, runDir: string): Promise<string | undefined> {
  const target = join(runDir, 'terraform', ADOPT_RUN_FILE);
  try {
    await copyFile(adoptImportsPath(stateDir, service), target);
    return target;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** After a deploy of the service succeeded: its guests are in the state now. */
export async function clearAdoptImports(stateDir: string, service: string): Promise<void> {
  await rm(adoptImportsPath(stateDir, service), { force: true });
}
