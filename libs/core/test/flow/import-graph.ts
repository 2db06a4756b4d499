/**
 * The real import graph of a source tree, read by dependency-cruiser (type-only imports count:
 * a type cycle is a cycle of the design too), and the checks the flow tests make on it: cycles,
 * imports against the layer order, and bare imports a package.json does not declare.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ICruiseResult } from 'dependency-cruiser';
import type { Layer } from './layers.ts';

export interface ImportGraph {
  /** Every module reached, relative to the cruised directory (`model/site.ts`). */
  readonly modules: readonly string[];
  /** Imports between modules of the tree. */
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  /** Imports of npm packages, by package name (`@nx/devkit`, `yaml`). */
  readonly packages: readonly { readonly from: string; readonly name: string }[];
  /** Each cycle once, as the modules around it (`a.ts > b.ts > a.ts`). */
  readonly cycles: readonly string[];
}

const run = promisify(execFile);
const CRUISE_SCRIPT = fileURLToPath(new URL('./cruise-json.mjs', import.meta.url));

/** Cruises `dir`, or only what `entries` (paths relative to `dir`) reach. */
export async function readImportGraph(dir: string, entries: readonly string[] = ['.']): Promise<ImportGraph> {
  const { stdout } = await run(process.execPath, [CRUISE_SCRIPT, dir, ...entries], { maxBuffer: 64 * 1024 * 1024 });
  const output = JSON.parse(stdout) as ICruiseResult;
  // A package that is not installed shows up as a module that could not be resolved: not ours.
  const modules = output.modules.filter((m) => !m.coreModule && !m.couldNotResolve && !m.source.includes('node_modules')).map((m) => m.source).sort();
  const edges: { from: string; to: string }[] = [];
  const packages: { from: string; name: string }[] = [];
  const cycles = new Set<string>();
  for (const m of output.modules) {
    if (!modules.includes(m.source)) continue;
    for (const d of m.dependencies) {
      if (d.coreModule) continue;
      if (isBare(d.module)) packages.push({ from: m.source, name: packageName(d.module) });
      else edges.push({ from: m.source, to: d.resolved });
      if (d.circular && d.cycle) cycles.add(canonicalCycle([m.source, ...d.cycle.map((c) => c.name)]));
    }
  }
  return { modules, edges, packages, cycles: [...cycles].sort() };
}

function isBare(specifier: string): boolean {
  return !specifier.startsWith('.') && !specifier.startsWith('/');
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The same cycle found from each of its modules is written once, from its smallest module. */
function canonicalCycle(path: readonly string[]): string {
  const ring = path.slice(0, -1);
  const start = ring.indexOf([...ring].sort()[0]!);
  const rotated = [...ring.slice(start), ...ring.slice(0, start)];
  return [...rotated, rotated[0]].join(' > ');
}

/** The layer of a module path (relative to the layered `src/`), by its first path segment. */
export function layerIndex(layers: readonly Layer[], module: string): number {
  const top = module.split('/')[0]!;
  return layers.findIndex((l) => l.members.includes(top));
}

/** Each import that goes against the layer order, and each module no layer holds. */
export function layerViolations(graph: ImportGraph, layers: readonly Layer[], entries: readonly string[]): string[] {
  const isEntry = (m: string) => entries.includes(m.split('/')[0]!);
  const problems: string[] = [];
  for (const m of graph.modules) {
    if (!isEntry(m) && layerIndex(layers, m) < 0) problems.push(`${m} is in no layer: add its top directory to a layer in libs/core/test/flow/layers.ts`);
  }
  for (const { from, to } of graph.edges) {
    if (isEntry(from)) continue;
    if (isEntry(to)) {
      problems.push(`${from} imports the entry ${to}: import the module itself, entries only re-export`);
      continue;
    }
    const [a, b] = [layerIndex(layers, from), layerIndex(layers, to)];
    if (a >= 0 && b > a) problems.push(`${from} (${layers[a]!.name}) imports ${to} (${layers[b]!.name}): ${layers[b]!.name} comes after ${layers[a]!.name} in the flow`);
  }
  return problems;
}

/** The distinct layer-to-layer imports, in layer order: what docs/flow.md draws. */
export function layerEdges(graph: ImportGraph, layers: readonly Layer[]): [from: string, to: string][] {
  const seen = new Set<string>();
  for (const { from, to } of graph.edges) {
    const [a, b] = [layerIndex(layers, from), layerIndex(layers, to)];
    if (a >= 0 && b >= 0 && a !== b) seen.add(`${a}:${b}`);
  }
  return [...seen]
    .map((k) => k.split(':').map(Number) as [number, number])
    .sort(([a1, b1], [a2, b2]) => a1 - a2 || b1 - b2)
    .map(([a, b]) => [layers[a]!.name, layers[b]!.name]);
}

/** Bare imports whose package the package.json lists in neither dependencies nor peerDependencies. */
export function undeclaredPackages(graph: ImportGraph, manifest: { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }): string[] {
  const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
  const missing = new Map<string, string>();
  for (const { from, name } of graph.packages) {
    if (!declared.has(name) && !missing.has(name)) missing.set(name, from);
  }
  return [...missing].sort().map(([name, from]) => `${name} (imported by ${from}) is not in the package.json dependencies`);
}
