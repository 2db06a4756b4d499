/**
 * The model's service edges, kept between Nx runs. Building them means loading the site and
 * every service package in a tsx child process (model-edges.ts): about 2 s on 2 cores, paid by
 * every `nx graph`, `nx show projects --affected` and `nx run` when each rebuilt the edges. They
 * are a function of the files the model reads, and Nx hands the plugin the hash of every file
 * in the workspace (`context.fileMap`, the working tree's content): the edges are kept with the
 * digest of the hashes of those files, and read back while the digest is the same.
 *
 * What the model reads: the libraries (the site and core), each service package's sources and
 * package.json, how the edges are read (this directory and the site loader), and the lock file
 * (the packages' dependency versions). A file outside these does not change an edge, so editing
 * a doc or a test keeps the cached edges. A site named by `$HOMELAB_SITE` may live outside the
 * workspace, where Nx hashes nothing: then the edges are built every time, as before.
 *
 * The file is Nx's workspace data (`.nx/workspace-data/`, or `$NX_WORKSPACE_DATA_DIRECTORY`),
 * so `nx reset` drops it with the rest of Nx's derived state.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { FileMap } from '@nx/devkit';
import type { ModelEdges } from './model-edges.ts';

/** The files whose content the model's edges depend on, workspace-relative with `/`. */
const MODEL_INPUTS: readonly RegExp[] = [
  /^libs\/[^/]+\/src\//,
  /^libs\/[^/]+\/package\.json$/,
  /^packages\/[^/]+\/src\//,
  /^packages\/[^/]+\/package\.json$/,
  /^tools\/homelab\/src\/nx\//,
  /^tools\/homelab\/src\/commands\/context\.ts$/,
  /^package-lock\.json$/,
  /^tsconfig\.base\.json$/,
];

/** Bump when the shape of the stored file or of ModelEdges changes. */
const FORMAT = 1;
export const MODEL_EDGES_FILE = 'homelab-model-edges.json';

export function isModelInput(file: string): boolean {
  return MODEL_INPUTS.some((re) => re.test(file));
}

/** One digest of the path and hash of every model input in the file map, in path order. */
export function modelInputsDigest(fileMap: FileMap): string {
  const files = [...Object.values(fileMap.projectFileMap).flat(), ...fileMap.nonProjectFiles]
    .filter((f) => isModelInput(f.file))
    .map((f) => `${f.file}\0${f.hash}`)
    .sort();
  return createHash('sha256').update(`${FORMAT}\n${files.join('\n')}`).digest('hex');
}

/** Where Nx keeps its workspace data (NX_WORKSPACE_DATA_DIRECTORY, relative to the root, or .nx/workspace-data). */
export function workspaceDataDir(root: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const dir = env['NX_WORKSPACE_DATA_DIRECTORY'];
  if (!dir) return join(root, '.nx', 'workspace-data');
  return isAbsolute(dir) ? dir : join(root, dir);
}

interface Stored { readonly format: number; readonly digest: string; readonly model: ModelEdges }

function readStored(file: string): Stored | undefined {
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<Stored>;
    return stored.format === FORMAT && typeof stored.digest === 'string' && Array.isArray(stored.model?.edges) ? stored as Stored : undefined;
  } catch {
    return undefined;
  }
}

export interface CachedEdgesOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * `build(root)`, or what it returned for the same model inputs before. A file that cannot be
 * read or written is no error: the edges are built, as they were without a cache.
 */
export function cachedModelEdges(root: string, fileMap: FileMap, build: (root: string) => ModelEdges, options: CachedEdgesOptions = {}): ModelEdges {
  const env = options.env ?? process.env;
  if (env['HOMELAB_SITE']) return build(root);
  const file = join(workspaceDataDir(root, env), MODEL_EDGES_FILE);
  const digest = modelInputsDigest(fileMap);
  const stored = readStored(file);
  if (stored?.digest === digest) return stored.model;
  const model = build(root);
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ format: FORMAT, digest, model } satisfies Stored));
    renameSync(tmp, file);
  } catch {
    // Read-only checkout or full disk: the next run builds them again.
  }
  return model;
}
