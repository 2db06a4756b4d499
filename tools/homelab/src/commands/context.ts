import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Site } from '@homelab/core';

export interface CommandOptions {
  readonly root: string;
  /** Service names given with --service; empty means all. */
  readonly services: readonly string[];
  readonly dryRun: boolean;
  readonly json: boolean;
  /** The arguments after the command, for the fleet commands (they parse their own flags). */
  readonly argv: readonly string[];
}

/**
 * The homelab repository a command works on when --root is not given: the nearest directory at
 * or above `cwd` with nx.json (so `npx homelab` works from any folder inside the repository),
 * else `cwd` itself.
 */
export function defaultRoot(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) return resolve(cwd);
  }
}

/** The site module: $HOMELAB_SITE (a path or package name), else this repository's libs/site. */
export async function loadSite(root: string): Promise<Site> {
  const spec = process.env.HOMELAB_SITE;
  const url = spec ? (spec.startsWith('/') ? pathToFileURL(spec).href : spec.startsWith('.') ? pathToFileURL(join(root, spec)).href : spec) : pathToFileURL(join(root, 'libs/site/src/index.ts')).href;
  let mod: { default?: Site; site?: Site };
  try {
    mod = (await import(url)) as { default?: Site; site?: Site };
  } catch (error) {
    throw new SiteModuleError(`${spec ?? 'libs/site'}: the site module does not load: ${error instanceof Error ? error.message.replace(/\s+/g, ' ').slice(0, 300) : String(error)}. Fix the module (npx tsc --noEmit shows where) or point HOMELAB_SITE at another one.`);
  }
  const site = mod.default ?? mod.site;
  if (!site) throw new SiteModuleError(`${spec ?? 'libs/site'} does not export a site (default export or "site"). Export the Site object.`);
  return site;
}

export function distRoot(root: string): string {
  return join(root, 'dist');
}

/** A mistake in the command line (a value commander cannot judge, e.g. an unknown service): exit 2, one message, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The site module does not load or export a site: a problem of the homelab, exit 1, no stack trace. */
export class SiteModuleError extends Error {
  override readonly name = 'SiteModuleError';
}
