/**
 * Reads Nx's project graph: the dependency graph of the workspace's packages, from their
 * package.json dependencies. Fleet operations order their work over this graph rather than a
 * graph of their own. Two ways, both with the daemon off:
 *  - `devkit`: `createProjectGraphAsync` from @nx/devkit, in this process (the default);
 *  - `cli`: `nx graph --file=<tmp>.json` in a child process, then read the file (the fallback
 *    when Nx cannot be loaded in-process for the given root).
 * Both load Nx's plugins in-process (NX_ISOLATE_PLUGINS=false, unless the caller set it): by
 * default Nx starts one worker process per plugin, which cost 3-10 s here against 1.4-5 s
 * without, for the same graph.
 * Both compute the graph in a fresh workspace-data directory (NX_WORKSPACE_DATA_DIRECTORY,
 * unless the caller set it): Nx 23.3.1's cached file data kept a package.json dependency edge
 * out of the graph when the dependency's package was added after the dependent's package.json
 * was first analysed (arr -> truenas was missing until the cache was dropped). A fresh
 * directory costs a few hundred ms and cannot be stale. Measurements: docs/operations.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { execaRunner, runChecked, type ProcessRunner } from './process-runner.ts';

/** The part of Nx's ProjectGraph fleet operations read. */
export interface NxProjectGraphLike {
  readonly nodes: Readonly<Record<string, { readonly name: string; readonly type?: string; readonly data: { readonly root: string; readonly tags?: readonly string[] } }>>;
  readonly dependencies: Readonly<Record<string, readonly { readonly source: string; readonly target: string; readonly type?: string }[]>>;
}

export type NxGraphMethod = 'devkit' | 'cli';

export interface NxGraphRead {
  readonly graph: NxProjectGraphLike;
  readonly method: NxGraphMethod;
  readonly elapsedMs: number;
}

export interface ReadNxGraphOptions {
  /** @default "devkit", then "cli" if that fails */
  readonly method?: NxGraphMethod;
  /** For the `cli` method. @default execaRunner() */
  readonly runner?: ProcessRunner;
}

const NX_ENV = { NX_DAEMON: 'false', NX_ISOLATE_PLUGINS: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' } as const;

let freshDataDir: string | undefined;

/** One fresh workspace-data directory per process (Nx fixes it when first loaded), removed at exit. */
function processDataDir(): string {
  if (!freshDataDir) {
    const dir = mkdtempSync(join(tmpdir(), 'homelab-nx-data-'));
    freshDataDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return freshDataDir;
}

async function viaDevkit(root: string): Promise<NxProjectGraphLike> {
  // Nx reads these when it is first loaded; its workspace root and data directory are fixed from then on.
  process.env.NX_DAEMON ??= NX_ENV.NX_DAEMON;
  process.env.NX_ISOLATE_PLUGINS ??= NX_ENV.NX_ISOLATE_PLUGINS;
  process.env.NX_WORKSPACE_ROOT_PATH ??= root;
  process.env.NX_WORKSPACE_DATA_DIRECTORY ??= processDataDir();
  const devkit = await import('@nx/devkit');
  if (resolve(devkit.workspaceRoot) !== resolve(root)) {
    throw new Error(`Nx is already loaded for the workspace ${devkit.workspaceRoot}, not ${root}`);
  }
  return await devkit.createProjectGraphAsync({ exitOnError: false }) as unknown as NxProjectGraphLike;
}

/** The caller's own NX_DAEMON / NX_ISOLATE_PLUGINS / NX_WORKSPACE_DATA_DIRECTORY win over ours. */
function definedNxEnv(): Record<string, string> {
  return Object.fromEntries(['NX_DAEMON', 'NX_ISOLATE_PLUGINS', 'NX_WORKSPACE_DATA_DIRECTORY'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
}

async function viaCli(root: string, runner: ProcessRunner): Promise<NxProjectGraphLike> {
  const dir = await mkdtemp(join(tmpdir(), 'homelab-nx-graph-'));
  const file = join(dir, 'graph.json');
  try {
    await runChecked(runner, { file: join(root, 'node_modules', '.bin', 'nx'), args: ['graph', `--file=${file}`], step: 'read the Nx project graph', env: { ...NX_ENV, NX_WORKSPACE_DATA_DIRECTORY: join(dir, 'nx-data'), ...definedNxEnv(), NX_WORKSPACE_ROOT_PATH: root } });
    const json = JSON.parse(await readFile(file, 'utf8')) as { graph?: NxProjectGraphLike };
    if (!json.graph?.nodes || !json.graph.dependencies) throw new Error(`nx graph wrote ${file} without graph.nodes and graph.dependencies`);
    return json.graph;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Reads the graph one way, or tries `devkit` then `cli`. Throws when no way works, naming each failure. */
export async function readNxProjectGraph(root: string, options: ReadNxGraphOptions = {}): Promise<NxGraphRead> {
  const methods: NxGraphMethod[] = options.method ? [options.method] : ['devkit', 'cli'];
  const failures: string[] = [];
  for (const method of methods) {
    const started = performance.now();
    try {
      const graph = method === 'devkit' ? await viaDevkit(root) : await viaCli(root, options.runner ?? execaRunner());
      return { graph, method, elapsedMs: Math.round(performance.now() - started) };
    } catch (error) {
      failures.push(`${method}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  throw new Error(`the Nx project graph could not be read (${failures.join('; ')})`);
}
