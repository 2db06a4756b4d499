/**
 * Synthesizes a workspace's packages for a site, in memory, for tests: the whole catalog at once
 * (a route lands in the ingress's files, a scrape target in the observer's), cached per site and
 * workspace so a test file pays for it once.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadHomelab, synthesizeSite, type SiteSynthesis } from '../plan/pipeline.ts';
import type { NormalizedService } from '../model/service.ts';
import type { Site } from '../model/site.ts';

/** The synthesized files of one service, by dist path, with readers for the usual formats. */
export interface Synthesized {
  readonly service: NormalizedService;
  readonly synthesis: SiteSynthesis;
  readonly files: ReadonlyMap<string, string>;
  readonly json: (path: string) => any;
  readonly text: (path: string) => string;
  /** The root-only settings (pct/qm set) of the guest with this VMID, key → value, from its node script. */
  readonly rootSettings: (vmid: number) => Record<string, string>;
}

/** The nearest directory at or above `from` that holds a `packages/` folder: the workspace tests run in. */
export function findWorkspaceRoot(from: string = process.cwd()): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'packages')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no workspace (a folder with packages/ and package.json) at or above ${from}`);
  }
}

const cache = new Map<string, Map<Site, Promise<SiteSynthesis>>>();

/** Every package of the workspace synthesized for `site` (cached per process). */
export function synthesizeWorkspace(site: Site, root: string = findWorkspaceRoot()): Promise<SiteSynthesis> {
  const bySite = cache.get(root) ?? new Map<Site, Promise<SiteSynthesis>>();
  cache.set(root, bySite);
  let synthesis = bySite.get(site);
  if (!synthesis) {
    synthesis = loadHomelab(root, site).then((home) => synthesizeSite(home));
    bySite.set(site, synthesis);
  }
  return synthesis;
}

/** One service's synthesized files out of a whole-site synthesis. */
export function synthesizedOf(synthesis: SiteSynthesis, name: string): Synthesized {
  const result = synthesis.results.find((r) => r.service === name);
  const service = synthesis.home.byName.get(name);
  if (!result || !service) {
    const own = synthesis.problems.filter((p) => p.source.endsWith(`/${name}`)).map((p) => `${p.code}: ${p.message}`);
    throw new Error(`service ${name} was not synthesized for the site "${synthesis.home.site.name}"; ${own.length > 0 ? own.join('; ') : `problems: ${synthesis.problems.map((p) => p.code).join(', ')}`}`);
  }
  const text = (path: string) => {
    const content = result.files.get(path);
    if (content === undefined) throw new Error(`${name} has no ${path}; it has ${[...result.files.keys()].join(', ')}`);
    return content;
  };
  const rootSettings = (vmid: number) => {
    const path = [...result.files.keys()].find((f) => new RegExp(`/usr/local/lib/homelab/guests/${vmid}-[^/]+\\.sh$`).test(f));
    if (!path) throw new Error(`${name} has no root-settings script for guest ${vmid}`);
    // A value is one shell word: bare when it is a safe word, else single-quoted (shellQuote).
    return Object.fromEntries([...text(path).matchAll(/^want (\S+) (?:'((?:[^']|'\\'')*)'|([^\s']+))/gm)].map((m) => [m[1]!, m[2] !== undefined ? m[2].replaceAll("'\\''", "'") : m[3]!]));
  };
  return { service, synthesis, files: result.files, text, json: (path) => JSON.parse(text(path)), rootSettings };
}

/** A package's service synthesized for `site` together with the rest of the workspace. */
export async function synthesizeFor(site: Site, name: string, options: { root?: string } = {}): Promise<Synthesized> {
  return synthesizedOf(await synthesizeWorkspace(site, options.root), name);
}
