/**
 * Finds the service packages of a workspace and imports their definitions. Packages export
 * TypeScript source, so this runs under tsx or vitest.
 */
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { locateInPackage } from './load-failures.ts';
import type { PackageInfo } from './service.ts';

export interface ServiceEntry {
  readonly pkg: PackageInfo;
  /** The package's default export, unchecked. */
  readonly definition: unknown;
}

export interface LoadFailure {
  readonly dir: string;
  readonly message: string;
  /** Where in the package it was thrown, `src/index.ts:12`, when a stack frame says. */
  readonly at?: string;
}

export async function readPackageInfo(root: string, dir: string): Promise<PackageInfo> {
  const json = JSON.parse(await readFile(join(root, dir, 'package.json'), 'utf8')) as {
    name?: string; version?: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string>;
  };
  return {
    dir,
    name: json.name ?? dir,
    version: json.version ?? '0.0.0',
    dependencies: Object.keys({ ...json.dependencies }).sort(),
  };
}

/** Service package directories under `packages/`, sorted. */
export async function listServicePackages(root: string): Promise<string[]> {
  const base = join(root, 'packages');
  if (!existsSync(base)) return [];
  const names = (await readdir(base, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  return names.filter((n) => existsSync(join(base, n, 'package.json')) && existsSync(join(base, n, 'src', 'index.ts'))).map((n) => `packages/${n}`);
}

export async function loadServices(root: string, only?: readonly string[]): Promise<{ entries: ServiceEntry[]; failures: LoadFailure[] }> {
  const dirs = await listServicePackages(root);
  const entries: ServiceEntry[] = [];
  const failures: LoadFailure[] = [];
  await Promise.all(dirs.map(async (dir) => {
    try {
      const pkg = await readPackageInfo(root, dir);
      const mod = (await import(pathToFileURL(join(root, dir, 'src', 'index.ts')).href)) as { default?: unknown };
      entries.push({ pkg, definition: mod.default });
    } catch (error) {
      const at = locateInPackage(error, join(root, dir));
      failures.push({ dir, message: error instanceof Error ? error.message : String(error), ...(at && { at }) });
    }
  }));
  entries.sort((a, b) => a.pkg.dir.localeCompare(b.pkg.dir));
  const wanted = only ? entries.filter((e) => only.some((o) => e.pkg.dir.endsWith(`/${o}`) || e.pkg.name === o)) : entries;
  return { entries: wanted, failures };
}
